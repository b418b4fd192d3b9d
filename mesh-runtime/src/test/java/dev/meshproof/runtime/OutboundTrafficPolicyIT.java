package dev.meshproof.runtime;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Hosts outside the registry on both data planes with the same translation. {@code ALLOW_ANY}
 * (Istio's default): an authority {@code 127.0.0.1:<port>} is passed through the {@code
 * PassthroughCluster} to an app the mesh does not know; any other unknown authority (a name, an
 * address off loopback) is answered 503 {@code no healthy upstream} and never leaves loopback.
 * {@code REGISTRY_ONLY}: every unknown authority is answered 502 by {@code block_all}. A registered
 * host is routed as before under both.
 */
class OutboundTrafficPolicyIT {

  @TestFactory
  Stream<DynamicNode> unknownHostsFollowTheMeshsOutboundTrafficPolicyOnEveryTarget() {
    return Stream.of(OutboundTrafficPolicy.values())
        .flatMap(
            policy ->
                Stream.of(
                    target(policy, "embedded", p -> Mesh.builder().outboundTrafficPolicy(p)),
                    target(
                        policy,
                        "envoy",
                        p -> {
                          Assumptions.assumeTrue(
                              EnvoyDataPlane.unavailableReason().isEmpty(),
                              () -> EnvoyDataPlane.unavailableReason().orElse(""));
                          return Mesh.builder()
                              .outboundTrafficPolicy(p)
                              .dataPlane(EnvoyDataPlane.create());
                        })));
  }

  private static DynamicNode target(
      OutboundTrafficPolicy policy,
      String name,
      Function<OutboundTrafficPolicy, Mesh.Builder> meshes) {
    return DynamicTest.dynamicTest(
        policy + " on " + name,
        () -> {
          try (TestApp external = new TestApp("external");
              Mesh mesh = meshes.apply(policy).start();
              CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
            mesh.apply(CatalogTopology.DESTINATION_RULE, "dr.yaml");
            mesh.awaitSynced();
            SoftAssertions soft = new SoftAssertions();
            Function<String, HttpOutcome> get =
                authority ->
                    catalog
                        .client()
                        .http()
                        .send(HttpRequestSpec.get("http://" + authority + "/path?q=1"))
                        .join();

            soft.assertThat(get.apply("catalog").header("x-app").orElse(""))
                .as("registered host")
                .startsWith("catalog-");
            String loopback = "127.0.0.1:" + external.address().getPort();
            List<String> offLoopback =
                List.of("example.com", "example.com:80", "10.255.255.1:80", "localhost:80");
            HttpOutcome passed = get.apply(loopback);
            if (policy == OutboundTrafficPolicy.ALLOW_ANY) {
              soft.assertThat(passed.status()).as(loopback).isEqualTo(200);
              soft.assertThat(passed.body()).as(loopback).isEqualTo("external /path?q=1");
              soft.assertThat(passed.header("x-seen-host")).as(loopback).contains(loopback);
              for (String authority : offLoopback) {
                HttpOutcome refused = get.apply(authority);
                soft.assertThat(refused.status()).as(authority).isEqualTo(503);
                soft.assertThat(refused.body()).as(authority).isEqualTo("no healthy upstream");
              }
            } else {
              for (String authority :
                  Stream.concat(Stream.of(loopback), offLoopback.stream()).toList()) {
                HttpOutcome blocked = get.apply(authority);
                soft.assertThat(blocked.status()).as(authority).isEqualTo(502);
                soft.assertThat(blocked.body()).as(authority).isEmpty();
              }
            }
            soft.assertAll();
          }
        });
  }
}
