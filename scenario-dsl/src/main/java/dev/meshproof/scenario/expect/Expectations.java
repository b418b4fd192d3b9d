package dev.meshproof.scenario.expect;

/** Entry points of the expectation DSL, for static import. */
public final class Expectations {
  private Expectations() {}

  /** Expects the traffic to {@code service} to split across its versions as given. */
  public static SplitExpectation.Builder split(String service) {
    return new SplitExpectation.Builder(service);
  }

  /**
   * Expects an instance or version of {@code service} to get significantly less than a share of its
   * requests (a one-sided exact binomial test), e.g. an endpoint inside its warmup window.
   */
  public static ShareExpectation.Builder share(String service) {
    return new ShareExpectation.Builder(service);
  }

  /** Expects how many upstream attempts each request made (from the services' journals). */
  public static AttemptsExpectation.Builder attempts() {
    return new AttemptsExpectation.Builder();
  }

  /** Expects every request's latency within bounds (e.g. at most a timeout plus a margin). */
  public static LatencyExpectation.Builder latency() {
    return new LatencyExpectation.Builder();
  }

  /**
   * Expects every request to end with the Envoy response flag {@code flag} (UT, UH, UF, UC), or
   * requests to carry the fault filter's FI or DI (every one, or a share).
   */
  public static ResponseFlagExpectation.Builder responseFlag(String flag) {
    return new ResponseFlagExpectation.Builder(flag);
  }

  /**
   * Expects gRPC calls to end with the gRPC status named {@code status} ({@code UNAVAILABLE}): all
   * of them, or a share.
   */
  public static GrpcStatusExpectation.Builder grpcStatus(String status) {
    return new GrpcStatusExpectation.Builder(status);
  }

  /**
   * Expects every successful gRPC call of {@code traffic} to get its first stream answer before the
   * service sent its last: the server stream is forwarded as it arrives.
   */
  public static StreamedExpectation streamed(String traffic) {
    return new StreamedExpectation(traffic);
  }

  /** Expects mirror copies of the requests at {@code service} (Istio's mirror, mirrors). */
  public static MirrorExpectation.Builder mirrored(String service) {
    return new MirrorExpectation.Builder(service);
  }

  /** Expects the fraction of 2xx responses among all requests to be at least a floor. */
  public static SuccessRateExpectation.Builder successRate() {
    return new SuccessRateExpectation.Builder();
  }

  /** Expects requests refused by a circuit breaker (503 UO, {@code x-envoy-overloaded}). */
  public static OverflowExpectation.Builder overflows() {
    return new OverflowExpectation.Builder();
  }

  /**
   * Expects requests whose retry the retry circuit breaker refused (DestinationRule {@code
   * maxRetries}): the upstream's answer returned with flag UO.
   */
  public static RetryOverflowExpectation.Builder retryOverflows() {
    return new RetryOverflowExpectation.Builder();
  }

  /**
   * Expects how many requests one connection to a service's app carries ({@code
   * maxRequestsPerConnection}), from the echo's {@code x-echo-connection}.
   */
  public static ConnectionReuseExpectation.Builder requestsPerConnection() {
    return new ConnectionReuseExpectation.Builder();
  }

  /** Expects the instance (pod) named {@code instance} to serve a bounded number of requests. */
  /**
   * An Istio standard metric's series, e.g. {@code
   * istio_requests_total{destination_version="v2",response_code="503"}}.
   */
  public static MetricExpectation.Builder metric(String series) {
    return new MetricExpectation.Builder(series);
  }

  /**
   * An Envoy statistic by its {@code /stats} name ({@code *} for any characters), summed over every
   * proxy, equals {@code value}: e.g. {@code
   * http.inbound_*.rbac.istio_dry_run_allow_.shadow_denied}.
   */
  public static StatExpectation stat(String name, long value) {
    return StatExpectation.of(name, value);
  }

  public static ServedExpectation.Builder servedBy(String instance) {
    return new ServedExpectation.Builder(instance);
  }

  /**
   * Expects consistent-hash affinity: request {@code i} carries hash key {@code i mod keys}; every
   * key always reaches the same instance.
   */
  public static KeyAffinityExpectation.Builder sameInstancePerKey(int keys) {
    return new KeyAffinityExpectation.Builder(keys);
  }

  /** Expects {@code instance} to be ejected by its first 5xx for a window, then re-admitted. */
  public static EjectionExpectation.Builder ejection(String instance) {
    return new EjectionExpectation.Builder(instance);
  }

  /**
   * Expects every request (of a traffic) to be answered the same way: status, response headers,
   * body, and what the serving echo received (path, authority, headers).
   */
  public static ResponseExpectation.Builder response() {
    return new ResponseExpectation.Builder();
  }

  /**
   * Expects who can call whom: per caller and callee service, allowed (every request reached the
   * app) or denied the stated way (reset, 401, 403, 503) with none reaching it.
   */
  public static ReachabilityExpectation.Builder reachability() {
    return new ReachabilityExpectation.Builder();
  }

  /**
   * Expects the callee's app to have seen the caller as {@code principal} (its SPIFFE ID in {@code
   * x-forwarded-client-cert}) on every request that reached it.
   */
  public static PeerIdentityExpectation.Builder peerIdentity(String principal) {
    return new PeerIdentityExpectation.Builder(principal);
  }
}
