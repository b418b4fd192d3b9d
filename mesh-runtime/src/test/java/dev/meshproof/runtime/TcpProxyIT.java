package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.registry.ServiceProtocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TCP services through the mesh on both data planes with the same translation: a connection to the
 * client's outbound TCP listener for {@code tcp-echo:9000} goes through the {@code tcp_proxy} to
 * the instance its {@code tcp} route picks, through that instance's inbound {@code tcp_proxy}, and
 * the bytes come back unchanged after the instance's prefix (Istio's tcp-echo server protocol).
 */
class TcpProxyIT {

  static Stream<String> dataPlanes() {
    return Stream.of("embedded", "envoy");
  }

  private static Mesh.Builder mesh(String name) {
    if (name.equals("envoy")) {
      Assumptions.assumeTrue(
          EnvoyDataPlane.unavailableReason().isEmpty(),
          () -> EnvoyDataPlane.unavailableReason().orElseThrow());
      return Mesh.builder().dataPlane(EnvoyDataPlane.create());
    }
    return Mesh.builder();
  }

  private static final String ALL_TO_V2 =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: tcp-echo}
      spec:
        host: tcp-echo
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: tcp-echo}
      spec:
        hosts: [tcp-echo]
        tcp:
        - match:
          - port: 9001
          route:
          - destination: {host: tcp-echo, subset: v1}
        - match:
          - port: 9000
          route:
          - destination: {host: tcp-echo, subset: v2, port: {number: 9000}}
            weight: 100
          - destination: {host: tcp-echo, subset: v1, port: {number: 9000}}
            weight: 0
      """;

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void tcpRouteSendsEveryConnectionToItsDestinationAndBytesComeBack(String dataPlane)
      throws Exception {
    try (PrefixEcho one = new PrefixEcho("one");
        PrefixEcho two = new PrefixEcho("two");
        Mesh mesh = mesh(dataPlane).start()) {
      mesh.deploy(tcpEcho("tcp-echo-v1-0", "v1", one));
      mesh.deploy(tcpEcho("tcp-echo-v2-0", "v2", two));
      Workload client = mesh.deploy(WorkloadSpec.builder("client-0").build());
      mesh.awaitSynced();
      InetSocketAddress address = mesh.tcpAddress(client, "tcp-echo", 9000);
      assertThat(exchange(address, "hello"))
          .as("no route: the service")
          .isIn("one hello", "two hello");

      mesh.apply(ALL_TO_V2, "tcp-echo.yaml");
      mesh.awaitSynced();
      List<String> answers = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        answers.add(exchange(address, "hello " + i));
      }
      assertThat(answers)
          .as("weight 100 to v2")
          .containsExactly(
              Stream.iterate(0, i -> i + 1)
                  .limit(10)
                  .map(i -> "two hello " + i)
                  .toArray(String[]::new));
    }
  }

  /**
   * Envoy's {@code tcp_proxy} passes a half-close through: the client shuts its output (FIN) after
   * its request, the proxies shut theirs towards the server, and the server's answer, written only
   * after it read to the end, still comes back before the connection closes. Bytes are counted as
   * Envoy counts them ({@code tcp.<stat_prefix>.downstream_cx_rx_bytes_total}) on both targets, and
   * in Istio's {@code istio_tcp_*} metrics on the embedded sidecar, and the connection is one line
   * of the {@code tcp_proxy}'s access log.
   */
  @ParameterizedTest
  @MethodSource("dataPlanes")
  void aHalfCloseTravelsThroughAndTheOtherDirectionKeepsFlowing(String dataPlane) throws Exception {
    try (CountToEnd server = new CountToEnd();
        Mesh mesh = mesh(dataPlane).start()) {
      mesh.deploy(
          WorkloadSpec.builder("tcp-echo-v1-0")
              .label("app", "tcp-echo")
              .label("version", "v1")
              .serves("tcp-echo", 9000, server.address())
              .protocol(ServiceProtocol.TCP)
              .build());
      Workload client = mesh.deploy(WorkloadSpec.builder("client-0").build());
      mesh.awaitSynced();
      InetSocketAddress address = mesh.tcpAddress(client, "tcp-echo", 9000);
      byte[] request = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
      String answer;
      try (Socket socket = new Socket()) {
        socket.connect(address, 5_000);
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        socket.shutdownOutput();
        answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      }
      assertThat(answer).isEqualTo("read 100000 bytes\n");

      String prefix = "tcp.outbound|9000||tcp-echo.default.svc.cluster.local.";
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(IstioMetricsIT.stat(client.sidecar(), prefix + "downstream_cx_total"))
                    .isEqualTo(1);
                assertThat(
                        IstioMetricsIT.stat(
                            client.sidecar(), prefix + "downstream_cx_rx_bytes_total"))
                    .isEqualTo(request.length);
                assertThat(
                        IstioMetricsIT.stat(
                            client.sidecar(), prefix + "downstream_cx_tx_bytes_total"))
                    .isEqualTo(answer.length());
              });
      // The tcp_proxy's access log: one line per connection, at close, on both data planes.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(client.sidecar().accessLogLines())
                      .filteredOn(
                          line ->
                              "outbound|9000||tcp-echo.default.svc.cluster.local"
                                  .equals(line.get("upstream_cluster")))
                      .singleElement()
                      .satisfies(
                          line -> {
                            assertThat(line)
                                .containsEntry("response_code", "0")
                                .containsEntry("response_flags", "-")
                                .containsEntry("method", "-")
                                .containsEntry("request_id", "-");
                            assertThat(line.get("upstream_host")).matches("127\\.0\\.0\\.1:\\d+");
                          }));
      if (dataPlane.equals("envoy")) {
        return;
      }
      java.util.Map<String, String> toV1 =
          java.util.Map.of("reporter", "source", "destination_version", "v1");
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                String metrics = IstioMetricsIT.prometheus(client.sidecar());
                assertThat(IstioMetricsIT.sum(metrics, "istio_tcp_connections_opened_total", toV1))
                    .isEqualTo(1);
                assertThat(IstioMetricsIT.sum(metrics, "istio_tcp_connections_closed_total", toV1))
                    .isEqualTo(1);
                assertThat(IstioMetricsIT.sum(metrics, "istio_tcp_received_bytes_total", toV1))
                    .isEqualTo(request.length);
                assertThat(IstioMetricsIT.sum(metrics, "istio_tcp_sent_bytes_total", toV1))
                    .isEqualTo(answer.length());
                assertThat(
                        IstioMetricsIT.series(metrics, "istio_tcp_connections_opened_total", toV1)
                            .get(0))
                    .containsEntry("destination_workload", "tcp-echo-v1")
                    .containsEntry("destination_service", "tcp-echo.default.svc.cluster.local")
                    .containsEntry("request_protocol", "tcp");
              });
    }
  }

  /** Reads to the end of the request (the client's FIN), then answers how much it read. */
  static final class CountToEnd implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    CountToEnd() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.submit(
          () -> {
            while (!server.isClosed()) {
              try {
                Socket socket = server.accept();
                threads.submit(() -> serve(socket));
              } catch (IOException closed) {
                return;
              }
            }
          });
    }

    private static void serve(Socket socket) {
      try (socket) {
        long read = socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        socket
            .getOutputStream()
            .write(("read " + read + " bytes\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
      } catch (IOException e) {
        // the peer went away: nothing to answer
      }
    }

    InetSocketAddress address() {
      return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
      server.close();
      threads.shutdownNow();
    }
  }

  private static WorkloadSpec tcpEcho(String name, String version, PrefixEcho app) {
    return WorkloadSpec.builder(name)
        .label("version", version)
        .serves("tcp-echo", 9000, app.address())
        .protocol(ServiceProtocol.TCP)
        .build();
  }

  /** Sends one line and reads one line back on a fresh connection. */
  static String exchange(InetSocketAddress address, String line) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(address, 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      return in.readLine();
    }
  }

  /** Istio's tcp-echo server: answers each line with its prefix, a space and the line. */
  static final class PrefixEcho implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    PrefixEcho(String prefix) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.submit(
          () -> {
            while (!server.isClosed()) {
              try {
                Socket socket = server.accept();
                threads.submit(() -> serve(socket, prefix));
              } catch (IOException closed) {
                return;
              }
            }
          });
    }

    private static void serve(Socket socket, String prefix) {
      try (socket) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = socket.getOutputStream();
        String line;
        while ((line = in.readLine()) != null) {
          out.write((prefix + " " + line + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (IOException e) {
        // the peer went away: nothing to answer
      }
    }

    InetSocketAddress address() {
      return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
      server.close();
      threads.shutdownNow();
    }
  }
}
