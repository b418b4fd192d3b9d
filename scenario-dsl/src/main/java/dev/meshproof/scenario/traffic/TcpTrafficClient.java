package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A client app speaking Istio's tcp-echo protocol: each {@code tcp://service:port} request is one
 * TCP connection to the client sidecar's outbound TCP listener for that service port, which sends
 * the request body as one line and reads one line back, {@code <prefix> <line>}, the prefix naming
 * the instance that answered.
 *
 * <p>Each connection becomes an {@link HttpOutcome} so the scenario machinery (splits, success
 * rates, failed-request tables) judges connections as it judges requests: an intact echo is a
 * {@code RESPONSE} with status 200 (no HTTP is on the wire; 200 stands for "echoed") and the
 * headers {@code x-echo-service}, {@code x-echo-version}, {@code x-echo-instance} of the instance
 * the prefix names, plus {@code x-tcp-bytes-sent} and {@code x-tcp-bytes-received}; a connection
 * refused is a {@code CONNECT_FAILURE}; a reset, or a close before the echo line came back (what a
 * proxy does when it cannot reach an upstream), is a {@code RESET} whose error says how many bytes
 * came back; no line within the request's timeout is a {@code TIMEOUT}. An instance of a Service
 * with several ports answers {@code <instance>:<port>} ({@link #portPrefix}): the echo then also
 * carries {@code x-echo-port}, the Service port whose app answered.
 */
public final class TcpTrafficClient implements TrafficClient {
  /** What a connection sends when the traffic has no body. */
  public static final String DEFAULT_LINE = "hello";

  /** The prefix of an instance's echo on one port of a Service with several. */
  public static String portPrefix(String instance, int port) {
    return instance + ":" + port;
  }

  private final BiFunction<String, Integer, InetSocketAddress> listener;
  private final Function<String, Optional<Map.Entry<String, String>>> serviceAndVersion;
  private final Executor executor;

  /**
   * @param listener where the client's sidecar listens for a service host and port
   * @param serviceAndVersion the service and version of an instance, by the name it answers with
   * @param executor where the blocking connections run
   */
  public TcpTrafficClient(
      BiFunction<String, Integer, InetSocketAddress> listener,
      Function<String, Optional<Map.Entry<String, String>>> serviceAndVersion,
      Executor executor) {
    this.listener = listener;
    this.serviceAndVersion = serviceAndVersion;
    this.executor = executor;
  }

  @Override
  public CompletableFuture<HttpOutcome> send(HttpRequestSpec request) {
    InetSocketAddress address;
    try {
      address = listener.apply(request.url().getHost(), request.url().getPort());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(
          new HttpOutcome(
              HttpOutcome.Kind.CONNECT_FAILURE, 0, Map.of(), "", Duration.ZERO, e.getMessage()));
    }
    return CompletableFuture.supplyAsync(() -> exchange(address, request), executor);
  }

  private HttpOutcome exchange(InetSocketAddress address, HttpRequestSpec request) {
    String line = new String(request.body(), StandardCharsets.UTF_8);
    if (line.isEmpty()) {
      line = DEFAULT_LINE;
    }
    byte[] sent = (line.endsWith("\n") ? line : line + "\n").getBytes(StandardCharsets.UTF_8);
    String expectedTail = " " + new String(sent, StandardCharsets.UTF_8);
    long start = System.nanoTime();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (Socket socket = new Socket()) {
      int timeout = (int) Math.min(Integer.MAX_VALUE, request.timeout().toMillis());
      try {
        socket.connect(address, timeout);
      } catch (ConnectException e) {
        return failure(HttpOutcome.Kind.CONNECT_FAILURE, start, "connect " + address + ": " + e);
      }
      socket.setSoTimeout(timeout);
      OutputStream out = socket.getOutputStream();
      out.write(sent);
      out.flush();
      InputStream in = socket.getInputStream();
      int b;
      while ((b = in.read()) != -1) {
        received.write(b);
        if (b == '\n') {
          break;
        }
      }
      String reply = received.toString(StandardCharsets.UTF_8);
      if (b == -1 || !reply.endsWith(expectedTail)) {
        return failure(
            HttpOutcome.Kind.RESET,
            start,
            b == -1
                ? "connection closed after "
                    + received.size()
                    + " of the echo's bytes (sent "
                    + sent.length
                    + ")"
                : "echo does not end with what was sent: " + reply.strip());
      }
      String instance = reply.substring(0, reply.length() - expectedTail.length());
      // Instance names are DNS labels: a colon can only be portPrefix's.
      int colon = instance.lastIndexOf(':');
      Optional<String> port =
          colon < 0 ? Optional.empty() : Optional.of(instance.substring(colon + 1));
      if (colon >= 0) {
        instance = instance.substring(0, colon);
      }
      Map.Entry<String, String> service =
          serviceAndVersion.apply(instance).orElse(Map.entry("", ""));
      Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
      headers.put("x-echo-instance", List.of(instance));
      headers.put("x-echo-service", List.of(service.getKey()));
      headers.put("x-echo-version", List.of(service.getValue()));
      port.ifPresent(p -> headers.put("x-echo-port", List.of(p)));
      headers.put("x-tcp-bytes-sent", List.of(Integer.toString(sent.length)));
      headers.put("x-tcp-bytes-received", List.of(Integer.toString(received.size())));
      return new HttpOutcome(
          HttpOutcome.Kind.RESPONSE,
          200,
          Map.copyOf(headers),
          reply,
          Duration.ofNanos(System.nanoTime() - start),
          "");
    } catch (SocketTimeoutException e) {
      return failure(
          HttpOutcome.Kind.TIMEOUT,
          start,
          "no echo within " + request.timeout() + " (" + received.size() + " bytes received)");
    } catch (SocketException e) {
      return failure(
          HttpOutcome.Kind.RESET, start, e.getMessage() + " after " + received.size() + " bytes");
    } catch (IOException e) {
      return failure(HttpOutcome.Kind.RESET, start, String.valueOf(e));
    }
  }

  private static HttpOutcome failure(HttpOutcome.Kind kind, long start, String error) {
    return new HttpOutcome(
        kind, 0, Map.of(), "", Duration.ofNanos(System.nanoTime() - start), error);
  }
}
