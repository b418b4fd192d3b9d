package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Malformed and hostile HTTP/1.1 requests get the answer Envoy gives them, on both data planes: the
 * same status, and the connection closed after an error so that nothing queued behind a request
 * with an ambiguous length is ever read as a new request (request smuggling). Envoy's defaults
 * apply: 60 KiB of headers, 100 headers, HTTP/1.0 refused with 426.
 */
class Http1StrictnessIT {
  private static final String HOST = "Host: catalog\r\n";

  /** One raw request, the status Envoy answers it with, and whether the connection stays open. */
  record Case(String name, String request, int status, boolean keepsConnection) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("valid request", "GET / HTTP/1.1\r\n" + HOST + "\r\n", 200, true));
    cases.add(
        new Case(
            "two different Content-Length values",
            "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
            400,
            false));
    cases.add(
        new Case(
            "negative Content-Length",
            "POST / HTTP/1.1\r\n" + HOST + "Content-Length: -1\r\n\r\n",
            400,
            false));
    cases.add(
        new Case(
            "Content-Length with Transfer-Encoding",
            "POST / HTTP/1.1\r\n"
                + HOST
                + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            400,
            false));
    cases.add(
        new Case(
            "headers over 60 KiB",
            "GET / HTTP/1.1\r\n" + HOST + "x-big: " + "a".repeat(70 * 1024) + "\r\n\r\n",
            431,
            false));
    StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\n" + HOST);
    for (int i = 0; i < 10_000; i++) {
      many.append("x-h").append(i).append(": v\r\n");
    }
    cases.add(new Case("10,000 headers", many.append("\r\n").toString(), 431, false));
    StringBuilder justOver = new StringBuilder("GET / HTTP/1.1\r\n" + HOST);
    for (int i = 0; i < 100; i++) {
      justOver.append("x-h").append(i).append(": v\r\n");
    }
    cases.add(new Case("101 headers", justOver.append("\r\n").toString(), 431, false));
    cases.add(
        new Case(
            "the same Content-Length twice",
            "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
            400,
            false));
    cases.add(
        new Case(
            "request line over 60 KiB",
            "GET /" + "a".repeat(70_000) + " HTTP/1.1\r\n" + HOST + "\r\n",
            431,
            false));
    cases.add(
        new Case(
            "Transfer-Encoding other than chunked",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            501,
            false));
    cases.add(
        new Case(
            "Transfer-Encoding identity",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: identity\r\n\r\n",
            501,
            false));
    cases.add(new Case("no Host header", "GET / HTTP/1.1\r\n\r\n", 400, false));
    cases.add(
        new Case(
            "space in a header name", "GET / HTTP/1.1\r\n" + HOST + "x y: 1\r\n\r\n", 400, false));
    cases.add(new Case("lower-case method", "get / HTTP/1.1\r\n" + HOST + "\r\n", 400, false));
    // What Envoy accepts must pass too: bare LF line endings and obsolete line folding.
    cases.add(new Case("bare LF line endings", "GET / HTTP/1.1\nHost: catalog\n\n", 200, true));
    cases.add(
        new Case(
            "obsolete line folding",
            "GET / HTTP/1.1\r\n" + HOST + "x-folded: 1\r\n  2\r\n\r\n",
            200,
            true));
    cases.add(new Case("garbage request line", "GARBAGE\r\n\r\n", 400, false));
    cases.add(new Case("HTTP/0.9 request", "GET /\r\n\r\n", 426, false));
    cases.add(new Case("HTTP/9.9 request", "GET / HTTP/9.9\r\n" + HOST + "\r\n", 426, false));
    cases.add(new Case("HTTP/1.0 request", "GET / HTTP/1.0\r\n" + HOST + "\r\n", 426, false));
    cases.add(
        new Case(
            "header line without a colon",
            "GET / HTTP/1.1\r\n" + HOST + "no-colon-here\r\n\r\n",
            400,
            false));
    cases.add(
        new Case(
            "NUL byte in a header value",
            "GET / HTTP/1.1\r\n" + HOST + "x-nul: a\u0000b\r\n\r\n",
            400,
            false));
    return cases;
  }

  @TestFactory
  Stream<DynamicNode> malformedRequestsGetEnvoysAnswerOnEveryTarget() {
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
                        CatalogTopology.DESTINATION_RULE + "---\n" + CatalogTopology.allTo("v1"),
                        "catalog.yaml");
                    mesh.awaitSynced();
                    InetSocketAddress outbound = mesh.httpAddress(catalog.client(), 80);
                    List<String> mismatches = new ArrayList<>();
                    for (Case c : cases()) {
                      Answer answer = send(outbound, c.request());
                      System.out.println("HTTP1 " + name + " " + c.name() + " -> " + answer);
                      if (answer.status() != c.status()
                          || answer.connectionOpen() != c.keepsConnection()) {
                        mismatches.add(
                            c.name()
                                + ": expected "
                                + c.status()
                                + (c.keepsConnection() ? " keep-alive" : " and close")
                                + ", got "
                                + answer);
                      }
                    }
                    assertThat(mismatches).isEmpty();
                  }
                })));
  }

  record Answer(int status, boolean connectionOpen, String statusLine) {
    @Override
    public String toString() {
      return (status == 0 ? "no answer" : statusLine)
          + (connectionOpen ? " (connection open)" : " (connection closed)");
    }
  }

  /** Sends raw bytes and reads one response head; then checks whether the server closed. */
  static Answer send(InetSocketAddress address, String request) throws IOException {
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException e) {
        // The proxy may answer and close before it read everything we wrote.
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      long contentLength = 0;
      try {
        int b;
        while ((b = in.read()) != -1) {
          head.write(b);
          String text = head.toString(StandardCharsets.ISO_8859_1);
          if (text.endsWith("\r\n\r\n")) {
            for (String line : text.split("\r\n")) {
              if (line.toLowerCase().startsWith("content-length:")) {
                contentLength = Long.parseLong(line.substring(15).trim());
              }
            }
            break;
          }
        }
        in.readNBytes((int) contentLength);
      } catch (IOException e) {
        // A reset after a partial answer: judged by what arrived.
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      String statusLine = text.isEmpty() ? "" : text.split("\r\n", 2)[0];
      int status = 0;
      String[] parts = statusLine.split(" ");
      if (parts.length >= 2 && parts[0].startsWith("HTTP/")) {
        status = Integer.parseInt(parts[1]);
      }
      boolean open;
      try {
        // Envoy closes after an error once its delayed-close timeout (1 s by default) has passed.
        socket.setSoTimeout(3_000);
        open = in.read() != -1;
      } catch (SocketTimeoutException e) {
        open = true;
      } catch (IOException e) {
        open = false;
      }
      return new Answer(status, open, statusLine);
    }
  }
}
