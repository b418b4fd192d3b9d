package dev.meshproof.runtime.fidelity;

import dev.meshproof.runtime.fidelity.FuzzModel.Req;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A blocking HTTP/1.1 client that writes the request bytes exactly as the fuzzer generated them
 * (the Host header included, which {@code MeshHttpClient} normalises) on a fresh connection with
 * {@code Connection: close}, and reads the response to the end of the stream.
 */
final class RawHttp {
  private RawHttp() {}

  /** A response, or the I/O failure that ended the exchange. */
  record Response(int status, Map<String, String> headers, String body, String error) {
    static Response failed(String error) {
      return new Response(0, Map.of(), "", error);
    }
  }

  static Response send(InetSocketAddress sidecar, Req request, Duration timeout) {
    StringBuilder head = new StringBuilder();
    head.append(request.method()).append(' ').append(request.path()).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(request.authority()).append("\r\n");
    request.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
    try (Socket socket = new Socket()) {
      socket.connect(sidecar, (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return readResponse(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      return Response.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * Reads one response: the head, then Content-Length bytes (or a chunked body up to its last
   * chunk, or to the end of the stream). It does not wait for the close: Envoy holds a connection
   * it is closing for its delayed_close_timeout (1 s) after a local reply.
   */
  private static Response readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int headEnd = -1;
    while (headEnd < 0) {
      int b = in.read();
      if (b < 0) {
        return Response.failed("connection closed before a complete response head: " + bytes);
      }
      bytes.write(b);
      byte[] sofar = bytes.toByteArray();
      int n = sofar.length;
      if (n >= 4
          && sofar[n - 4] == '\r'
          && sofar[n - 3] == '\n'
          && sofar[n - 2] == '\r'
          && sofar[n - 1] == '\n') {
        headEnd = n;
      }
    }
    String head = bytes.toString(StandardCharsets.ISO_8859_1);
    String[] lines = head.substring(0, head.length() - 4).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.putIfAbsent(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    String length = headers.get("content-length");
    byte[] body;
    if (length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream chunks = new ByteArrayOutputStream();
      while (!chunks.toString(StandardCharsets.ISO_8859_1).endsWith("0\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        chunks.write(b);
      }
      body = chunks.toByteArray();
    } else {
      body = in.readAllBytes();
    }
    return new Response(
        Integer.parseInt(statusLine[1]),
        Map.copyOf(headers),
        new String(body, StandardCharsets.ISO_8859_1),
        "");
  }
}
