package dev.meshproof.runtime;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio in Action, chapter 5, "Routing to services outside your cluster" (seed
 * 001_8a682ece6306e0d5, section 5.5): with the mesh's {@code outboundTrafficPolicy} REGISTRY_ONLY,
 * the forum's call to {@code jsonplaceholder.typicode.com} is blocked (502 from {@code block_all});
 * the book's {@code forum-serviceentry.yaml} (resolution DNS, MESH_EXTERNAL, port 80 http) lets it
 * through. One change so that nothing leaves loopback: the entry lists one endpoint, {@code
 * localhost} at the stand-in forum API's port, which the book's entry (no endpoints: the host
 * itself is resolved) does not need. On both data planes from one translation.
 */
class EgressWalkthroughIT {

  static Stream<Supplier<DataPlane>> dataPlanes() {
    return Stream.of(DataPlane::embedded, EgressWalkthroughIT::envoy);
  }

  private static DataPlane envoy() {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElseThrow());
    return EnvoyDataPlane.create();
  }

  private static final String FORUM_SERVICE_ENTRY =
      """
      apiVersion: networking.istio.io/v1alpha3
      kind: ServiceEntry
      metadata:
        name: jsonplaceholder
      spec:
        hosts:
        - jsonplaceholder.typicode.com
        ports:
        - number: 80
          name: http
          protocol: HTTP
        resolution: DNS
        location: MESH_EXTERNAL
        endpoints:
        - address: localhost
          ports: {http: %d}
      """;

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void registryOnlyBlocksTheForumUntilItsServiceEntryIsApplied(Supplier<DataPlane> dataPlane) {
    try (TestApp jsonplaceholder = new TestApp("jsonplaceholder");
        Mesh mesh =
            Mesh.builder()
                .seed(8)
                .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY)
                .dataPlane(dataPlane.get())
                .start()) {
      Workload forum = mesh.deploy(WorkloadSpec.builder("forum-0").label("app", "forum").build());
      mesh.awaitSynced();
      SoftAssertions soft = new SoftAssertions();
      HttpOutcome blocked = forum.http().get("http://jsonplaceholder.typicode.com/users").join();
      soft.assertThat(blocked.status()).as("REGISTRY_ONLY, before the entry").isEqualTo(502);
      soft.assertThat(blocked.header("x-seen-host")).isEmpty();

      mesh.apply(
          FORUM_SERVICE_ENTRY.formatted(jsonplaceholder.address().getPort()),
          "forum-serviceentry.yaml");
      mesh.awaitSynced();
      HttpOutcome allowed = forum.http().get("http://jsonplaceholder.typicode.com/users").join();
      soft.assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
      soft.assertThat(allowed.body()).isEqualTo("jsonplaceholder /users");
      soft.assertThat(allowed.header("x-seen-host")).contains("jsonplaceholder.typicode.com");
      HttpOutcome other = forum.http().get("http://api.github.com/users").join();
      soft.assertThat(other.status()).as("another external host stays blocked").isEqualTo(502);
      soft.assertAll();
    }
  }
}
