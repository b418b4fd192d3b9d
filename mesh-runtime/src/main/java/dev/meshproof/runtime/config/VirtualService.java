package dev.meshproof.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/networking/virtual-service/">
 * VirtualService</a>: HTTP routing rules for a set of hosts.
 */
public record VirtualService(
    ResourceMeta meta, List<String> hosts, List<String> gateways, List<HttpRoute> http)
    implements IstioResource {

  public VirtualService {
    hosts = List.copyOf(hosts);
    gateways = List.copyOf(gateways);
    http = List.copyOf(http);
  }

  @Override
  public VirtualService withMeta(ResourceMeta newMeta) {
    return new VirtualService(newMeta, hosts, gateways, http);
  }

  /**
   * One {@code http} rule: matched when any of its match blocks matches (or it has none), with its
   * route {@code timeout} and {@code retries} when set, its mirrors ({@code mirror} with {@code
   * mirrorPercentage}, or {@code mirrors}) and its {@code fault}.
   */
  public record HttpRoute(
      String name,
      List<HttpMatchRequest> match,
      List<RouteDestination> route,
      Optional<Duration> timeout,
      Optional<HttpRetry> retries,
      List<HttpMirror> mirrors,
      Optional<HttpFault> fault) {
    public HttpRoute {
      match = List.copyOf(match);
      route = List.copyOf(route);
      mirrors = List.copyOf(mirrors);
    }

    /** A rule without mirrors or fault. */
    public HttpRoute(
        String name,
        List<HttpMatchRequest> match,
        List<RouteDestination> route,
        Optional<Duration> timeout,
        Optional<HttpRetry> retries) {
      this(name, match, route, timeout, retries, List.of(), Optional.empty());
    }

    /** A rule without timeout or retries. */
    public HttpRoute(String name, List<HttpMatchRequest> match, List<RouteDestination> route) {
      this(name, match, route, Optional.empty(), Optional.empty());
    }
  }

  /**
   * A mirror of an {@code http} rule: {@code mirror} with {@code mirrorPercentage}, or one entry of
   * {@code mirrors} (<a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMirrorPolicy">HTTPMirrorPolicy</a>).
   *
   * @param destination where the copies go
   * @param percentage the percentage (0..100) of requests copied; absent means 100
   */
  public record HttpMirror(Destination destination, java.util.OptionalDouble percentage) {}

  /**
   * Istio's <a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection">HTTPFaultInjection</a>,
   * validated as Istio's webhook does ({@code validateHTTPFaultInjection}): an abort, a delay, or
   * both.
   */
  public record HttpFault(Optional<FaultAbort> abort, Optional<FaultDelay> delay) {}

  /**
   * {@code fault.abort}: an HTTP status (200..599) or a gRPC status name ({@code UNAVAILABLE}), on
   * {@code percentage} of requests (absent: istiod emits no percentage, so Envoy aborts none).
   */
  public record FaultAbort(
      OptionalInt httpStatus, Optional<String> grpcStatus, java.util.OptionalDouble percentage) {}

  /** {@code fault.delay}: a {@code fixedDelay} on {@code percentage} of requests. */
  public record FaultDelay(Duration fixedDelay, java.util.OptionalDouble percentage) {}

  /**
   * Istio's <a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry">HTTPRetry</a>,
   * validated as Istio's webhook does ({@code pkg/config/validation/agent/validation.go} {@code
   * ValidateHTTPRetry}).
   *
   * @param attempts retries allowed; 0 disables retries (no retry policy at all)
   * @param perTryTimeout the timeout of each attempt
   * @param retryOn the comma-separated conditions as written (policies and status codes)
   * @param retryRemoteLocalities whether retries prefer other localities
   */
  public record HttpRetry(
      int attempts,
      Optional<Duration> perTryTimeout,
      Optional<String> retryOn,
      boolean retryRemoteLocalities) {}

  /** One {@code match} block; all of its conditions must hold. */
  public record HttpMatchRequest(
      String name,
      Optional<StringMatch> uri,
      Optional<StringMatch> method,
      Optional<StringMatch> authority,
      Map<String, StringMatch> headers,
      Map<String, StringMatch> withoutHeaders,
      boolean ignoreUriCase) {
    public HttpMatchRequest {
      headers = Map.copyOf(headers);
      withoutHeaders = Map.copyOf(withoutHeaders);
    }
  }

  /** A weighted destination of an {@code http} rule. */
  public record RouteDestination(Destination destination, OptionalInt weight) {}
}
