package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP/2 path on real sockets, on our sidecar and on Envoy: downstream connections that carry
 * thousands of streams, hundreds at a time (Envoy's connection manager allows 2^31-1 concurrent
 * streams); upstream HTTP/2 connections that multiplex streams, respect the app's
 * SETTINGS_MAX_CONCURRENT_STREAMS and move on after a GOAWAY; and gRPC deadlines ({@code
 * grpc-timeout}) honoured under istiod's {@code max_grpc_timeout}.
 */
class Http2PathIT {
  private static final String GRPC = "application/grpc";

  /** Our sidecar. */
  @Nested
  class Embedded extends Http2PathContract {
    @Override
    Mesh.Builder mesh() {
      return Mesh.builder().seed(11);
    }
  }

  /** Envoy 1.40, the reference. */
  @Nested
  class Envoy extends Http2PathContract {
    @Override
    Mesh.Builder mesh() {
      assumeTrue(
          EnvoyDataPlane.unavailableReason().isEmpty(),
          () -> EnvoyDataPlane.unavailableReason().orElseThrow());
      return Mesh.builder().seed(11).dataPlane(EnvoyDataPlane.create());
    }
  }

  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  abstract static class Http2PathContract {
    private Mesh mesh;
    private TestApp catalog;
    private H2cTestServer h2app;
    private H2cTestServer narrow;
    private H2cTestServer goingAway;
    private Workload client;

    abstract Mesh.Builder mesh();

    @BeforeAll
    void startMesh() {
      mesh = mesh().start();
      catalog = new TestApp("catalog");
      h2app = new H2cTestServer(0, 0);
      narrow = new H2cTestServer(10, 0);
      goingAway = new H2cTestServer(0, 10);
      mesh.deploy(
          WorkloadSpec.builder("catalog-0").serves("catalog", 80, catalog.address()).build());
      // Ports named http2 / grpc: HTTP/2 from the client sidecar to the server sidecar and on to
      // the app, as istiod's explicit http2_protocol_options say.
      mesh.deploy(
          WorkloadSpec.builder("h2app-0")
              .serves("h2app", 80, h2app.address())
              .portName("grpc")
              .build());
      mesh.deploy(
          WorkloadSpec.builder("narrow-0")
              .serves("narrow", 80, narrow.address())
              .portName("http2")
              .build());
      mesh.deploy(
          WorkloadSpec.builder("going-away-0")
              .serves("going-away", 80, goingAway.address())
              .portName("http2")
              .build());
      client = mesh.deploy(WorkloadSpec.builder("client-0").label("app", "client").build());
      mesh.awaitSynced();
    }

    @AfterAll
    void stopMesh() {
      if (mesh != null) {
        mesh.close();
      }
      for (AutoCloseable app : new AutoCloseable[] {catalog, h2app, narrow, goingAway}) {
        if (app != null) {
          try {
            app.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }

    private H2cTestClient h2() {
      return new H2cTestClient(mesh.httpAddress(client, 80));
    }

    @Test
    void oneDownstreamConnectionCarriesMoreThanAThousandStreams() {
      try (H2cTestClient h2 = h2()) {
        List<H2cTestClient.Answer> answers = h2.getMany("catalog", "/stream/", 1_500, 50);

        assertThat(answers).hasSize(1_500).allSatisfy(a -> assertThat(a.failure()).isNull());
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
        assertThat(answers.get(1_499).body()).isEqualTo("catalog /stream/1499");
        assertThat(h2.isOpen()).isTrue();
        assertThat(h2.goAwayReceived()).isFalse();
      }
    }

    @Test
    void oneDownstreamConnectionCarriesHundredsOfConcurrentStreams() {
      try (H2cTestClient h2 = h2()) {
        // To the HTTP/2 app, so the upstream side multiplexes too: 300 HTTP/1.1 connections
        // opened at once to a JDK HttpServer would test its accept backlog, not this.
        List<H2cTestClient.Answer> answers = h2.getMany("h2app", "/concurrent/", 600, 300);

        assertThat(answers).allSatisfy(a -> assertThat(a.failure()).isNull());
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
        assertThat(h2.isOpen()).isTrue();
      }
    }

    @Test
    void aClientThatCancelsHundredsOfStreamsKeepsItsConnection() {
      try (H2cTestClient h2 = h2()) {
        // Calls given up on (a deadline, a load generator's timeout): 240 RST_STREAMs, more than
        // Netty's default guard allows (200 in 30 s) and fewer than Envoy's premature-reset check
        // (ConnectionManagerImpl::maybeDrainDueToPrematureResets) closes a connection for: 250,
        // half of its 500-stream window, reset within 1 s of opening.
        List<CompletableFuture<Void>> cancels = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
          cancels.add(h2.getAndCancel("catalog", "/cancelled/" + i, Map.of()));
        }
        cancels.forEach(CompletableFuture::join);
        H2cTestClient.Answer after = h2.get("catalog", "/after-cancels").join();

        assertThat(after.failure()).isNull();
        assertThat(after.status()).isEqualTo(200);
        assertThat(h2.isOpen()).isTrue();
        assertThat(h2.goAwayReceived()).isFalse();
      }
    }

    @Test
    void upstreamStreamsShareOneConnectionToTheApp() {
      int before = h2app.connections();
      try (H2cTestClient h2 = h2()) {
        // 200 calls in flight at once, each held 500 ms by the app: one connection carries them.
        List<CompletableFuture<H2cTestClient.Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          calls.add(
              h2.send(
                  "POST",
                  "h2app",
                  "/echo.Echo/Call" + i,
                  Map.of("content-type", GRPC, "te", "trailers", "x-delay-ms", "500"),
                  new byte[] {0, 0, 0, 0, 0}));
        }
        List<H2cTestClient.Answer> answers = calls.stream().map(CompletableFuture::join).toList();

        assertThat(answers).allSatisfy(a -> assertThat(a.failure()).isNull());
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
        // Trailers are forwarded to an HTTP/2 client: the gRPC status arrives.
        assertThat(answers)
            .allSatisfy(a -> assertThat(a.trailers().get("grpc-status")).hasToString("0"));
        assertThat(h2app.connections() - before).isEqualTo(1);
        assertThat(h2app.maxInFlightOnOneConnection()).isGreaterThanOrEqualTo(50);
      }
    }

    @Test
    void upstreamRespectsTheAppsMaxConcurrentStreams() {
      try (H2cTestClient h2 = h2()) {
        // One call first, so the app's SETTINGS (10 streams) are known on the open connection.
        // (A connection's first burst goes out before them on either data plane, and this app,
        // Netty's server, resets a connection whose streams exceed its limit.)
        assertThat(h2.get("narrow", "/narrow/first").join().status()).isEqualTo(200);
        int before = narrow.connections();
        List<CompletableFuture<H2cTestClient.Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          calls.add(
              h2.send("GET", "narrow", "/narrow/" + i, Map.of("x-delay-ms", "1500"), new byte[0]));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> narrow.inFlight() == 10);
        // The connection is full: the 11th call opens another instead of exceeding the limit.
        calls.add(h2.send("GET", "narrow", "/narrow/10", Map.of(), new byte[0]));
        List<H2cTestClient.Answer> answers = calls.stream().map(CompletableFuture::join).toList();

        assertThat(answers).allSatisfy(a -> assertThat(a.failure()).isNull());
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
        assertThat(narrow.maxInFlightOnOneConnection()).isEqualTo(10);
        assertThat(narrow.connections() - before).isEqualTo(1);
      }
    }

    @Test
    void aGoAwayFromTheAppMovesLaterStreamsToANewConnection() {
      try (H2cTestClient h2 = h2()) {
        // One at a time: the app sends GOAWAY after every 10th answer on a connection.
        List<H2cTestClient.Answer> answers = h2.getMany("going-away", "/away/", 35, 1);

        assertThat(answers).allSatisfy(a -> assertThat(a.failure()).isNull());
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
        assertThat(goingAway.connections()).isGreaterThanOrEqualTo(4);
      }
    }

    @Test
    void aGrpcTimeoutHeaderEndsTheCallAtItsDeadlineUnderIstiodsMaxGrpcTimeout() {
      try (H2cTestClient h2 = h2()) {
        long start = System.nanoTime();
        // No VirtualService timeout: istiod's max_grpc_timeout 0s lets the header decide.
        H2cTestClient.Answer late =
            h2.send(
                    "POST",
                    "h2app",
                    "/echo.Echo/Slow",
                    Map.of(
                        "content-type",
                        GRPC,
                        "te",
                        "trailers",
                        "grpc-timeout",
                        "300m",
                        "x-delay-ms",
                        "5000"),
                    new byte[] {0, 0, 0, 0, 0})
                .join();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        H2cTestClient.Answer inTime =
            h2.send(
                    "POST",
                    "h2app",
                    "/echo.Echo/Fast",
                    Map.of("content-type", GRPC, "te", "trailers", "grpc-timeout", "20S"),
                    new byte[] {0, 0, 0, 0, 0})
                .join();

        // Envoy's timeout local reply for a gRPC call: trailers-only, HTTP 200, 504 mapped to
        // UNAVAILABLE (14), "upstream request timeout".
        assertThat(late.status()).isEqualTo(200);
        assertThat(late.headers().get("grpc-status")).hasToString("14");
        assertThat(late.headers().get("grpc-message")).hasToString("upstream request timeout");
        assertThat(took).isLessThan(Duration.ofMillis(4_000));
        // The deadline goes upstream as the time left (Envoy rewrites grpc-timeout in ms).
        assertThat(inTime.trailers().get("grpc-status")).hasToString("0");
        assertThat(inTime.headers().get("x-seen-grpc-timeout").toString()).matches("\\d+m");
        assertThat(
                Long.parseLong(
                    inTime.headers().get("x-seen-grpc-timeout").toString().replace("m", "")))
            .isBetween(15_000L, 20_000L);
      }
    }
  }
}
