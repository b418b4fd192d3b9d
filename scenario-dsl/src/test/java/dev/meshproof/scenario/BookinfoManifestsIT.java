package dev.meshproof.scenario;

import static dev.meshproof.scenario.expect.Expectations.servedBy;
import static dev.meshproof.scenario.expect.Expectations.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.Targets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's Bookinfo as users deploy it: {@code samples/bookinfo/platform/kube/bookinfo.yaml} applied
 * as-is as the topology (productpage, details, ratings v1 and reviews v1/v2/v3, fake apps behind
 * sidecars), with Bookinfo's own networking samples, on both targets.
 */
class BookinfoManifestsIT {

  static Stream<Target> targets() {
    return Stream.of(Targets.embedded(), Targets.envoy());
  }

  private static Path sample(String path) throws Exception {
    return Path.of(
        BookinfoManifestsIT.class.getResource("/istio-samples/" + path.replace("/", "__")).toURI());
  }

  private static ScenarioResult run(Scenario scenario, Target target) {
    ScenarioResult result = ScenarioRunner.run(scenario, target);
    assumeTrue(result.status() != Status.SKIPPED, () -> result.failure().orElse("skipped"));
    return result;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void allV1SendsEveryBookinfoServiceToItsV1(Target target) throws Exception {
    Scenario scenario =
        Scenario.named("bookinfo all v1")
            .topology(sample("bookinfo/platform/kube/bookinfo.yaml"))
            .client("client")
            .istio(sample("bookinfo/networking/destination-rule-all.yaml"))
            .istio(sample("bookinfo/networking/virtual-service-all-v1.yaml"))
            .traffic(
                t ->
                    t.named("reviews")
                        .from("client")
                        .get("http://reviews:9080/reviews/0")
                        .requests(60))
            .traffic(
                t ->
                    t.named("productpage")
                        .from("client")
                        .get("http://productpage:9080/productpage")
                        .requests(10))
            .traffic(
                t ->
                    t.named("ratings")
                        .from("client")
                        .get("http://ratings:9080/ratings/0")
                        .requests(10))
            .traffic(
                t ->
                    t.named("details")
                        .from("client")
                        .get("http://details:9080/details/0")
                        .requests(10))
            .expect(servedBy("reviews-v2-0").atMost(0))
            .expect(servedBy("reviews-v3-0").atMost(0))
            .seed(7)
            .build();
    assertThat(scenario.services())
        .extracting(ServiceSpec::name, ServiceSpec::port)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("details", 9080),
            org.assertj.core.groups.Tuple.tuple("ratings", 9080),
            org.assertj.core.groups.Tuple.tuple("reviews", 9080),
            org.assertj.core.groups.Tuple.tuple("productpage", 9080));
    ScenarioResult result = run(scenario, target);
    assertThat(result.status()).as(result.toString()).isEqualTo(Status.PASSED);
    assertThat(result.traffic().sent()).isEqualTo(90);
  }

  /**
   * Negative case on the same topology: without the VirtualService, the reviews Service balances
   * over v1, v2 and v3 (least request), so the expectation that v2 serves nothing must fail; were
   * the pick uniformly random, v2 would miss all 90 requests with probability (2/3)^90 < 2e-16.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void withoutTheVirtualServiceReviewsIsNotOnlyV1(Target target) throws Exception {
    Scenario scenario =
        Scenario.named("bookinfo without all-v1")
            .topology(sample("bookinfo/platform/kube/bookinfo.yaml"))
            .client("client")
            .istio(sample("bookinfo/networking/destination-rule-all.yaml"))
            .traffic(t -> t.from("client").get("http://reviews:9080/reviews/0").requests(90))
            .expect(servedBy("reviews-v2-0").atMost(0))
            .seed(7)
            .build();
    ScenarioResult result = run(scenario, target);
    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(result.failure()).as("the run itself succeeded").isEmpty();
    assertThat(result.traffic().sent()).isEqualTo(90);
    assertThat(result.expectations())
        .singleElement()
        .satisfies(e -> assertThat(e.passed()).as(e.message()).isFalse());
  }

  /** Bookinfo's 80/20 canary, judged by a chi-square goodness of fit at alpha 1e-6. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void reviews8020SplitsAsTheSampleSays(Target target) throws Exception {
    Scenario scenario =
        Scenario.named("bookinfo reviews 80/20")
            .topology(sample("bookinfo/platform/kube/bookinfo.yaml"))
            .client("client")
            .istio(sample("bookinfo/networking/destination-rule-all.yaml"))
            .istio(sample("bookinfo/networking/virtual-service-reviews-80-20.yaml"))
            .traffic(t -> t.from("client").get("http://reviews:9080/reviews/0").requests(400))
            .expect(split("reviews").byVersion(Map.of("v1", 0.8, "v2", 0.2)).atAlpha(1e-6))
            .expect(servedBy("reviews-v3-0").atMost(0))
            .seed(11)
            .build();
    ScenarioResult result = run(scenario, target);
    assertThat(result.status()).as(result.toString()).isEqualTo(Status.PASSED);
  }
}
