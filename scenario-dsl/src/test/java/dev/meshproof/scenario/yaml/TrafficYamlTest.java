package dev.meshproof.scenario.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.traffic.RequestVariation;
import dev.meshproof.scenario.traffic.TrafficProtocol;
import dev.meshproof.scenario.traffic.TrafficSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Traffic blocks: open/closed loop, by count or time, protocol, methods, per-request variation. */
class TrafficYamlTest {
  private static final String BASE =
      """
      name: traffic
      services:
        - name: catalog
      clients: [web]
      traffic:
      """;

  private static ScenarioFile parse(String text) {
    return ScenarioYaml.parse("t.yaml", text, f -> Optional.empty());
  }

  private static String problems(String text) {
    try {
      parse(text);
    } catch (InvalidScenarioException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected problems in:\n" + text);
  }

  @Test
  void aJavaTrafficWithEveryOptionWritesToYamlAndReadsBackTheSame() {
    Scenario scenario =
        Scenario.named("everything")
            .service("catalog", s -> s.version("v1"))
            .client("web")
            .traffic(
                t ->
                    t.named("open")
                        .from("web")
                        .request("PUT", "http://catalog/items/${seq}")
                        .header("Host", "catalog:80")
                        .header("x-order", "${seq}")
                        .body("{\"n\": ${seq}}")
                        .rate(50)
                        .duration(Duration.ofSeconds(2))
                        .concurrency(4)
                        .protocol(TrafficProtocol.HTTP2)
                        .variants(
                            RequestVariation.Variant.url("http://catalog/a"),
                            new RequestVariation.Variant(
                                Optional.empty(), Map.of("x-user", "bob"), Optional.of("b"))))
            .traffic(
                t ->
                    t.named("closed")
                        .from("web")
                        .get("http://catalog/")
                        .duration(Duration.ofMillis(1500)))
            .build();

    String yaml = ScenarioYaml.write(scenario, Map.of(), false);
    ScenarioFile back = parse(yaml);

    assertThat(ScenarioYaml.write(back.scenario(), back.metadata(), false)).isEqualTo(yaml);
    TrafficSpec open = back.scenario().traffic().get(0);
    TrafficSpec original = scenario.traffic().get(0);
    assertThat(open.protocol()).isEqualTo(TrafficProtocol.HTTP2);
    assertThat(open.rate()).isEqualTo(50);
    assertThat(open.duration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(open.requests()).isZero();
    assertThat(open.variation()).isEqualTo(original.variation());
    assertThat(open.plannedRequests()).hasValue(100);
    assertThat(yaml)
        .contains("url: http://catalog/items/${seq}")
        .contains("rate: 50.0")
        .contains("protocol: HTTP2")
        .doesNotContain("requests:");
    TrafficSpec closed = back.scenario().traffic().get(1);
    assertThat(closed.openLoop()).isFalse();
    assertThat(closed.duration()).isEqualTo(Duration.ofMillis(1500));
    assertThat(closed.plannedRequests()).isEmpty();
  }

  @Test
  void eachRequestTakesItsVariantAndItsSequenceNumber() {
    TrafficSpec traffic =
        parse(
                BASE
                    + """
                      - from: web
                        method: POST
                        url: http://catalog/items/${seq}
                        headers: {Host: "catalog:80", x-n: "n${seq}"}
                        body: "order ${seq}"
                        requests: 4
                        variants:
                          - {}
                          - {url: "http://catalog/other?i=${seq}", headers: {x-n: other}, body: b}
                    """)
            .scenario()
            .traffic()
            .get(0);

    var zero = traffic.requestFor(0);
    assertThat(zero.url().toString()).isEqualTo("http://catalog/items/0");
    assertThat(zero.headers()).containsEntry("Host", "catalog:80").containsEntry("x-n", "n0");
    assertThat(new String(zero.body(), StandardCharsets.UTF_8)).isEqualTo("order 0");
    var one = traffic.requestFor(1);
    assertThat(one.url().toString()).isEqualTo("http://catalog/other?i=1");
    assertThat(one.headers()).containsEntry("x-n", "other").containsEntry("Host", "catalog:80");
    assertThat(new String(one.body(), StandardCharsets.UTF_8)).isEqualTo("b");
    assertThat(traffic.requestFor(2).url().toString()).isEqualTo("http://catalog/items/2");
  }

  @Test
  void everyWithRateIsRefusedAtEvery() {
    assertThat(
            problems(
                BASE
                    + """
                      - from: web
                        url: http://catalog/
                        rate: 10
                        every: 10ms
                    """))
        .contains("t.yaml:9:12: traffic[0].every: every cannot be combined with rate");
  }

  @Test
  void anUnknownProtocolListsTheAllowedOnes() {
    assertThat(
            problems(
                BASE
                    + """
                      - from: web
                        url: http://catalog/
                        protocol: HTTP3
                    """))
        .contains("t.yaml:8:15: traffic[0].protocol:")
        .contains("did you mean \"HTTP1\"? (expected: one of [HTTP1, HTTP2, GRPC])");
  }

  @Test
  void aBadVariantUrlIsReportedAtItsLine() {
    assertThat(
            problems(
                BASE
                    + """
                      - from: web
                        url: http://catalog/
                        variants:
                          - url: "http://catalog/a b"
                    """))
        .contains("t.yaml:9:14: traffic[0].variants[0].url: \"http://catalog/a b\" is not a URL")
        .doesNotContain("Exception");
  }

  @Test
  void aRateAboveTheLimitNamesTheRange() {
    assertThat(
            problems(
                BASE
                    + """
                      - from: web
                        url: http://catalog/
                        rate: 0
                    """))
        .contains("t.yaml:8:11: traffic[0].rate: 0 is out of range");
  }
}
