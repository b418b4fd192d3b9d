package dev.meshproof.conformance;

import static dev.meshproof.scenario.expect.Expectations.attempts;
import static dev.meshproof.scenario.expect.Expectations.latency;
import static dev.meshproof.scenario.expect.Expectations.mirrored;
import static dev.meshproof.scenario.expect.Expectations.responseFlag;
import static dev.meshproof.scenario.expect.Expectations.split;
import static dev.meshproof.scenario.expect.Expectations.successRate;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.chaos.Chaos;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The catalogue's mirroring and fault injection tests (VirtualService {@code mirror}, {@code
 * mirrors}, {@code fault}), each with its negative cases; part of {@link Catalogue#all()}.
 */
final class TrafficCatalogue {
  private static final String VIRTUAL_SERVICE_DOC =
      "https://istio.io/latest/docs/reference/config/networking/virtual-service/";

  private TrafficCatalogue() {}

  static List<ConformanceTest> all() {
    return List.of(
        mirror(
            "mesh-request-mirror",
            IstioVersion.CURRENT,
            "catalog",
            "Istio "
                + IstioVersion.CURRENT.major()
                + "."
                + IstioVersion.CURRENT.minor()
                + ": mirror copies every request to v2 with the Host unchanged; mirrorPercentage"
                + " 30 copies 30% (exact binomial, alpha 5e-6); mirrors copy 50% to v2 and all to"
                + " v3; mirrorPercentage 0 and a route without mirror copy nothing; primaries all"
                + " go to v1 and succeed."),
        mirror(
            "mesh-request-mirror-istio-1-27",
            IstioVersion.of("1.27"),
            "catalog-shadow",
            "Istio 1.27 (before DISABLE_SHADOW_HOST_SUFFIX): the same mirrors, each copy's Host"
                + " suffixed with -shadow."),
        new ConformanceTest(
            "mesh-request-mirror-isolation",
            Feature.MeshRequestMirrorIsolation,
            "Every request is mirrored to catalog v2, slowed to 2 s, and to v3, failing with 503:"
                + " every primary answer is a 200 from v1 within 1 s, and every copy reached its"
                + " mirror.",
            VIRTUAL_SERVICE_DOC + "#HTTPMirrorPolicy",
            yaml ->
                Scenario.named("catalog mirrors slow and failing")
                    .service("catalog", s -> s.version("v1").version("v2").version("v3"))
                    .client("client")
                    .istio("mesh-request-mirror-isolation.yaml", yaml)
                    .chaos(
                        c ->
                            c.at(
                                    Duration.ZERO,
                                    Chaos.service("catalog")
                                        .version("v2")
                                        .latency(Duration.ofSeconds(2)))
                                .at(
                                    Duration.ZERO,
                                    Chaos.service("catalog").version("v3").errors(1.0, "503")))
                    .traffic(
                        t ->
                            t.named("mirrored")
                                .from("client")
                                .get("http://catalog/items")
                                .requests(40)
                                .concurrency(4))
                    .expect(
                        latency()
                            .forTraffic("mirrored")
                            .atMost(Duration.ofMillis(500), Duration.ofMillis(500)))
                    .expect(
                        split("catalog")
                            .byVersion(Map.of("v1", 1.0, "v2", 0.0, "v3", 0.0))
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .expect(successRate().atLeast(1.0).atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .expect(mirrored("catalog").version("v2").all())
                    .expect(mirrored("catalog").version("v3").all())
                    .build()),
        new ConformanceTest(
            "mesh-fault-abort",
            Feature.MeshFaultAbort,
            "abort httpStatus 503 at 100% answers 503 FI and never reaches catalog, though the"
                + " route retries 5xx 3 times (an aborted request is not retried); 418 at 40% (exact"
                + " binomial, alpha 5e-6), the others reaching catalog; grpcStatus UNAVAILABLE"
                + " answers a plain request 200 with the abort body; an abort without percentage and"
                + " a route without fault abort nothing.",
            VIRTUAL_SERVICE_DOC + "#HTTPFaultInjection-Abort",
            yaml ->
                Scenario.named("catalog fault aborts")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-fault-abort.yaml", yaml)
                    .traffic(
                        t ->
                            t.named("abort")
                                .from("client")
                                .get("http://catalog/abort")
                                .requests(20))
                    .traffic(
                        t ->
                            t.named("part").from("client").get("http://catalog/part").requests(500))
                    .traffic(
                        t -> t.named("grpc").from("client").get("http://catalog/grpc").requests(10))
                    .traffic(
                        t ->
                            t.named("unset")
                                .from("client")
                                .get("http://catalog/unset")
                                .requests(20))
                    .traffic(
                        t ->
                            t.named("none").from("client").get("http://catalog/other").requests(20))
                    .expect(responseFlag("FI").forTraffic("abort").status(503))
                    .expect(
                        responseFlag("FI")
                            .forTraffic("part")
                            .status(418)
                            .fraction(0.4)
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .expect(responseFlag("FI").forTraffic("grpc").status(200))
                    .expect(responseFlag("FI").forTraffic("unset").status(503).fraction(0))
                    .expect(responseFlag("FI").forTraffic("none").status(503).fraction(0))
                    .expect(attempts().forTraffic("unset").neverRetried())
                    .build()),
        new ConformanceTest(
            "mesh-fault-delay",
            Feature.MeshFaultDelay,
            "A 300 ms delay under a 100 ms route timeout: every request DI and a 200 after at"
                + " least 300 ms (the timeout starts after the delay, as on Envoy); a 200 ms delay"
                + " on a route retrying 5xx delays once, not per attempt (3 attempts, under 600 ms);"
                + " 50 ms on 25% of requests (exact binomial, alpha 5e-6); a route without fault"
                + " delays nothing.",
            VIRTUAL_SERVICE_DOC + "#HTTPFaultInjection-Delay",
            yaml ->
                Scenario.named("catalog fault delays")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-fault-delay.yaml", yaml)
                    .traffic(
                        t ->
                            t.named("delay")
                                .from("client")
                                .get("http://catalog/delay")
                                .requests(10)
                                .concurrency(5))
                    .traffic(
                        t ->
                            t.named("retry")
                                .from("client")
                                .get("http://catalog/retry?succeedAfter=2&responseCode=503")
                                .requests(10)
                                .concurrency(3))
                    .traffic(
                        t ->
                            t.named("part")
                                .from("client")
                                .get("http://catalog/part")
                                .requests(400)
                                .concurrency(10))
                    .traffic(
                        t ->
                            t.named("none").from("client").get("http://catalog/other").requests(20))
                    .expect(responseFlag("DI").forTraffic("delay").delayOf(Duration.ofMillis(290)))
                    .expect(
                        latency()
                            .forTraffic("delay")
                            .atLeast(Duration.ofMillis(290))
                            .atMost(Duration.ofMillis(300), Duration.ofMillis(400)))
                    .expect(successRate().atLeast(1.0).atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .expect(responseFlag("DI").forTraffic("retry").delayOf(Duration.ofMillis(190)))
                    .expect(attempts().forTraffic("retry").exactly(3))
                    .expect(
                        latency()
                            .forTraffic("retry")
                            .atMost(Duration.ofMillis(200), Duration.ofMillis(390)))
                    .expect(
                        responseFlag("DI")
                            .forTraffic("part")
                            .delayOf(Duration.ofMillis(45))
                            .fraction(0.25)
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .expect(responseFlag("DI").forTraffic("none").fraction(0))
                    .build()));
  }

  /**
   * The mirroring test for one Istio release: the Host a copy carries is the version-dependent part
   * ({@code authority}).
   */
  private static ConformanceTest mirror(
      String id, IstioVersion version, String authority, String description) {
    return new ConformanceTest(
        id,
        Feature.MeshRequestMirror,
        description,
        VIRTUAL_SERVICE_DOC + "#HTTPRoute",
        yaml ->
            Scenario.named(id)
                .istioVersion(version)
                .service("catalog", s -> s.version("v1").version("v2").version("v3"))
                .client("client")
                .istio(id + ".yaml", yaml)
                .traffic(t -> t.named("all").from("client").get("http://catalog/all").requests(50))
                .traffic(
                    t ->
                        t.named("part")
                            .from("client")
                            .get("http://catalog/part")
                            .requests(600)
                            .concurrency(10))
                .traffic(
                    t ->
                        t.named("multi")
                            .from("client")
                            .get("http://catalog/multi")
                            .requests(400)
                            .concurrency(10))
                .traffic(
                    t -> t.named("zero").from("client").get("http://catalog/zero").requests(30))
                .traffic(
                    t -> t.named("plain").from("client").get("http://catalog/plain").requests(30))
                .expect(
                    mirrored("catalog").version("v2").forTraffic("all").all().authority(authority))
                .expect(
                    mirrored("catalog")
                        .version("v2")
                        .forTraffic("part")
                        .fraction(0.3)
                        .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                .expect(
                    mirrored("catalog")
                        .version("v2")
                        .forTraffic("multi")
                        .fraction(0.5)
                        .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                .expect(mirrored("catalog").version("v3").forTraffic("multi").all())
                .expect(mirrored("catalog").version("v2").forTraffic("zero").none())
                .expect(mirrored("catalog").version("v2").forTraffic("plain").none())
                .expect(mirrored("catalog").version("v3").forTraffic("plain").none())
                .expect(
                    split("catalog")
                        .byVersion(Map.of("v1", 1.0, "v2", 0.0, "v3", 0.0))
                        .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                .expect(successRate().atLeast(1.0).atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                .build());
  }
}
