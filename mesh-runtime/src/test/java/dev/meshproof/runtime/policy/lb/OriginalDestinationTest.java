package dev.meshproof.runtime.policy.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code ip:port} literals Envoy's original destination load balancer reads from a header. */
class OriginalDestinationTest {

  @Test
  void anIpv4OrBracketedIpv6LiteralWithAPortIsTheDestination() {
    assertThat(OriginalDestination.fromHeader("127.0.0.1:8080"))
        .contains(new InetSocketAddress("127.0.0.1", 8080));
    assertThat(OriginalDestination.fromHeader("[::1]:80"))
        .contains(new InetSocketAddress("::1", 80));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.com:80",
        "127.0.0.1",
        "127.0.0.1:",
        "127.0.0.1:65536",
        "127.0.0.1:123456",
        "127.0.0.1:8a",
        "127.0.0.01:80",
        "127.0.0:80",
        "256.0.0.1:80",
        "::1:80",
        "[::1]",
        "[localhost]:80",
        "localhost:80",
        ":80",
        ""
      })
  void anythingElseIsNoDestination(String header) {
    assertThat(OriginalDestination.fromHeader(header)).isEmpty();
  }

  @Property(tries = 200)
  void everyDottedQuadAndPortRoundTrips(
      @ForAll @IntRange(max = 255) int a,
      @ForAll @IntRange(max = 255) int b,
      @ForAll @IntRange(max = 255) int c,
      @ForAll @IntRange(max = 255) int d,
      @ForAll @IntRange(max = 65535) int port) {
    String ip = a + "." + b + "." + c + "." + d;
    assertThat(OriginalDestination.fromHeader(ip + ":" + port))
        .hasValueSatisfying(
            address -> {
              assertThat(address.getAddress().getHostAddress()).isEqualTo(ip);
              assertThat(address.getPort()).isEqualTo(port);
            });
  }
}
