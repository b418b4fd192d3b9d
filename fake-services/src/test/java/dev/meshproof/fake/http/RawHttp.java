package dev.meshproof.fake.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal HTTP/1.1 client for what java.net.http refuses to send (a custom Host header). */
final class RawHttp {
  private RawHttp() {}

  /** Sends one request with {@code Connection: close} and returns the whole raw response. */
  static String get(InetSocketAddress to, String path, String host, String... extraHeaders)
      throws IOException {
    try (Socket s = new Socket()) {
      s.connect(to, 5_000);
      s.setSoTimeout(10_000);
      StringBuilder req = new StringBuilder();
      req.append("GET ").append(path).append(" HTTP/1.1\r\n");
      req.append("Host: ").append(host).append("\r\n");
      for (String h : extraHeaders) {
        req.append(h).append("\r\n");
      }
      req.append("Connection: close\r\n\r\n");
      s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
