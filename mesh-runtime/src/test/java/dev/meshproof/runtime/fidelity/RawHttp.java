package dev.meshproof.runtime.fidelity;

import dev.meshproof.runtime.fidelity.FuzzModel.Req;
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
      return parse(readAll(socket.getInputStream()));
    } catch (IOException e) {
      return Response.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    in.transferTo(bytes);
    return bytes.toByteArray();
  }

  private static Response parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return Response.failed("incomplete response: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
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
    String body = text.substring(end + 4);
    String length = headers.get("content-length");
    if (length != null && Integer.parseInt(length) <= body.length()) {
      body = body.substring(0, Integer.parseInt(length));
    }
    return new Response(Integer.parseInt(statusLine[1]), Map.copyOf(headers), body, "");
  }
}
