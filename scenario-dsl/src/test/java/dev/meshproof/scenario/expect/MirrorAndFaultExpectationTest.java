package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ProxyEvidence;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import dev.meshproof.scenario.traffic.UpstreamAttemptObservation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MirrorAndFaultExpectationTest {
  private static UpstreamAttemptObservation at(String instance, String authority) {
    return new UpstreamAttemptObservation(
        instance, 200, Instant.EPOCH, Duration.ZERO, 1, authority);
  }

  private static RequestObservation request(
      int index,
      int status,
      String body,
      String flags,
      long latencyMs,
      List<UpstreamAttemptObservation> attempts,
      List<UpstreamAttemptObservation> mirrors) {
    return RequestObservation.builder()
        .index(index)
        .requestId("id-" + index)
        .traffic("t")
        .from("client")
        .url("http://catalog/")
        .kind(HttpOutcome.Kind.RESPONSE)
        .status(status)
        .service("catalog")
        .version("v1")
        .instance("catalog-v1-0")
        .latency(Duration.ofMillis(latencyMs))
        .bodyExcerpt(body)
        .proxy(new ProxyEvidence("r", "c", "h", flags))
        .build()
        .withAttempts(attempts, mirrors);
  }

  /** n requests, the first k copied to catalog v2 with {@code authority}. */
  private static Observations mirrored(int n, int k, String authority) {
    List<RequestObservation> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          request(
              i,
              200,
              "",
              "-",
              5,
              List.of(at("catalog-v1-0", "catalog")),
              i < k ? List.of(at("catalog-v2-0", authority)) : List.of()));
    }
    return new Observations(out);
  }

  @Test
  void aMirroredShareIsJudgedByATwoSidedBinomialTest() {
    MirrorExpectation thirty =
        Expectations.mirrored("catalog").version("v2").fraction(0.3).atAlpha(1e-6).build();

    assertThat(thirty.evaluate(mirrored(1000, 300, "catalog")).passed()).isTrue();
    ExpectationResult tooFew = thirty.evaluate(mirrored(1000, 200, "catalog"));
    assertThat(tooFew.passed()).isFalse();
    assertThat(tooFew.message()).contains("200 of 1000 requests mirrored");
    assertThat(tooFew.statistics()).containsEntry("alpha", "1.0E-6");
    assertThat(thirty.evaluate(mirrored(1000, 400, "catalog")).passed()).isFalse();
  }

  /** From Istio 1.28 nothing marks a copy at the app: an entry at the target is the evidence. */
  @Test
  void anUnmarkedEntryAtTheTargetCountsAndTheTargetMustNotServeThePrimary() {
    RequestObservation copiedUnmarked =
        request(
            0,
            200,
            "",
            "-",
            5,
            List.of(at("catalog-v1-0", "catalog"), at("catalog-v2-0", "catalog")),
            List.of());
    var all = Expectations.mirrored("catalog").version("v2").all().build();

    assertThat(all.evaluate(new Observations(List.of(copiedUnmarked))).passed()).isTrue();
    ExpectationResult servedByTarget =
        Expectations.mirrored("catalog")
            .version("v1")
            .all()
            .build()
            .evaluate(new Observations(List.of(copiedUnmarked)));
    assertThat(servedByTarget.passed()).isFalse();
    assertThat(servedByTarget.message()).contains("the mirror target itself");
  }

  @Test
  void allNoneAndTheHostAreExactChecks() {
    assertThat(
            Expectations.mirrored("catalog")
                .version("v2")
                .all()
                .authority("catalog-shadow")
                .build()
                .evaluate(mirrored(10, 10, "catalog"))
                .message())
        .contains("had Host catalog (expected: catalog-shadow)");
    assertThat(
            Expectations.mirrored("catalog").none().build().evaluate(mirrored(10, 1, "c")).passed())
        .isFalse();
    assertThat(
            Expectations.mirrored("catalog")
                .version("v3")
                .none()
                .build()
                .evaluate(mirrored(10, 10, "c"))
                .passed())
        .isTrue();
    assertThatThrownBy(() -> Expectations.mirrored("catalog").build())
        .hasMessageContaining("no share given");
  }

  @Test
  void anAbortMustNeverReachAnUpstreamAndEveryOtherRequestMust() {
    RequestObservation aborted =
        request(0, 503, "fault filter abort", "FI", 1, List.of(), List.of());
    RequestObservation served =
        request(1, 200, "", "-", 5, List.of(at("catalog-v1-0", "catalog")), List.of());
    RequestObservation abortedButForwarded =
        request(2, 503, "fault filter abort", "FI", 1, List.of(at("catalog-v1-0", "c")), List.of());

    var half = Expectations.responseFlag("FI").status(503).fraction(0.5).atAlpha(1e-3).build();
    assertThat(half.evaluate(new Observations(List.of(aborted, served))).passed()).isTrue();
    ExpectationResult retried =
        half.evaluate(new Observations(List.of(abortedButForwarded, served)));
    assertThat(retried.passed()).isFalse();
    assertThat(retried.message()).contains("1 request(s) inconsistent with FI");
    assertThat(
            Expectations.responseFlag("FI")
                .status(503)
                .build()
                .evaluate(new Observations(List.of(aborted, served)))
                .passed())
        .isFalse();
  }

  @Test
  void aDelayIsTheAccessLogsDiWithAtLeastItsLatency() {
    var delayed = Expectations.responseFlag("DI").delayOf(Duration.ofMillis(300)).build();

    assertThat(
            delayed
                .evaluate(
                    new Observations(List.of(request(0, 200, "", "DI", 310, List.of(), List.of()))))
                .passed())
        .isTrue();
    assertThat(
            delayed
                .evaluate(
                    new Observations(
                        List.of(request(0, 200, "", "DI,URX", 100, List.of(), List.of()))))
                .passed())
        .isFalse();
    assertThat(
            Expectations.responseFlag("DI")
                .fraction(0)
                .build()
                .evaluate(
                    new Observations(List.of(request(0, 200, "", "DI", 310, List.of(), List.of()))))
                .passed())
        .isFalse();
    assertThatThrownBy(() -> Expectations.responseFlag("FI").build())
        .hasMessageContaining("no status given");
    assertThatThrownBy(() -> Expectations.responseFlag("UT").fraction(0.5))
        .hasMessageContaining("for FI or DI");
  }
}
