package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpRequestSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Traffic a client workload sends: one request shape (varied per request by {@code variation}),
 * over {@code protocol}, either as a closed loop (at most {@code concurrency} requests in flight,
 * the next sent when one is answered) or, when {@code rate} is above zero, as an open loop ({@code
 * rate} requests per second on {@code concurrency} connections, whatever the answers do, latency
 * measured from each request's intended start: no coordinated omission; the same {@link
 * dev.meshproof.scenario.load.LoadGenerator} the benchmark uses). It stops after {@code requests}
 * requests (0: no count bound) or after {@code duration} (zero: no time bound), whichever comes
 * first. When {@code pace} is above zero, request {@code i} of a closed loop is sent no earlier
 * than {@code i * pace} after the start (a timeline, for time-driven behaviour such as ejection
 * windows). With concurrency 1 and a closed loop the order of every random draw in the mesh is
 * fixed, so the run replays exactly from its seed.
 */
public record TrafficSpec(
    String name,
    String from,
    HttpRequestSpec request,
    int requests,
    int concurrency,
    Duration pace,
    TrafficProtocol protocol,
    double rate,
    Duration duration,
    RequestVariation variation) {

  public TrafficSpec {
    if (requests < 0 || (requests == 0 && duration.isZero())) {
      throw new IllegalArgumentException(
          "requests: " + requests + " (expected: >= 1, or 0 with a duration)");
    }
  }

  /** A closed loop over HTTP/1.1 by count, every request the same. */
  public TrafficSpec(
      String name,
      String from,
      HttpRequestSpec request,
      int requests,
      int concurrency,
      Duration pace) {
    this(
        name,
        from,
        request,
        requests,
        concurrency,
        pace,
        TrafficProtocol.HTTP1,
        0,
        Duration.ZERO,
        RequestVariation.NONE);
  }

  /** The same traffic under another name. */
  public TrafficSpec named(String newName) {
    return new TrafficSpec(
        newName, from, request, requests, concurrency, pace, protocol, rate, duration, variation);
  }

  /** True for an open loop (a fixed arrival rate). */
  public boolean openLoop() {
    return rate > 0;
  }

  /**
   * The request with sequence number {@code index}: the traffic's request with its variation
   * applied ({@link RequestVariation}).
   */
  public HttpRequestSpec requestFor(int index) {
    if (variation.isNone() && !RequestVariation.hasSeq(request)) {
      return request;
    }
    return new HttpRequestSpec(
        request.method(),
        java.net.URI.create(variation.url(request.url().toString(), index)),
        variation.headers(request.headers(), index),
        variation.body(request.body(), index),
        request.timeout(),
        request.tls());
  }

  /**
   * The requests this traffic will send when that is known up front (a count, or an open loop's
   * {@code rate * duration}); empty for a closed loop bounded by time only.
   */
  public java.util.OptionalLong plannedRequests() {
    long byCount = requests == 0 ? Long.MAX_VALUE : requests;
    long byTime =
        openLoop() && !duration.isZero()
            ? (long) Math.ceil(rate * duration.toNanos() / 1e9)
            : Long.MAX_VALUE;
    long planned = Math.min(byCount, byTime);
    return planned == Long.MAX_VALUE
        ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(planned);
  }

  /** How the traffic is sent, for progress lines, e.g. {@code open loop 50/s for 10s, HTTP2}. */
  public String plan() {
    StringBuilder text = new StringBuilder(openLoop() ? "open loop " : "closed loop ");
    if (openLoop()) {
      text.append(String.format(java.util.Locale.ROOT, "%s/s", trim(rate)));
    } else {
      text.append("x").append(concurrency);
    }
    if (requests > 0) {
      text.append(", ").append(requests).append(" requests");
    }
    if (!duration.isZero()) {
      text.append(", for ")
          .append(
              duration.getNano() == 0 ? duration.getSeconds() + "s" : duration.toMillis() + "ms");
    }
    return text.append(", ").append(protocol).toString();
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  /** The highest open-loop rate a traffic block may ask for, per second. */
  public static final double MAX_RATE = 100_000;

  /**
   * The protocols a traffic block can speak: plain HTTP (HTTP1, the default) or gRPC calls over
   * HTTP/2 ({@link GrpcCalls}).
   */
  public static final java.util.List<String> PROTOCOLS =
      java.util.List.of("HTTP1", "HTTP2", "GRPC");

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
    private Integer requests;
    private TrafficProtocol protocol = TrafficProtocol.HTTP1;
    private double rate;
    private Duration duration = Duration.ZERO;
    private final java.util.List<RequestVariation.Variant> variants = new java.util.ArrayList<>();
    private int concurrency = 1;
    private Duration timeout = HttpRequestSpec.DEFAULT_TIMEOUT;
    private Duration pace = Duration.ZERO;
    private boolean grpc;
    private java.util.Optional<dev.meshproof.runtime.client.ClientTls> tls =
        java.util.Optional.empty();

    /**
     * The https client's TLS (an {@code https://} URL to an ingress gateway): the SNI, the CA it
     * trusts and its optional client certificate.
     */
    public Builder tls(dev.meshproof.runtime.client.ClientTls tls) {
      this.tls = java.util.Optional.of(tls);
      return this;
    }

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

    /**
     * One of {@link #PROTOCOLS}: HTTP1 or HTTP2 as {@link #protocol(TrafficProtocol)}, GRPC as
     * {@link #grpc(String)} with the URL given elsewhere.
     */
    public Builder protocol(String protocol) {
      if (!PROTOCOLS.contains(protocol)) {
        throw new IllegalArgumentException(
            "protocol: " + protocol + " (expected one of " + PROTOCOLS + ")");
      }
      this.grpc = protocol.equals("GRPC");
      if (grpc) {
        this.method = "POST";
      } else {
        this.protocol = TrafficProtocol.valueOf(protocol);
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

    /**
     * An open loop: {@code perSecond} requests per second whatever the answers do (request {@code
     * i} intended at {@code i / perSecond}, latency measured from there). Without {@link #duration}
     * it sends {@link #requests} requests (default 100).
     */
    public Builder rate(double perSecond) {
      if (!(perSecond > 0 && perSecond <= MAX_RATE)) {
        throw new IllegalArgumentException(
            "rate: " + perSecond + " (expected: 0 < rate <= " + (int) MAX_RATE + ")");
      }
      this.rate = perSecond;
      return this;
    }

    /**
     * Sends for this long (no new request after it); with {@link #requests} too, it stops at
     * whichever comes first, else only time bounds it.
     */
    public Builder duration(Duration duration) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
      }
      this.duration = duration;
      return this;
    }

    /** The protocol the app speaks to its sidecar; default {@link TrafficProtocol#HTTP1}. */
    public Builder protocol(TrafficProtocol protocol) {
      this.protocol = Objects.requireNonNull(protocol, "protocol");
      return this;
    }

    /**
     * Request {@code i} takes {@code variants[i % n]}'s URL, headers and body over the traffic's
     * own (see {@link RequestVariation}).
     */
    public Builder variants(RequestVariation.Variant... variants) {
      this.variants.addAll(java.util.List.of(variants));
      return this;
    }

    /** Request {@code i} goes to {@code urls[i % n]}, e.g. a list of paths to spread over. */
    public Builder urls(String... urls) {
      for (String u : urls) {
        variants.add(RequestVariation.Variant.url(u));
      }
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
      if (rate > 0 && !pace.isZero()) {
        throw new IllegalArgumentException(
            "every: cannot be combined with rate (expected: rate for an open loop, or every for"
                + " a paced closed loop)");
      }
      if (protocol != TrafficProtocol.HTTP1 && !pace.isZero()) {
        throw new IllegalArgumentException(
            "every: paces HTTP1 traffic only (expected: rate for paced " + protocol + " traffic)");
      }
      int count = requests != null ? requests : duration.isZero() ? 100 : 0;
      Optional<String> template =
          url.contains(RequestVariation.SEQ) ? Optional.of(url) : Optional.empty();
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
          new HttpRequestSpec(
              method, uri("url", RequestVariation.substitute(url, 0)), sent, payload, timeout, tls);
      for (RequestVariation.Variant variant : variants) {
        variant.url().ifPresent(u -> uri("variants.url", RequestVariation.substitute(u, 0)));
      }
      return new TrafficSpec(
          name == null ? defaultName : name,
          from,
          request,
          count,
          concurrency,
          pace,
          protocol,
          rate,
          duration,
          new RequestVariation(template, variants));
    }

    private static java.net.URI uri(String field, String text) {
      try {
        java.net.URI uri = new java.net.URI(text);
        if (!("http".equals(uri.getScheme())
                || "https".equals(uri.getScheme())
                || "tcp".equals(uri.getScheme()))
            || uri.getHost() == null) {
          throw new IllegalArgumentException(
              field
                  + ": "
                  + text
                  + " (expected: http://<service>[:port]/path, https://<host>[:port]/path to an"
                  + " ingress gateway, or tcp://<service>:port)");
        }
        return uri;
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(
            field
                + ": "
                + text
                + " is not a URL: "
                + e.getReason()
                + " (expected: http://<service>[:port]/path, "
                + RequestVariation.SEQ
                + " for the sequence number)");
      }
    }
  }
}
