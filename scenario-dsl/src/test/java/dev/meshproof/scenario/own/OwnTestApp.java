package dev.meshproof.scenario.own;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A user's own HTTP service, as small as it gets: answers every request with 200 and {@code hello
 * from <name>}, and never names its instance (unlike the echo). Run in-process by {@link
 * #start(int, String)}, or as its own process by {@link #main} (the port as the first argument).
 */
public final class OwnTestApp {
  private OwnTestApp() {}

  /** Starts the server on {@code 127.0.0.1:port} (0: an ephemeral port). */
  public static HttpServer start(int port, String name) throws java.io.IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = ("hello from " + name).getBytes(StandardCharsets.UTF_8);
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("content-type", "text/plain");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return server;
  }

  public static void main(String[] args) throws Exception {
    start(Integer.parseInt(args[0]), System.getenv().getOrDefault("MESHPROOF_INSTANCE", "app"));
  }
}
