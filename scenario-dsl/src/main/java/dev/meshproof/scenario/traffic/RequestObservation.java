package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ProxyEvidence;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one request of a scenario did, end to end: how it ended, its status, which workload served
 * it (service, version, instance, as the echo service names itself in its response), whether a
 * proxy refused it for a circuit breaker ({@code x-envoy-overloaded: true}), when it was sent, as
 * an offset from the start of its traffic (the time axis of ejection windows), and, joined by its
 * {@code x-request-id}, what the client's sidecar logged for it ({@link ProxyEvidence}: route,
 * upstream cluster and host, response flags) and every upstream attempt the services journaled for
 * it, the same fields on every target; mirror copies of it (journal entries Envoy marked as shadow
 * requests) are kept apart in {@code mirrors}.
 */
public record RequestObservation(
    int index,
    String requestId,
    String traffic,
    String from,
    String url,
    HttpOutcome.Kind kind,
    int status,
    Optional<String> service,
    Optional<String> version,
    Optional<String> instance,
    Duration latency,
    String error,
    String bodyExcerpt,
    boolean overloaded,
    Duration sentAt,
    Optional<ProxyEvidence> proxy,
    List<UpstreamAttemptObservation> attempts,
    Map<String, List<String>> responseHeaders,
    List<UpstreamAttemptObservation> mirrors,
    Optional<StreamTiming> stream) {

  /** How much of a failed response's body is kept: enough for a proxy's local-reply reason. */
  static final int EXCERPT = 200;

  public RequestObservation {
    attempts = List.copyOf(attempts);
    responseHeaders = Map.copyOf(responseHeaders);
    mirrors = List.copyOf(mirrors);
  }

  /** A builder; index, request id, traffic, client, URL and outcome kind are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this observation's values, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.index = index;
    b.requestId = requestId;
    b.traffic = traffic;
    b.from = from;
    b.url = url;
    b.kind = kind;
    b.status = status;
    b.service = service;
    b.version = version;
    b.instance = instance;
    b.latency = latency;
    b.error = error;
    b.bodyExcerpt = bodyExcerpt;
    b.overloaded = overloaded;
    b.sentAt = sentAt;
    b.proxy = proxy;
    b.attempts = attempts;
    b.responseHeaders = responseHeaders;
    b.mirrors = mirrors;
    b.stream = stream;
    return b;
  }

  /** This observation with the timing of the server stream it received. */
  public RequestObservation withStream(StreamTiming timing) {
    return toBuilder().stream(timing).build();
  }

  /**
   * The first value of a response header (lower-case name): the proxy's ({@code location}, a
   * route's header changes) or the echo's account of what it received ({@code x-echo-path}, {@code
   * x-echo-authority}, {@code x-echo-request-<name>}).
   */
  public Optional<String> responseHeader(String name) {
    List<String> values = responseHeaders.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** True for a 2xx response; everything else is a failure to explain. */
  public boolean succeeded() {
    // A gRPC call fails with HTTP 200 and a non-OK grpc-status.
    return kind == HttpOutcome.Kind.RESPONSE
        && status >= 200
        && status < 300
        && grpcStatus().orElse(0) == 0;
  }

  /**
   * The gRPC status the call ended with ({@code grpc-status} of its trailers, or of its headers for
   * a trailers-only answer such as a proxy's local reply); empty for a plain HTTP response.
   */
  public java.util.OptionalInt grpcStatus() {
    List<String> values = responseHeaders.get("grpc-status");
    if (values == null || values.isEmpty()) {
      return java.util.OptionalInt.empty();
    }
    try {
      return java.util.OptionalInt.of(Integer.parseInt(values.get(0).strip()));
    } catch (NumberFormatException e) {
      // A malformed grpc-status is what gRPC clients read as UNKNOWN.
      return java.util.OptionalInt.of(2);
    }
  }

  /** When the response arrived, on the same axis as {@link #sentAt()}. */
  public Duration receivedAt() {
    return sentAt.plus(latency);
  }

  /** This observation with its journaled upstream attempts and mirror copies. */
  public RequestObservation withAttempts(
      List<UpstreamAttemptObservation> joined, List<UpstreamAttemptObservation> mirrored) {
    return toBuilder().attempts(joined).mirrors(mirrored).build();
  }

  /** This observation with its journaled upstream attempts. */
  public RequestObservation withAttempts(List<UpstreamAttemptObservation> joined) {
    return withAttempts(joined, mirrors);
  }

  /** This observation with the client sidecar's access-log evidence joined in. */
  public RequestObservation withProxy(ProxyEvidence evidence) {
    return toBuilder().proxy(evidence).build();
  }

  /**
   * This observation served by {@code instance} of {@code version} of {@code service}: for an app
   * that does not name itself (the user's own server), from the upstream host its client's sidecar
   * logged.
   */
  public RequestObservation withServedBy(String service, String version, String instance) {
    return toBuilder().service(service).version(version).instance(instance).build();
  }

  static RequestObservation of(
      int index, String requestId, TrafficSpec traffic, HttpOutcome outcome, Duration sentAt) {
    return of(index, requestId, traffic, traffic.request(), outcome, sentAt);
  }

  /** Request {@code index} of {@code traffic} as actually sent ({@code sent}: its variation). */
  static RequestObservation of(
      int index,
      String requestId,
      TrafficSpec traffic,
      dev.meshproof.runtime.client.HttpRequestSpec sent,
      HttpOutcome outcome,
      Duration sentAt) {
    RequestObservation.Builder b =
        builder()
            .index(index)
            .requestId(requestId)
            .traffic(traffic.name())
            .from(traffic.from())
            .url(sent.url().toString())
            .kind(outcome.kind())
            .status(outcome.status())
            .latency(outcome.latency())
            .error(outcome.error())
            .bodyExcerpt(
                outcome.isResponse() && outcome.status() >= 200 && outcome.status() < 300
                    ? ""
                    : outcome.body().substring(0, Math.min(EXCERPT, outcome.body().length())))
            .overloaded(
                outcome.isResponse()
                    && outcome.header("x-envoy-overloaded").orElse("").equals("true"))
            .sentAt(sentAt)
            .responseHeaders(outcome.headers());
    outcome.header("x-echo-service").ifPresent(b::service);
    outcome.header("x-echo-version").ifPresent(b::version);
    outcome.header("x-echo-instance").ifPresent(b::instance);
    if (GrpcCalls.isGrpc(sent) && outcome.isResponse()) {
      GrpcCalls.streamTiming(outcome.rawBody().duplicate(), outcome.firstBodyUnixNanos())
          .ifPresent(b::stream);
    }
    return b.build();
  }

  /** Builds a {@link RequestObservation}; what is not set is empty, zero or false. */
  public static final class Builder {
    private int index = -1;
    private String requestId;
    private String traffic;
    private String from;
    private String url;
    private HttpOutcome.Kind kind;
    private int status;
    private Optional<String> service = Optional.empty();
    private Optional<String> version = Optional.empty();
    private Optional<String> instance = Optional.empty();
    private Duration latency = Duration.ZERO;
    private String error = "";
    private String bodyExcerpt = "";
    private boolean overloaded;
    private Duration sentAt = Duration.ZERO;
    private Optional<ProxyEvidence> proxy = Optional.empty();
    private List<UpstreamAttemptObservation> attempts = List.of();
    private Map<String, List<String>> responseHeaders = Map.of();
    private List<UpstreamAttemptObservation> mirrors = List.of();
    private Optional<StreamTiming> stream = Optional.empty();

    private Builder() {}

    /** The request's position in its traffic, from 0. */
    public Builder index(int index) {
      this.index = index;
      return this;
    }

    /** The {@code x-request-id} the request carried. */
    public Builder requestId(String requestId) {
      this.requestId = Objects.requireNonNull(requestId, "requestId");
      return this;
    }

    /** The name of the traffic block that sent it. */
    public Builder traffic(String traffic) {
      this.traffic = Objects.requireNonNull(traffic, "traffic");
      return this;
    }

    /** The client workload that sent it. */
    public Builder from(String from) {
      this.from = Objects.requireNonNull(from, "from");
      return this;
    }

    /** The URL as sent. */
    public Builder url(String url) {
      this.url = Objects.requireNonNull(url, "url");
      return this;
    }

    /** How the request ended. */
    public Builder kind(HttpOutcome.Kind kind) {
      this.kind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /** The response status (0 when there was none). */
    public Builder status(int status) {
      this.status = status;
      return this;
    }

    /** The service that answered, as the echo names itself. */
    public Builder service(String service) {
      this.service = Optional.of(service);
      return this;
    }

    /** The version that answered. */
    public Builder version(String version) {
      this.version = Optional.of(version);
      return this;
    }

    /** The instance that answered. */
    public Builder instance(String instance) {
      this.instance = Optional.of(instance);
      return this;
    }

    /** Time from sending to the end of the response. */
    public Builder latency(Duration latency) {
      this.latency = Objects.requireNonNull(latency, "latency");
      return this;
    }

    /** The client's error for an outcome without a response. */
    public Builder error(String error) {
      this.error = Objects.requireNonNull(error, "error");
      return this;
    }

    /** The start of a failed response's body. */
    public Builder bodyExcerpt(String bodyExcerpt) {
      this.bodyExcerpt = Objects.requireNonNull(bodyExcerpt, "bodyExcerpt");
      return this;
    }

    /** Whether a proxy refused it for a circuit breaker ({@code x-envoy-overloaded: true}). */
    public Builder overloaded(boolean overloaded) {
      this.overloaded = overloaded;
      return this;
    }

    /** When it was sent, from the start of its traffic. */
    public Builder sentAt(Duration sentAt) {
      this.sentAt = Objects.requireNonNull(sentAt, "sentAt");
      return this;
    }

    /** What the client's sidecar logged for it. */
    public Builder proxy(ProxyEvidence proxy) {
      this.proxy = Optional.of(proxy);
      return this;
    }

    /** The upstream attempts the services journaled for it. */
    public Builder attempts(List<UpstreamAttemptObservation> attempts) {
      this.attempts = attempts;
      return this;
    }

    /** The response's headers, lower-case names. */
    public Builder responseHeaders(Map<String, List<String>> responseHeaders) {
      this.responseHeaders = responseHeaders;
      return this;
    }

    /** The mirror copies the services journaled for it. */
    public Builder mirrors(List<UpstreamAttemptObservation> mirrors) {
      this.mirrors = mirrors;
      return this;
    }

    /** The timing of the server stream it received. */
    public Builder stream(StreamTiming stream) {
      this.stream = Optional.of(stream);
      return this;
    }

    /**
     * The observation.
     *
     * @throws IllegalStateException when a required value is missing
     */
    public RequestObservation build() {
      if (index < 0
          || requestId == null
          || traffic == null
          || from == null
          || url == null
          || kind == null) {
        throw new IllegalStateException(
            "index, requestId, traffic, from, url and kind are required");
      }
      return new RequestObservation(
          index,
          requestId,
          traffic,
          from,
          url,
          kind,
          status,
          service,
          version,
          instance,
          latency,
          error,
          bodyExcerpt,
          overloaded,
          sentAt,
          proxy,
          attempts,
          responseHeaders,
          mirrors,
          stream);
    }
  }
}
