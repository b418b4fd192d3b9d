package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpRequestSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Traffic a client workload sends: one request shape, repeated {@code requests} times with at most
 * {@code concurrency} in flight, and, when {@code pace} is above zero, request {@code i} sent no
 * earlier than {@code i * pace} after the start (a timeline, for time-driven behaviour such as
 * ejection windows). With concurrency 1 the order of every random draw in the mesh is fixed, so the
 * run replays exactly from its seed.
 */
public record TrafficSpec(
    String name,
    String from,
    HttpRequestSpec request,
    int requests,
    int concurrency,
    Duration pace) {

  /**
   * The protocols a traffic block can speak: plain HTTP (HTTP1, the default) or gRPC calls over
   * HTTP/2 ({@link GrpcCalls}).
   */
  public static final java.util.List<String> PROTOCOLS = java.util.List.of("HTTP1", "GRPC");

  /** The HTTP methods a traffic block can send. */
  public static final java.util.List<String> METHODS =
      java.util.List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

  /** Configures a {@link TrafficSpec}. */
  public static final class Builder {
    private String name;
    private String from;
    private String method = "GET";
    private String url;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private byte[] body = new byte[0];
    private int requests = 100;
    private int concurrency = 1;
    private Duration timeout = HttpRequestSpec.DEFAULT_TIMEOUT;
    private Duration pace = Duration.ZERO;
    private boolean grpc;

    /** Names this traffic so expectations can judge it alone; default {@code traffic-<n>}. */
    public Builder named(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    public Builder from(String client) {
      this.from = Objects.requireNonNull(client, "from");
      return this;
    }

    /** A GET of {@code url} as the app writes it, e.g. {@code http://catalog/items}. */
    public Builder get(String url) {
      return request("GET", url);
    }

    /**
     * A request with {@code method} (one of {@link #METHODS}) to {@code url} as the app writes it.
     */
    public Builder request(String method, String url) {
      if (!METHODS.contains(method)) {
        throw new IllegalArgumentException(
            "method: " + method + " (expected one of " + METHODS + ")");
      }
      this.method = method;
      this.url = url;
      return this;
    }

    /**
     * Sends gRPC calls instead of plain HTTP: {@code url} names the method ({@code
     * http://catalog/meshproof.echo.v1.EchoService/Echo}), the body is the EchoRequest as JSON.
     */
    public Builder grpc(String url) {
      this.grpc = true;
      this.method = "POST";
      this.url = url;
      return this;
    }

    /** One of {@link #PROTOCOLS}; GRPC as {@link #grpc(String)} with the URL given elsewhere. */
    public Builder protocol(String protocol) {
      if (!PROTOCOLS.contains(protocol)) {
        throw new IllegalArgumentException(
            "protocol: " + protocol + " (expected one of " + PROTOCOLS + ")");
      }
      this.grpc = protocol.equals("GRPC");
      if (grpc) {
        this.method = "POST";
      }
      return this;
    }

    /** The request body, sent as UTF-8 with its Content-Length; default none. */
    public Builder body(String body) {
      this.body = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      return this;
    }

    public Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    public Builder requests(int requests) {
      if (requests < 1) {
        throw new IllegalArgumentException("requests: " + requests + " (expected: >= 1)");
      }
      this.requests = requests;
      return this;
    }

    public Builder concurrency(int concurrency) {
      if (concurrency < 1 || concurrency > 1024) {
        throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: 1-1024)");
      }
      this.concurrency = concurrency;
      return this;
    }

    /** Sends request {@code i} no earlier than {@code i * pace} after the first. */
    public Builder every(Duration pace) {
      if (pace.isNegative()) {
        throw new IllegalArgumentException("every: " + pace + " (expected: >= 0)");
      }
      this.pace = pace;
      return this;
    }

    /** Client-side timeout per request; past it the request counts as a timeout, never lost. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public TrafficSpec build(String defaultName) {
      if (from == null) {
        throw new IllegalArgumentException(
            "from: missing (expected: the name of a client workload)");
      }
      if (url == null) {
        throw new IllegalArgumentException(
            "url: missing (expected: e.g. get(\"http://catalog/\"))");
      }
      Map<String, String> sent = headers;
      byte[] payload = body;
      if (grpc) {
        if (!method.equals("POST")) {
          throw new IllegalArgumentException(
              "method: " + method + " (expected for GRPC: POST, or none)");
        }
        GrpcCalls.checkMethodPath(java.net.URI.create(url).getRawPath());
        sent = new LinkedHashMap<>(headers);
        sent.put("content-type", "application/grpc");
        sent.put("te", "trailers");
        payload =
            GrpcCalls.echoRequestFrame(new String(body, java.nio.charset.StandardCharsets.UTF_8));
      }
      HttpRequestSpec request =
          new HttpRequestSpec(method, java.net.URI.create(url), sent, payload, timeout);
      return new TrafficSpec(
          name == null ? defaultName : name, from, request, requests, concurrency, pace);
    }
  }
}
