package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.fault.FaultDecision;
import dev.meshproof.runtime.policy.fault.FaultPolicy;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import java.util.Optional;

/**
 * Envoy's fault injection filter ({@code envoy.filters.http.fault}) for one connection manager: the
 * matched route's {@code typed_per_filter_config} (else the filter's own configuration) is asked
 * through the pure {@link FaultDecision}; the filter only turns the decision into a {@link
 * FilterDecision}. As in Envoy, the delay comes first and the abort after it: the chain runs the
 * filter's {@link #afterDelay} step when the delay has passed. The delay happens before the router
 * starts, so it does not count against the route timeout, and it is applied once per request, not
 * per retry (both checked on Envoy 1.40); an aborted request never reaches the router, so it is
 * never retried and no upstream sees it.
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/fault_filter">Envoy
 *     fault injection filter</a>
 */
final class FaultFilter implements HttpFilter {
  /** Envoy's local reply body for an injected abort. */
  static final String ABORT_BODY = "fault filter abort";

  private final FaultPolicy filterPolicy;
  private final RandomSource random;

  /**
   * @param filterPolicy the filter's own configuration, used when the route has none
   * @param random the sidecar's fault stream; a request with an {@code x-request-id} draws from its
   *     own source keyed by that id, so its decision replays at any concurrency
   */
  FaultFilter(FaultPolicy filterPolicy, RandomSource random) {
    this.filterPolicy = filterPolicy;
    this.random = random;
  }

  @Override
  public FilterDecision onRequest(RequestContext request) {
    Optional<Route> route = request.routes().flatMap(table -> table.route(request.headers()));
    FaultPolicy policy = route.flatMap(Route::fault).orElse(filterPolicy);
    RandomSource source =
        request.downstream().headers().contains("x-request-id")
            ? random.forRequest(request.requestId())
            : random;
    FaultDecision decision = FaultDecision.decide(policy, source);
    if (decision.delay().isPresent()) {
      return new FilterDecision.Delay(decision.delay().get(), abortOf(decision));
    }
    return abortOf(decision);
  }

  private static FilterDecision abortOf(FaultDecision decision) {
    return decision
        .abort()
        .<FilterDecision>map(
            abort ->
                new FilterDecision.LocalReply(
                    abort.localReplyStatus(),
                    ResponseFlag.FAULT_INJECTED,
                    ABORT_BODY,
                    abort.grpcStatus()))
        .orElse(FilterDecision.CONTINUE);
  }
}
