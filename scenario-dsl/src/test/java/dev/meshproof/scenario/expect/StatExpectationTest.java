package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.ProxyMetrics;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Envoy statistics by name, summed over proxies, {@code *} matching any characters. */
class StatExpectationTest {
  private static final Observations OBSERVED =
      new Observations(
          List.of(),
          Map.of(
              "catalog-v1-0",
              new ProxyMetrics(
                  "",
                  Map.of(
                      "http.inbound_0.0.0.0_15006.rbac.istio_dry_run_allow_.shadow_denied", 20L,
                      "http.inbound_0.0.0.0_15006.rbac.istio_dry_run_allow_.shadow_allowed", 30L,
                      "http.inbound_0.0.0.0_15006.rbac.allowed", 50L)),
              "catalog-v1-1",
              new ProxyMetrics(
                  "",
                  Map.of("http.inbound_0.0.0.0_15007.rbac.istio_dry_run_allow_.shadow_denied", 2L)),
              "web-0",
              new ProxyMetrics("", Map.of("http.outbound_0.0.0.0_80.rbac.allowed", 7L))));

  @Test
  void sumsTheMatchingCountersOfEveryProxy() {
    ExpectationResult result =
        Expectations.stat("http.inbound_*.rbac.istio_dry_run_allow_.shadow_denied", 22)
            .evaluate(OBSERVED);

    assertThat(result.passed()).as(result.message()).isTrue();
    assertThat(result.message())
        .isEqualTo("http.inbound_*.rbac.istio_dry_run_allow_.shadow_denied is 22");
  }

  @Test
  void aStarMatchesAnyCharactersButTheRestIsLiteral() {
    assertThat(Expectations.stat("http.inbound_*.rbac.allowed", 50).evaluate(OBSERVED).passed())
        .isTrue();
    assertThat(Expectations.stat("*.rbac.allowed", 57).evaluate(OBSERVED).passed()).isTrue();
    // "." is not a wildcard: no counter is named http.inbound_Xrbac.allowed.
    assertThat(Expectations.stat("http.inbound_0.0.0.0_15006rbac.allowed", 0).evaluate(OBSERVED))
        .satisfies(r -> assertThat(r.passed()).isTrue());
  }

  @Test
  void aCounterNoProxyHasIsZeroAndAMismatchSaysBoth() {
    ExpectationResult result =
        Expectations.stat("http.inbound_*.rbac.denied", 3).evaluate(OBSERVED);

    assertThat(result.passed()).isFalse();
    assertThat(result.message()).isEqualTo("http.inbound_*.rbac.denied is 0 (expected 3)");
  }

  @Test
  void withoutProxyStatisticsItFailsSayingSo() {
    ExpectationResult result =
        Expectations.stat("http.inbound_*.rbac.denied", 0)
            .evaluate(new Observations(List.of(), Map.of()));

    assertThat(result.passed()).isFalse();
    assertThat(result.message()).contains("no proxy statistics");
  }

  @Test
  void badNamesAndNegativeCountsAreRefused() {
    assertThatThrownBy(() -> Expectations.stat("http inbound", 1))
        .hasMessageContaining("stat: http inbound (expected: an Envoy statistic name");
    assertThatThrownBy(() -> Expectations.stat("http.inbound_*.rbac.denied", -1))
        .hasMessage("equals: -1 (expected: >= 0)");
  }

  @Test
  void writesItsScenarioFileForm() {
    assertThat(Expectations.stat("http.inbound_*.rbac.denied", 0).toYaml())
        .isEqualTo(Map.of("stat", Map.of("name", "http.inbound_*.rbac.denied", "equals", 0L)));
  }
}
