package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ProxyEvidence;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

  /** An observation without a server stream's timing. */
  public RequestObservation(
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
      List<UpstreamAttemptObservation> mirrors) {
    this(
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
        Optional.empty());
  }

  /** This observation with the timing of the server stream it received. */
  public RequestObservation withStream(StreamTiming timing) {
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
        Optional.of(timing));
  }

  /** An observation without mirror copies. */
  public RequestObservation(
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
      Map<String, List<String>> responseHeaders) {
    this(
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
        List.of());
  }

  /** An observation without response headers, with its mirror copies. */
  public RequestObservation(
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
      List<UpstreamAttemptObservation> mirrors) {
    this(
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
        Map.of(),
        mirrors);
  }

  /** An observation without response headers or mirror copies. */
  public RequestObservation(
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
      List<UpstreamAttemptObservation> attempts) {
    this(
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
        Map.of(),
        List.of());
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

  /** An observation without journaled attempts (tests of distribution expectations). */
  public RequestObservation(
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
      Optional<ProxyEvidence> proxy) {
    this(
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
        List.of(),
        Map.of());
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
        joined,
        responseHeaders,
        mirrored,
        stream);
  }

  /** This observation with its journaled upstream attempts. */
  public RequestObservation withAttempts(List<UpstreamAttemptObservation> joined) {
    return withAttempts(joined, mirrors);
  }

  /** This observation with the client sidecar's access-log evidence joined in. */
  public RequestObservation withProxy(ProxyEvidence evidence) {
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
        Optional.of(evidence),
        attempts,
        responseHeaders,
        mirrors,
        stream);
  }

  /**
   * This observation served by {@code instance} of {@code version} of {@code service}: for an app
   * that does not name itself (the user's own server), from the upstream host its client's sidecar
   * logged.
   */
  public RequestObservation withServedBy(String service, String version, String instance) {
    return new RequestObservation(
        index,
        requestId,
        traffic,
        from,
        url,
        kind,
        status,
        Optional.of(service),
        Optional.of(version),
        Optional.of(instance),
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
    return new RequestObservation(
        index,
        requestId,
        traffic.name(),
        traffic.from(),
        sent.url().toString(),
        outcome.kind(),
        outcome.status(),
        outcome.header("x-echo-service"),
        outcome.header("x-echo-version"),
        outcome.header("x-echo-instance"),
        outcome.latency(),
        outcome.error(),
        outcome.isResponse() && outcome.status() >= 200 && outcome.status() < 300
            ? ""
            : outcome.body().substring(0, Math.min(EXCERPT, outcome.body().length())),
        outcome.isResponse() && outcome.header("x-envoy-overloaded").orElse("").equals("true"),
        sentAt,
        Optional.empty(),
        List.of(),
        outcome.headers(),
        List.of(),
        GrpcCalls.isGrpc(sent) && outcome.isResponse()
            ? GrpcCalls.streamTiming(outcome.rawBody().duplicate(), outcome.firstBodyUnixNanos())
            : Optional.empty());
  }
}
