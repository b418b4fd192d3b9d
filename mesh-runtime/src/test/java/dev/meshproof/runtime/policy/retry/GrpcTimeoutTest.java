package dev.meshproof.runtime.policy.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GrpcTimeoutTest {
  private static final Optional<Duration> ISTIOD_DEFAULT = Optional.of(Duration.ZERO);

  @Test
  void headerValuesParseAsEnvoysGetGrpcTimeoutDoes() {
    assertThat(GrpcTimeout.parse("2H")).contains(Duration.ofHours(2));
    assertThat(GrpcTimeout.parse("3M")).contains(Duration.ofMinutes(3));
    assertThat(GrpcTimeout.parse("20S")).contains(Duration.ofSeconds(20));
    assertThat(GrpcTimeout.parse("300m")).contains(Duration.ofMillis(300));
    // Finer units round up to a whole millisecond.
    assertThat(GrpcTimeout.parse("1500u")).contains(Duration.ofMillis(2));
    assertThat(GrpcTimeout.parse("1n")).contains(Duration.ofMillis(1));
    assertThat(GrpcTimeout.parse("99999999S")).contains(Duration.ofSeconds(99_999_999));
  }

  @Test
  void malformedHeadersAreNoDeadline() {
    assertThat(GrpcTimeout.parse("100")).isEmpty();
    assertThat(GrpcTimeout.parse("S")).isEmpty();
    assertThat(GrpcTimeout.parse("123456789S")).isEmpty();
    assertThat(GrpcTimeout.parse("-5S")).isEmpty();
    assertThat(GrpcTimeout.parse("5x")).isEmpty();
    assertThat(GrpcTimeout.parse(null)).isEmpty();
  }

  @Test
  void istiodsZeroMaxLetsTheHeaderDecideAndNoHeaderMeansNoTimeout() {
    assertThat(GrpcTimeout.routeTimeout(Duration.ZERO, ISTIOD_DEFAULT, true, Optional.of("300m")))
        .isEqualTo(Duration.ofMillis(300));
    assertThat(GrpcTimeout.routeTimeout(Duration.ZERO, ISTIOD_DEFAULT, true, Optional.empty()))
        .isZero();
  }

  @Test
  void aVirtualServiceTimeoutCapsTheHeaderAndAppliesWithoutOne() {
    Optional<Duration> max = Optional.of(Duration.ofSeconds(2));
    Duration route = Duration.ofSeconds(2);
    assertThat(GrpcTimeout.routeTimeout(route, max, true, Optional.of("10S")))
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(GrpcTimeout.routeTimeout(route, max, true, Optional.of("500m")))
        .isEqualTo(Duration.ofMillis(500));
    assertThat(GrpcTimeout.routeTimeout(route, max, true, Optional.empty()))
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void theHeaderIsIgnoredForNonGrpcRequestsAndRoutesWithoutMax() {
    assertThat(GrpcTimeout.routeTimeout(Duration.ZERO, ISTIOD_DEFAULT, false, Optional.of("1S")))
        .isZero();
    assertThat(
            GrpcTimeout.routeTimeout(
                Duration.ofSeconds(5), Optional.empty(), true, Optional.of("1S")))
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void upstreamHeaderCarriesTheTimeLeftAsEnvoysSetTimeoutHeaders() {
    RequestTimeouts route = new RequestTimeouts(Duration.ofMillis(1_000), Optional.empty());
    assertThat(GrpcTimeout.upstreamHeader(route, Duration.ZERO)).contains("1000m");
    assertThat(GrpcTimeout.upstreamHeader(route, Duration.ofMillis(400))).contains("600m");
    // Spent: 1 ms, since 0 would be infinity.
    assertThat(GrpcTimeout.upstreamHeader(route, Duration.ofMillis(1_500))).contains("1m");
    RequestTimeouts perTry =
        new RequestTimeouts(Duration.ofMillis(1_000), Optional.of(Duration.ofMillis(300)));
    assertThat(GrpcTimeout.upstreamHeader(perTry, Duration.ofMillis(800))).contains("200m");
    assertThat(GrpcTimeout.upstreamHeader(perTry, Duration.ZERO)).contains("300m");
    assertThat(
            GrpcTimeout.upstreamHeader(
                new RequestTimeouts(Duration.ZERO, Optional.empty()), Duration.ZERO))
        .isEmpty();
  }

  @Test
  void formatUsesMillisecondsUntilEightDigitsThenCoarserUnits() {
    assertThat(GrpcTimeout.format(Duration.ofMillis(99_999_999))).isEqualTo("99999999m");
    assertThat(GrpcTimeout.format(Duration.ofMillis(100_000_000))).isEqualTo("100000S");
    assertThat(GrpcTimeout.format(Duration.ofDays(100_000 * 365L))).endsWith("H");
  }
}
