package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The same VirtualServices route the same way on both data planes, as istiod translates them:
 * header matches (exact, prefix, regex {@code .*}, presence {@code {}}) under {@code headers} and
 * {@code withoutHeaders} against a header that is equal, different or absent; the oldest of two
 * VirtualServices for one host wins; a wildcard host binds a service unless an exact host does; and
 * the domains istiod generates (trailing-dot FQDN, any port in Host) reach the service.
 */
class RoutingFidelityIT {

  /**
   * One header-match rule: {@code x-h} matched by {@code match} under headers or withoutHeaders.
   */
  record Rule(String name, String match, boolean without) {}

  /** What the x-h header carries: the expected value {@code a}, another value, or nothing. */
  enum Sent {
    EQUAL,
    DIFFERENT,
    ABSENT
  }

  static final List<Rule> RULES =
      List.of(
          new Rule("exact", "{exact: a}", false),
          new Rule("prefix", "{prefix: a}", false),
          new Rule("regex", "{regex: '.*'}", false),
          new Rule("present", "{}", false),
          new Rule("not-exact", "{exact: a}", true),
          new Rule("not-prefix", "{prefix: a}", true),
          new Rule("not-regex", "{regex: '.*'}", true),
          new Rule("not-present", "{}", true));

  /**
   * Envoy's verdicts for istiod's translation (header_utility.cc): withoutHeaders on a value match
   * adds treat_missing_header_as_empty, so an absent header is "" (which {@code .*} matches).
   */
  static final Map<String, List<Boolean>> EXPECTED =
      Map.of(
          "exact", List.of(true, false, false),
          "prefix", List.of(true, false, false),
          "regex", List.of(true, true, false),
          "present", List.of(true, true, false),
          "not-exact", List.of(false, true, true),
          "not-prefix", List.of(false, true, true),
          "not-regex", List.of(false, false, false),
          "not-present", List.of(false, false, true));

  static String headerTable() {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: catalog}
            spec:
              hosts: [catalog]
              http:
            """);
    for (Rule rule : RULES) {
      yaml.append("  - match:\n")
          .append("    - uri: {prefix: /")
          .append(rule.name())
          .append("/}\n")
          .append(rule.without() ? "      withoutHeaders:\n" : "      headers:\n")
          .append("        x-h: ")
          .append(rule.match())
          .append("\n    route:\n    - destination: {host: catalog, subset: v2}\n");
    }
    yaml.append("  - route:\n    - destination: {host: catalog, subset: v1}\n");
    return yaml.toString();
  }

  static String allTo(String name, String host, String subset, String created) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s%s}
        spec:
          hosts: ['%s']
          http:
          - route:
            - destination: {host: catalog, subset: %s}
        """
        .formatted(
            name, created.isEmpty() ? "" : ", creationTimestamp: '" + created + "'", host, subset);
  }

  @TestFactory
  Stream<DynamicNode> sameVirtualServicesRouteAlikeOnBothDataPlanes() {
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
            Workload client = catalog.client();
            List<String> mismatches = new ArrayList<>();
            mesh.apply(CatalogTopology.DESTINATION_RULE + "---\n" + headerTable(), "headers.yaml");
            mesh.awaitSynced();
            for (Rule rule : RULES) {
              for (Sent sent : Sent.values()) {
                HttpRequestSpec request =
                    HttpRequestSpec.get("http://catalog/" + rule.name() + "/");
                if (sent != Sent.ABSENT) {
                  request = request.withHeader("x-h", sent == Sent.EQUAL ? "a" : "b");
                }
                String expected = EXPECTED.get(rule.name()).get(sent.ordinal()) ? "v2" : "v1";
                check(client, request, expected, rule.name() + " with x-h " + sent, mismatches);
              }
            }

            // Two VirtualServices for catalog: the oldest wins (applied first, or by timestamp).
            mesh.apply(allTo("catalog", "elsewhere", "v1", ""), "park.yaml");
            mesh.apply(allTo("zz-older", "catalog", "v1", ""), "older.yaml");
            mesh.apply(allTo("aa-newer", "catalog", "v2", ""), "newer.yaml");
            mesh.awaitSynced();
            check(client, HttpRequestSpec.get("http://catalog/"), "v1", "apply order", mismatches);
            mesh.apply(
                allTo("zz-older", "catalog", "v1", "2026-01-02T00:00:00Z")
                    + "---\n"
                    + allTo("aa-newer", "catalog", "v2", "2026-01-01T00:00:00Z"),
                "timestamps.yaml");
            mesh.awaitSynced();
            check(client, HttpRequestSpec.get("http://catalog/"), "v2", "timestamps", mismatches);

            // A wildcard host binds catalog; an exact host, even a newer one, beats it.
            mesh.apply(
                allTo("zz-older", "elsewhere", "v1", "2026-01-02T00:00:00Z")
                    + "---\n"
                    + allTo("aa-newer", "elsewhere", "v2", "2026-01-01T00:00:00Z")
                    + "---\n"
                    + allTo("wild", "*.default.svc.cluster.local", "v2", ""),
                "wildcard.yaml");
            mesh.awaitSynced();
            check(client, HttpRequestSpec.get("http://catalog/"), "v2", "wildcard", mismatches);
            mesh.apply(allTo("exact", "catalog", "v1", ""), "exact.yaml");
            mesh.awaitSynced();
            check(client, HttpRequestSpec.get("http://catalog/"), "v1", "exact", mismatches);

            // istiod's domains: trailing-dot FQDN, name.ns.svc.
            for (String url :
                List.of(
                    "http://catalog.default.svc.cluster.local./", "http://catalog.default.svc/")) {
              check(client, HttpRequestSpec.get(url), "v1", url, mismatches);
            }
            // Any port in Host (istiod sets ignore_port_in_host_matching): the connection goes
            // to the service's port 80, the listener 0.0.0.0_80, whatever port the Host names.
            for (String host : List.of("catalog.default:8080", "catalog:9999")) {
              check(
                  client,
                  HttpRequestSpec.get("http://catalog/").withHeader("host", host),
                  "v1",
                  "Host " + host,
                  mismatches);
            }
            assertThat(mismatches).as(name).isEmpty();
          }
        });
  }

  private static void check(
      Workload client,
      HttpRequestSpec request,
      String expectedVersion,
      String what,
      List<String> mismatches) {
    for (int i = 0; i < 5; i++) {
      HttpOutcome outcome = client.http().send(request).join();
      String body = outcome.isResponse() ? outcome.body() : outcome.toString();
      if (outcome.status() != 200 || !body.startsWith("catalog-" + expectedVersion + " ")) {
        mismatches.add(
            what + ": expected " + expectedVersion + ", got " + outcome.status() + " " + body);
        return;
      }
    }
  }
}
