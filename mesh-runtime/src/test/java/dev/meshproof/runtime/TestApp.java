package dev.meshproof.runtime;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A minimal app for mesh-runtime's own tests (which must not depend on fake-services): answers
 * {@code <name> <path>} and echoes the Host header ({@code x-seen-host}), method and body size it
 * saw, and each {@code x-} request header ({@code x-seen-h-<name>}).
 */
final class TestApp implements AutoCloseable {
  private final HttpServer server;
  private final java.util.concurrent.atomic.AtomicInteger requests =
      new java.util.concurrent.atomic.AtomicInteger();

  TestApp(String name) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          String xfcc = exchange.getRequestHeaders().getFirst("x-forwarded-client-cert");
          if (xfcc != null) {
            exchange.getResponseHeaders().add("x-seen-xfcc", xfcc);
          }
          byte[] body = (name + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("x-app", name);
          exchange
              .getResponseHeaders()
              .add("x-seen-host", exchange.getRequestHeaders().getFirst("Host"));
          // Every x- request header as it arrived, repeated values joined with ",".
          exchange
              .getRequestHeaders()
              .forEach(
                  (header, values) -> {
                    String lower = header.toLowerCase(java.util.Locale.ROOT);
                    if (lower.startsWith("x-")) {
                      exchange
                          .getResponseHeaders()
                          .add("x-seen-h-" + lower, String.join(",", values));
                    }
                  });
          exchange.getResponseHeaders().add("x-seen-method", exchange.getRequestMethod());
          exchange
              .getResponseHeaders()
              .add(
                  "x-seen-body-size",
                  String.valueOf(exchange.getRequestBody().readAllBytes().length));
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  /** How many requests reached the app. */
  int requests() {
    return requests.get();
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
