package dev.meshproof.runtime;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * DestinationRule {@code consistentHash} on both data planes with the same translation: by a
 * header, a query parameter, the source IP and a generated cookie, every request of a key reaches
 * the same instance (deterministic: all requests are checked), and 40 distinct keys reach both
 * instances (a miss has probability 2 / 2^40 with Envoy's ring over two hosts).
 */
class ConsistentHashIT {

  private static String rule(String hash) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: catalog}
        spec:
          host: catalog
          trafficPolicy:
            loadBalancer:
              consistentHash: %s
        """
        .formatted(hash);
  }

  @TestFactory
  Stream<DynamicNode> theSameKeyReachesTheSameInstanceOnEveryTarget() {
    return Stream.of(
        target("embedded", () -> Mesh.builder().start()),
        target(
            "envoy",
            () -> {
              Assumptions.assumeTrue(
                  EnvoyDataPlane.unavailableReason().isEmpty(),
                  () -> EnvoyDataPlane.unavailableReason().orElse(""));
              return Mesh.builder().dataPlane(EnvoyDataPlane.create()).start();
            }));
  }

  private static DynamicNode target(String name, Supplier<Mesh> meshes) {
    return DynamicTest.dynamicTest(
        name,
        () -> {
          try (Mesh mesh = meshes.get();
              CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
            SoftAssertions soft = new SoftAssertions();

            mesh.apply(rule("{httpHeaderName: x-user}"), "dr.yaml");
            mesh.awaitSynced();
            check(
                soft,
                "header",
                k -> HttpRequestSpec.get("http://catalog/").withHeader("x-user", k),
                catalog);

            mesh.apply(rule("{httpQueryParameterName: user, maglev: {}}"), "dr.yaml");
            mesh.awaitSynced();
            check(soft, "query", k -> HttpRequestSpec.get("http://catalog/?user=" + k), catalog);

            mesh.apply(rule("{useSourceIp: true}"), "dr.yaml");
            mesh.awaitSynced();
            Set<String> instances = new HashSet<>();
            for (int i = 0; i < 30; i++) {
              instances.add(send(catalog, HttpRequestSpec.get("http://catalog/")));
            }
            soft.assertThat(instances).as("source IP: one client, one instance").hasSize(1);

            // A cookie with a TTL: the proxy makes one up for a request without it and sets it
            // on the response; the request was hashed by that value, so sending it back keeps
            // the instance.
            mesh.apply(rule("{httpCookie: {name: s, ttl: 60s}}"), "dr.yaml");
            mesh.awaitSynced();
            HttpOutcome fresh =
                catalog.client().http().send(HttpRequestSpec.get("http://catalog/")).join();
            String setCookie = fresh.header("set-cookie").orElse("");
            soft.assertThat(setCookie)
                .as("set-cookie")
                .matches("s=\"[0-9a-f]{16}\"; Max-Age=60; HttpOnly");
            String cookie =
                setCookie.contains(";")
                    ? setCookie.substring(0, setCookie.indexOf(';'))
                    : setCookie;
            String instance = fresh.status() + " " + fresh.header("x-app").orElse("?");
            for (int i = 0; i < 10; i++) {
              soft.assertThat(
                      send(
                          catalog,
                          HttpRequestSpec.get("http://catalog/").withHeader("cookie", cookie)))
                  .as("cookie %s", cookie)
                  .isEqualTo(instance);
            }
            soft.assertAll();
          }
        });
  }

  private static String send(CatalogTopology catalog, HttpRequestSpec spec) {
    HttpOutcome outcome = catalog.client().http().send(spec).join();
    return outcome.status() + " " + outcome.header("x-app").orElse("?");
  }

  private static void check(
      SoftAssertions soft,
      String what,
      java.util.function.Function<String, HttpRequestSpec> request,
      CatalogTopology catalog) {
    Map<String, String> first = new HashMap<>();
    for (int round = 0; round < 3; round++) {
      for (int k = 0; k < 40; k++) {
        String key = "user-" + k;
        String instance = send(catalog, request.apply(key));
        soft.assertThat(instance).as("%s %s", what, key).startsWith("200 catalog-v");
        soft.assertThat(first.computeIfAbsent(key, x -> instance))
            .as("%s %s round %d", what, key, round)
            .isEqualTo(instance);
      }
    }
    soft.assertThat(new HashSet<>(first.values())).as("%s: 40 keys spread", what).hasSize(2);
  }
}
