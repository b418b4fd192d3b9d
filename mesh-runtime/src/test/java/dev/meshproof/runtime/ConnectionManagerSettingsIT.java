package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * istiod's connection manager settings, user-visible, give the same answers on both data planes:
 * {@code normalize_path} (dot segments, backslashes and escaped unreserved characters resolved
 * before the route match, the normalized path forwarded; escaped slashes and double slashes kept),
 * {@code upgrade_configs: websocket} (a websocket upgrade goes upstream; any other upgrade is 403),
 * {@code server_header_transformation: OVERWRITE} and {@code proxy_100_continue}. The expected
 * answers are Envoy 1.40's, measured; the embedded sidecar must give the same.
 */
class ConnectionManagerSettingsIT {
  private static final String HOST = "Host: catalog\r\n";

  /** Requests under {@code /b} go to v2, all others to v1. */
  private static final String PREFIX_B_TO_V2 =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - match:
          - uri: {prefix: /b}
          route:
          - destination: {host: catalog, subset: v2}
        - route:
          - destination: {host: catalog, subset: v1}
      """;

  /**
   * One raw request and Envoy's answer: status, the start of the body (the app answers {@code
   * <instance> <path it received>}), whether the connection stays open.
   */
  record Case(String name, String request, int status, String body, boolean keepsConnection) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (String[] path :
        new String[][] {
          {"/a/../b", "catalog-v2 /b"},
          {"/x/%2e%2e/b/c", "catalog-v2 /b/c"},
          {"/b/./c/", "catalog-v2 /b/c/"},
          {"/a\\..\\b", "catalog-v2 /b"},
          {"/%62/c", "catalog-v2 /b/c"},
          {"/b/%7euser", "catalog-v2 /b/~user"},
          {"/b/c/../../d", "catalog-v1 /d"},
          {"/a//b", "catalog-v1 /a//b"},
          {"/a%2Fb", "catalog-v1 /a%2Fb"},
          {"/b/%2F/c", "catalog-v2 /b/%2F/c"},
          {"/b?x=/../y", "catalog-v2 /b?x=/../y"},
          {"/../b", "catalog-v2 /b"},
        }) {
      cases.add(
          new Case(
              "path " + path[0],
              "GET " + path[0] + " HTTP/1.1\r\n" + HOST + "\r\n",
              200,
              path[1],
              true));
    }
    cases.add(new Case("path with %00", "GET /b/%00 HTTP/1.1\r\n" + HOST + "\r\n", 400, "", false));
    cases.add(
        new Case(
            "websocket upgrade declined by the app",
            "GET /b/ws HTTP/1.1\r\n"
                + HOST
                + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            200,
            "",
            false));
    cases.add(
        new Case(
            "upgrade to another protocol",
            "GET /b HTTP/1.1\r\n" + HOST + "Connection: Upgrade\r\nUpgrade: foo\r\n\r\n",
            403,
            "",
            false));
    cases.add(
        new Case(
            "Upgrade header without Connection: upgrade",
            "GET /b HTTP/1.1\r\n" + HOST + "Upgrade: websocket\r\n\r\n",
            200,
            "catalog-v2 /b",
            true));
    cases.add(
        new Case(
            "Expect: 100-continue",
            "POST /b/e HTTP/1.1\r\n"
                + HOST
                + "Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
            200,
            "catalog-v2 /b/e",
            true));
    return cases;
  }

  @TestFactory
  Stream<DynamicNode> istiodsConnectionManagerSettingsGiveEnvoysAnswersOnEveryTarget() {
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

  private static DynamicContainer target(String name, Supplier<Mesh> meshes) {
    return DynamicContainer.dynamicContainer(
        name,
        Stream.of(
            DynamicTest.dynamicTest(
                "every case",
                () -> {
                  try (Mesh mesh = meshes.get();
                      CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
                    mesh.apply(
                        CatalogTopology.DESTINATION_RULE + "---\n" + PREFIX_B_TO_V2,
                        "catalog.yaml");
                    mesh.awaitSynced();
                    InetSocketAddress outbound = mesh.httpAddress(catalog.client(), 80);
                    List<String> mismatches = new ArrayList<>();
                    for (Case c : cases()) {
                      Answer answer = send(outbound, c.request(), c.keepsConnection());
                      System.out.println("HCM " + name + " " + c.name() + " -> " + answer);
                      boolean bodyMatches =
                          c.body().isEmpty()
                              ? answer.body().isEmpty()
                              : answer.body().equals(c.body());
                      if (answer.status() != c.status()
                          || !bodyMatches
                          || answer.connectionOpen() != c.keepsConnection()
                          || !"envoy".equals(answer.headers().get("server"))) {
                        mismatches.add(
                            c.name()
                                + ": expected "
                                + c.status()
                                + " '"
                                + c.body()
                                + "'"
                                + (c.keepsConnection() ? " keep-alive" : " and close")
                                + " with server: envoy, got "
                                + answer);
                      }
                    }
                    assertThat(mismatches).isEmpty();
                  }
                })));
  }

  record Answer(int status, Map<String, String> headers, String body, boolean connectionOpen) {}

  /** Sends raw bytes, reads the final response (skipping a 100 Continue), then checks for close. */
  static Answer send(InetSocketAddress address, String request, boolean expectOpen)
      throws IOException {
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      int status;
      Map<String, String> headers;
      do {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
          head.write(b);
          if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            break;
          }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ");
        status = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : 0;
        headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
          int colon = lines[i].indexOf(':');
          if (colon > 0) {
            headers.put(
                lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                lines[i].substring(colon + 1).strip());
          }
        }
      } while (status == 100);
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      String body = new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
      boolean open;
      try {
        // Envoy closes after a local error once its delayed-close timeout (1 s) has passed; a
        // connection that should stay open is given less time to show it does not.
        socket.setSoTimeout(expectOpen ? 300 : 3_000);
        open = in.read() != -1;
      } catch (SocketTimeoutException e) {
        open = true;
      } catch (IOException e) {
        open = false;
      }
      return new Answer(status, headers, body, open);
    }
  }
}
