package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.envoy.EnvoyBinary;
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
          EnvoyBinary.locate().isPresent(), () -> EnvoyBinary.unavailableReason().orElseThrow());
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
