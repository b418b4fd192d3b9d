package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Consistent-hash affinity: request i has key i mod keys; one instance per key, keys spread. */
class KeyAffinityExpectationTest {
  private static RequestObservation request(int index, String instance) {
    RequestObservation.Builder b =
        RequestObservation.builder()
            .index(index)
            .requestId("id-" + index)
            .traffic("t")
            .from("client")
            .url("http://catalog/")
            .kind(HttpOutcome.Kind.RESPONSE)
            .status(instance.isEmpty() ? 503 : 200)
            .service("catalog")
            .version("v1")
            .latency(Duration.ofMillis(5));
    if (!instance.isEmpty()) {
      b.instance(instance);
    }
    return b.build();
  }

  private static Observations observations(
      int requests, java.util.function.IntFunction<String> by) {
    return new Observations(
        IntStream.range(0, requests).mapToObj(i -> request(i, by.apply(i))).toList());
  }

  @Test
  void eachKeyKeepsItsInstanceAndTheKeysSpread() {
    Observations affine = observations(30, i -> "catalog-v1-" + (i % 3) % 2);
    ExpectationResult result =
        Expectations.sameInstancePerKey(3).atLeastInstances(2).build().evaluate(affine);
    assertThat(result.passed()).as(result.message()).isTrue();
    assertThat(result.statistics()).containsEntry("alpha", String.valueOf(0.25));
    assertThat(result.message()).contains("each of 3 keys kept one instance over 30 requests");

    ExpectationResult oneInstance =
        Expectations.sameInstancePerKey(3)
            .atLeastInstances(2)
            .build()
            .evaluate(observations(30, i -> "catalog-v1-0"));
    assertThat(oneInstance.passed()).isFalse();
    assertThat(oneInstance.message()).contains("reached only [catalog-v1-0]");
  }

  @Test
  void aKeyOnTwoInstancesFailsAndNamesThem() {
    ExpectationResult split =
        Expectations.sameInstancePerKey(2)
            .build()
            .evaluate(observations(8, i -> i == 5 ? "catalog-v1-2" : "catalog-v1-" + i % 2));
    assertThat(split.passed()).isFalse();
    assertThat(split.message())
        .isEqualTo("key 1 reached 2 instances [catalog-v1-1, catalog-v1-2] (expected one)");
    // Exact when nothing is asked of the spread: no alpha spent.
    assertThat(split.statistics()).doesNotContainKey("alpha");
  }

  @Test
  void localRepliesAreLeftOutAndNoAnswerFails() {
    assertThat(
            Expectations.sameInstancePerKey(1)
                .build()
                .evaluate(observations(4, i -> i == 2 ? "" : "catalog-v1-0"))
                .passed())
        .isTrue();
    assertThat(
            Expectations.sameInstancePerKey(1).build().evaluate(observations(3, i -> "")).message())
        .isEqualTo("no request was answered by an instance");
  }

  @Test
  void badCountsAreRefused() {
    assertThatThrownBy(() -> Expectations.sameInstancePerKey(0))
        .hasMessage("keys: 0 (expected: >= 1)");
    assertThatThrownBy(() -> Expectations.sameInstancePerKey(2).atLeastInstances(3).build())
        .hasMessageContaining("atLeastInstances: 3 (expected: <= keys, 2");
  }
}
