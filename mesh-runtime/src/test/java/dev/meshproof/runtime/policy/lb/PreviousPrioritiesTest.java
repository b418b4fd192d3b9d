package dev.meshproof.runtime.policy.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Envoy's previous_priorities retry priority, step by step (update_frequency 2, as istiod). */
class PreviousPrioritiesTest {
  private static final Map<String, Integer> PRIORITY = Map.of("a", 0, "b", 0, "c", 1, "d", 2);
  private static final Function<String, OptionalInt> OF =
      h -> PRIORITY.containsKey(h) ? OptionalInt.of(PRIORITY.get(h)) : OptionalInt.empty();
  private static final int[] HEALTH = {100, 100, 100};
  private static final int[] ORIGINAL = {100, 0, 0};

  @Test
  void theFirstRetryKeepsTheLoadAndTheSecondLeavesTheTriedPriorities() {
    PreviousPriorities p = new PreviousPriorities(2);
    p.onHostAttempted("a");
    assertThat(p.priorityLoad(HEALTH, ORIGINAL, OF)).containsExactly(100, 0, 0);
    p.onHostAttempted("b");
    // Both tries were priority 0: it is excluded; the rest is distributed in priority order over
    // the health capped at 100, so a fully healthy priority 1 takes it all.
    assertThat(p.priorityLoad(HEALTH, ORIGINAL, OF)).containsExactly(0, 100, 0);
    p.onHostAttempted("c");
    // Three hosts, not a multiple of 2: the last load holds.
    assertThat(p.priorityLoad(HEALTH, ORIGINAL, OF)).containsExactly(0, 100, 0);
    p.onHostAttempted("d");
    // Every priority was tried: the hosts are forgotten and the cluster's own load is used.
    assertThat(p.priorityLoad(HEALTH, ORIGINAL, OF)).containsExactly(100, 0, 0);
    p.onHostAttempted("a");
    assertThat(p.priorityLoad(HEALTH, ORIGINAL, OF)).containsExactly(100, 0, 0);
    // Envoy's reset assigns copies: the exclusions stay, so the next recalculation finds nothing
    // left again and keeps the cluster's load.
    p.onHostAttempted("a");
    assertThat(p.priorityLoad(HEALTH, ORIGINAL, OF)).containsExactly(100, 0, 0);
  }

  @Test
  void theRemainderGoesToTheFirstRemainingPriorityAndHealthIsCapped() {
    PreviousPriorities p = new PreviousPriorities(1);
    p.onHostAttempted("a");
    assertThat(p.priorityLoad(new int[] {100, 30, 40}, ORIGINAL, OF))
        // 30 * 100 / 70 = 42, 40 * 100 / 70 = 57, 1 left: to priority 1.
        .containsExactly(0, 43, 57);
    PreviousPriorities q = new PreviousPriorities(1);
    q.onHostAttempted("gone");
    // A host no longer in the cluster excludes nothing.
    assertThat(q.priorityLoad(new int[] {100, 100}, new int[] {100, 0}, OF))
        .containsExactly(100, 0);
    assertThatThrownBy(() -> new PreviousPriorities(0)).hasMessageContaining("expected: >= 1");
  }

  @net.jqwik.api.Property
  void aRecalculatedRetryNeverGoesToATriedPriorityWhileAnotherHasHealth(
      @net.jqwik.api.ForAll("health") int[] health,
      @net.jqwik.api.ForAll("tried") java.util.List<Integer> tried) {
    PreviousPriorities p = new PreviousPriorities(2);
    int[] original = new int[health.length];
    original[0] = 100;
    Function<String, OptionalInt> of = h -> OptionalInt.of(Integer.parseInt(h) % health.length);
    // Two attempts: the second recalculation point is every second host.
    int first = tried.get(0) % health.length;
    int second = tried.get(1) % health.length;
    p.onHostAttempted(String.valueOf(first));
    p.onHostAttempted(String.valueOf(second));
    int[] load = p.priorityLoad(health, original, of);
    boolean othersHealthy = false;
    for (int i = 0; i < health.length; i++) {
      othersHealthy |= i != first && i != second && health[i] > 0;
    }
    if (othersHealthy) {
      assertThat(java.util.Arrays.stream(load).sum()).isEqualTo(100);
      assertThat(load[first]).isZero();
      assertThat(load[second]).isZero();
    } else {
      assertThat(load).containsExactly(original);
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<int[]> health() {
    return net.jqwik.api.Arbitraries.integers()
        .between(0, 100)
        .array(int[].class)
        .ofMinSize(1)
        .ofMaxSize(5);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<java.util.List<Integer>> tried() {
    return net.jqwik.api.Arbitraries.integers().between(0, 4).list().ofSize(2);
  }
}
