package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A cluster whose configuration a push leaves unchanged keeps its live state, as Envoy's cluster
 * manager ignores a CDS update of a cluster whose hash did not change: an endpoint outlier
 * detection ejected stays ejected through a push that changes another service's routes, and the
 * cluster starts afresh, nothing ejected, once its own configuration changes. On our sidecar and on
 * Envoy.
 */
class ClusterStateAcrossPushesIT {

  static Stream<Arguments> dataPlanes() {
    return Stream.of(
        Arguments.of("embedded", (Supplier<DataPlane>) DataPlane::embedded),
        Arguments.of("envoy", (Supplier<DataPlane>) ClusterStateAcrossPushesIT::envoy));
  }

  private static DataPlane envoy() {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElseThrow());
    return EnvoyDataPlane.create();
  }

  /** One 500 ejects a catalog endpoint for {@code baseEjectionTime}. */
  private static String catalogOutlierDetection(String baseEjectionTime) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: catalog}
        spec:
          host: catalog
          trafficPolicy:
            loadBalancer: {simple: ROUND_ROBIN}
            outlierDetection:
              consecutive5xxErrors: 1
              interval: 1s
              baseEjectionTime: %s
              maxEjectionPercent: 100
        """
        .formatted(baseEjectionTime);
  }

  private static final String REVIEWS_ABORT =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews]
        http:
        - fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
          route:
          - destination: {host: reviews}
      """;

  /** An app that answers every request with 500 and counts them. */
  private static final class FailingApp implements AutoCloseable {
    final AtomicInteger requests = new AtomicInteger();
    final HttpServer server;

    FailingApp() {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.createContext(
          "/",
          exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
          });
      server.start();
    }

    InetSocketAddress address() {
      return server.getAddress();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** The catalog endpoints the sidecar's admin {@code /clusters} marks as outlier-ejected. */
  private static long ejectedCatalogHosts(Workload client) throws Exception {
    InetSocketAddress admin = client.sidecar().adminAddress().orElseThrow();
    HttpResponse<String> clusters =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.getPort() + "/clusters"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return clusters
        .body()
        .lines()
        .filter(l -> l.startsWith("outbound|80||catalog.default.svc.cluster.local::"))
        .filter(l -> l.endsWith("::health_flags::/failed_outlier_check"))
        .count();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dataPlanes")
  void anEjectionSurvivesAnUnrelatedPushAndEndsWhenItsClusterChanges(
      String name, Supplier<DataPlane> dataPlane) throws Exception {
    try (TestApp catalog = new TestApp("catalog");
        FailingApp failing = new FailingApp();
        TestApp reviews = new TestApp("reviews");
        Mesh mesh = Mesh.builder().seed(7).dataPlane(dataPlane.get()).start()) {
      mesh.deploy(
          WorkloadSpec.builder("catalog-0").serves("catalog", 80, catalog.address()).build());
      mesh.deploy(
          WorkloadSpec.builder("catalog-1").serves("catalog", 80, failing.address()).build());
      mesh.deploy(
          WorkloadSpec.builder("reviews-0").serves("reviews", 80, reviews.address()).build());
      Workload client = mesh.deploy(WorkloadSpec.builder("client-0").build());
      mesh.apply(catalogOutlierDetection("10m"), "catalog-dr.yaml");
      mesh.awaitSynced();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                client.http().get("http://catalog/").join();
                assertThat(ejectedCatalogHosts(client)).isEqualTo(1);
              });
      int failedBefore = failing.requests.get();

      // Another service's routes change: a push with new routes, the catalog cluster unchanged.
      mesh.apply(REVIEWS_ABORT, "reviews-vs.yaml");
      mesh.awaitSynced();
      assertThat(client.http().get("http://reviews/").join().status()).isEqualTo(418);
      assertThat(ejectedCatalogHosts(client)).as("still ejected after the push").isEqualTo(1);
      for (int i = 0; i < 6; i++) {
        assertThat(client.http().get("http://catalog/").join().status()).isEqualTo(200);
      }
      assertThat(failing.requests.get())
          .as("requests to the ejected endpoint")
          .isEqualTo(failedBefore);

      // The catalog cluster itself changes (its outlier detection): rebuilt, nothing ejected.
      mesh.apply(catalogOutlierDetection("9m"), "catalog-dr.yaml");
      mesh.awaitSynced();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(ejectedCatalogHosts(client)).isZero());
    }
  }
}
