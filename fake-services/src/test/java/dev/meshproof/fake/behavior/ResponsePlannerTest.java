package dev.meshproof.fake.behavior;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResponsePlannerTest {

  private static RequestView get(String uri) {
    return RequestView.of("GET", uri, Map.of());
  }

  private static RequestKnobs knobs(RequestView v) {
    return ((KnobParser.Parsed) KnobParser.parse(v)).knobs();
  }

  private static ResponsePlan plan(Behavior b, String uri, int attempt, SplittableRandom r) {
    RequestView v = get(uri);
    return ResponsePlanner.plan(b, v, knobs(v), attempt, r);
  }

  private static List<ResponsePlan> run(long seed, Behavior b, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<ResponsePlan> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(plan(b, "/", 1, r));
    }
    return out;
  }

  @Test
  void aSeedReplaysTheSameDecisions() {
    Behavior b =
        Behavior.builder()
            .errors(0.3, "500:1,503:1")
            .latency(new Latency.LogNormal(Duration.ofMillis(10), 1))
            .fault(Fault.RESET, 0.1)
            .build();
    assertThat(run(99, b, 500)).isEqualTo(run(99, b, 500));
    assertThat(run(99, b, 500)).isNotEqualTo(run(100, b, 500));
  }

  @Test
  void underExtAuthzTheEchoAnswersAsIstiosSampleProviderWhateverItsBehavior() {
    Behavior failing = Behavior.builder().errors(1.0, "500").build();
    RequestView allowed =
        RequestView.of("GET", "/ext-authz/items/1?q=1", Map.of("x-ext-authz", List.of("allow")));
    RequestView denied =
        RequestView.of("POST", "/ext-authz/items/1", Map.of("x-ext-authz", List.of("deny")));

    ResponsePlan allow =
        ResponsePlanner.plan(failing, allowed, knobs(allowed), 1, new SplittableRandom(1));
    ResponsePlan deny =
        ResponsePlanner.plan(failing, denied, knobs(denied), 1, new SplittableRandom(1));

    assertThat(allow.status()).isEqualTo(200);
    assertThat(allow.setHeaders())
        .containsExactly(new RequestKnobs.Header("x-ext-authz-check-result", "allowed"));
    assertThat(deny.status()).isEqualTo(403);
    assertThat(deny.setHeaders())
        .containsExactly(new RequestKnobs.Header("x-ext-authz-check-result", "denied"));
    assertThat(plan(failing, "/items/ext-authz/", 1, new SplittableRandom(1)).status())
        .as("only the path prefix makes a check")
        .isEqualTo(500);
  }

  @Test
  void healthyDefaultsAnswer200AtOnce() {
    ResponsePlan p = plan(Behavior.defaults(), "/", 1, new SplittableRandom(1));
    assertThat(p.action()).isEqualTo(ResponsePlan.Action.RESPOND);
    assertThat(p.status()).isEqualTo(200);
    assertThat(p.delay()).isZero();
  }

  @Test
  void statusPathWinsOverRetryCodesAndErrorRate() {
    Behavior failing = Behavior.builder().errors(1.0, "500").build();
    SplittableRandom r = new SplittableRandom(1);
    assertThat(plan(failing, "/status/201?codes=503", 1, r).status()).isEqualTo(201);
    assertThat(plan(failing, "/?codes=429", 1, r).status()).isEqualTo(429);
    assertThat(plan(failing, "/", 1, r).status()).isEqualTo(500);
    assertThat(plan(failing, "/", 1, r).reason()).isEqualTo("errorRate");
  }

  @Test
  void retryKnobFailsTheFirstSucceedAfterAttempts() {
    SplittableRandom r = new SplittableRandom(1);
    String uri = "/retry?succeedAfter=2&responseCode=502";
    assertThat(plan(Behavior.defaults(), uri, 1, r).status()).isEqualTo(502);
    assertThat(plan(Behavior.defaults(), uri, 2, r).status()).isEqualTo(502);
    assertThat(plan(Behavior.defaults(), uri, 3, r).status()).isEqualTo(200);
  }

  @Test
  void readinessIgnoresInjectedErrorsAndFaults() {
    Behavior b = Behavior.builder().errors(1.0, "500").fault(Fault.HANG).ready(false).build();
    ResponsePlan p = plan(b, "/ready", 1, new SplittableRandom(1));
    assertThat(p.action()).isEqualTo(ResponsePlan.Action.RESPOND);
    assertThat(p.status()).isEqualTo(503);
  }

  @Test
  void faultAtRateOneAppliesToEveryRequestAndDelayKnobOverridesLatency() {
    Behavior b =
        Behavior.builder()
            .fault(Fault.DROP_AFTER_HEADERS)
            .fixedLatency(Duration.ofSeconds(1))
            .build();
    ResponsePlan p = plan(b, "/?delay=5ms", 1, new SplittableRandom(1));
    assertThat(p.action()).isEqualTo(ResponsePlan.Action.DROP_AFTER_HEADERS);
    assertThat(p.delay()).isEqualTo(Duration.ofMillis(5));
    assertThat(p.sendsHeaders()).isTrue();
  }

  @Test
  void rejectionIsA400CarryingTheError() {
    ResponsePlan p = ResponsePlanner.reject(new KnobError("size", "x", "a byte count"));
    assertThat(p.status()).isEqualTo(400);
    assertThat(p.action()).isEqualTo(ResponsePlan.Action.REJECT);
    assertThat(p.rejection().orElseThrow().message())
        .isEqualTo("size: \"x\" \u2014 expected a byte count");
  }
}
