package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Responses that stream, through two sidecars (the client's and the server's), on our sidecar and
 * on Envoy: a gRPC server-streaming answer and a chunked HTTP/1.1 answer of {@value #MESSAGES}
 * messages sent {@link #GAP} apart reach the client message by message, so the first message
 * arrives before the app sent the last one (an order of events on one clock, not a timing bound: a
 * proxy that collected the whole answer first could not deliver the first message before the last
 * was sent). A route timeout that fires once the head was forwarded resets the stream instead of
 * answering 504 (Envoy's {@code Filter::onUpstreamAbort} once the downstream response started).
 */
class StreamingResponseIT {
  static final int MESSAGES = 4;
  static final Duration GAP = Duration.ofMillis(300);

  /** Our sidecar. */
  @Nested
  class Embedded extends StreamingContract {
    @Override
    Mesh.Builder mesh() {
      return Mesh.builder().seed(23);
    }
  }

  /** Envoy 1.40, the reference. */
  @Nested
  class Envoy extends StreamingContract {
    @Override
    Mesh.Builder mesh() {
      assumeTrue(
          EnvoyDataPlane.unavailableReason().isEmpty(),
          () -> EnvoyDataPlane.unavailableReason().orElseThrow());
      return Mesh.builder().seed(23).dataPlane(EnvoyDataPlane.create());
    }
  }

  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  abstract static class StreamingContract {
    private Mesh mesh;
    private StreamingTestServer grpc;
    private StreamingTestServer chunked;
    private StreamingTestServer slowGrpc;
    private Workload client;

    abstract Mesh.Builder mesh();

    @BeforeAll
    void startMesh() {
      mesh = mesh().start();
      grpc = new StreamingTestServer(StreamingTestServer.Protocol.GRPC, MESSAGES, GAP);
      chunked = new StreamingTestServer(StreamingTestServer.Protocol.HTTP1_CHUNKED, MESSAGES, GAP);
      // Twenty messages 300 ms apart: far longer than the 2 s route timeout below.
      slowGrpc = new StreamingTestServer(StreamingTestServer.Protocol.GRPC, 20, GAP);
      mesh.deploy(
          WorkloadSpec.builder("ticker-0")
              .serves("ticker", 80, grpc.address())
              .portName("grpc")
              .build());
      mesh.deploy(
          WorkloadSpec.builder("chunky-0")
              .serves("chunky", 80, chunked.address())
              .portName("http")
              .build());
      mesh.deploy(
          WorkloadSpec.builder("slow-ticker-0")
              .serves("slow-ticker", 80, slowGrpc.address())
              .portName("grpc")
              .build());
      client = mesh.deploy(WorkloadSpec.builder("client-0").label("app", "client").build());
      mesh.apply(
          """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata:
            name: slow-ticker
          spec:
            hosts: [slow-ticker]
            http:
            - timeout: 2s
              route:
              - destination:
                  host: slow-ticker
          """,
          "slow-ticker-vs.yaml");
      mesh.awaitSynced();
    }

    @AfterAll
    void stopMesh() {
      if (mesh != null) {
        mesh.close();
      }
      for (AutoCloseable app : new AutoCloseable[] {grpc, chunked, slowGrpc}) {
        if (app != null) {
          try {
            app.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }

    @Test
    void aGrpcServerStreamArrivesMessageByMessage() {
      List<Long> arrived = new CopyOnWriteArrayList<>();
      try (H2cTestClient h2 = new H2cTestClient(mesh.httpAddress(client, 80))) {
        H2cTestClient.Answer answer =
            h2.send(
                    "POST",
                    "ticker",
                    "/meshproof.echo.v1.EchoService/EchoStream",
                    Map.of("content-type", "application/grpc", "te", "trailers"),
                    new byte[] {0, 0, 0, 0, 0},
                    data -> arrived.add(System.nanoTime()))
                .join();

        assertThat(answer.failure()).isNull();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.trailers().get("grpc-status")).hasToString("0");
        for (int i = 0; i < MESSAGES; i++) {
          assertThat(answer.body()).contains(StreamingTestServer.message(i));
        }
        List<Long> sent = grpc.sentNanos();
        assertThat(sent).hasSize(MESSAGES);
        assertThat(arrived).hasSizeGreaterThanOrEqualTo(2);
        // The first message reached the client before the app sent its last one.
        assertThat(arrived.get(0)).isLessThan(sent.get(MESSAGES - 1));
      }
    }

    @Test
    void aChunkedHttp1AnswerArrivesChunkByChunk() throws IOException {
      List<Long> arrived = new ArrayList<>();
      List<String> head = new ArrayList<>();
      InetSocketAddress sidecar = mesh.httpAddress(client, 80);
      try (Socket socket = new Socket(sidecar.getAddress(), sidecar.getPort())) {
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(
            "GET /stream HTTP/1.1\r\nHost: chunky\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
          head.add(line.toLowerCase(java.util.Locale.ROOT));
        }
        // The chunks: size line, data ("msg-<i>" and its own newline), CRLF; "0" ends the body.
        while ((line = in.readLine()) != null && !line.equals("0")) {
          if (line.startsWith("msg-")) {
            arrived.add(System.nanoTime());
          }
        }
      }

      assertThat(head.get(0)).startsWith("http/1.1 200");
      assertThat(head).contains("transfer-encoding: chunked");
      assertThat(arrived).hasSize(MESSAGES);
      List<Long> sent = chunked.sentNanos();
      assertThat(sent).hasSize(MESSAGES);
      assertThat(arrived.get(0)).isLessThan(sent.get(MESSAGES - 1));
    }

    @Test
    void aRouteTimeoutAfterTheHeadWasForwardedResetsTheStream() {
      List<Long> arrived = new CopyOnWriteArrayList<>();
      try (H2cTestClient h2 = new H2cTestClient(mesh.httpAddress(client, 80))) {
        H2cTestClient.Answer answer =
            h2.send(
                    "POST",
                    "slow-ticker",
                    "/meshproof.echo.v1.EchoService/EchoStream",
                    Map.of("content-type", "application/grpc", "te", "trailers"),
                    new byte[] {0, 0, 0, 0, 0},
                    data -> arrived.add(System.nanoTime()))
                .join();

        // The head (200) and the first messages went out; no local reply can follow them, so the
        // stream is reset: no trailers, no grpc-status.
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.failure()).isNotNull();
        assertThat(answer.trailers()).isNull();
        assertThat(arrived).isNotEmpty();
        assertThat(slowGrpc.sentNanos().size()).isLessThan(20);
      }
    }
  }
}
