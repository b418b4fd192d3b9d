package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** An app's request reaches the service as written: its method, body and Host with its port. */
class RequestAsWrittenIT {

  @TestFactory
  Stream<DynamicTest> methodBodyAndHostWithItsPortReachTheServiceOnEveryTarget() {
    return Stream.of(
        DynamicTest.dynamicTest("embedded", () -> check(() -> Mesh.builder().start())),
        DynamicTest.dynamicTest(
            "envoy",
            () -> {
              Assumptions.assumeTrue(
                  EnvoyDataPlane.unavailableReason().isEmpty(),
                  () -> EnvoyDataPlane.unavailableReason().orElse(""));
              check(() -> Mesh.builder().dataPlane(EnvoyDataPlane.create()).start());
            }));
  }

  private static void check(Supplier<Mesh> meshes) throws Exception {
    try (Mesh mesh = meshes.get();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      mesh.apply(
          CatalogTopology.DESTINATION_RULE + "---\n" + CatalogTopology.allTo("v1"), "catalog.yaml");
      mesh.awaitSynced();
      HttpOutcome response =
          catalog
              .client()
              .http()
              .send(
                  new HttpRequestSpec(
                      "POST",
                      URI.create("http://catalog/orders"),
                      Map.of("Host", "catalog:80"),
                      "{\"order\": 1}".getBytes(StandardCharsets.UTF_8),
                      Duration.ofSeconds(10)))
              .join();

      assertThat(response.status()).as(response.body()).isEqualTo(200);
      assertThat(response.header("x-seen-method")).contains("POST");
      assertThat(response.header("x-seen-host")).contains("catalog:80");
      assertThat(response.header("x-seen-body-size")).contains("12");
    }
  }
}
