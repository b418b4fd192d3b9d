package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.circuit.CircuitBreaker;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.policy.route.WeightedClusterPicker;
import dev.meshproof.runtime.policy.upstream.AttemptOutcome;
import dev.meshproof.runtime.proxy.UpstreamCluster.UpstreamHost;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import dev.meshproof.runtime.transport.UpstreamException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's router filter, the end of every HTTP filter chain: route match, weighted cluster pick,
 * then a loop of upstream attempts (host pick, the exchange, the attempt's outcome) until {@link
 * RouterState} says the outcome is final. Mesh decisions are the pure policy objects; the router
 * only sequences them and the I/O. One instance per sidecar; per-request state is in {@link
 * RouterState}.
 */
final class Router implements HttpFilterChain.Terminal {
  /** Headers of one hop that a proxy does not forward (RFC 9110, section 7.6.1). */
  static final List<String> HOP_BY_HOP =
      List.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "upgrade",
          "te",
          "trailer");

  private final RandomSource routeRandom;
  private final UpstreamCall upstream;
  private final ScheduledExecutorService scheduler;

  Router(RandomSource routeRandom, UpstreamCall upstream, ScheduledExecutorService scheduler) {
    this.routeRandom = routeRandom;
    this.upstream = upstream;
    this.scheduler = scheduler;
  }

  @Override
  public CompletableFuture<RequestOutcome> route(RequestContext request) {
    Optional<Route> route = request.routes().flatMap(table -> table.route(request.headers()));
    if (route.isEmpty()) {
      return localReply(404, ResponseFlag.NO_ROUTE_FOUND, "", "-", "-", "-");
    }
    // A request the app stamped with an x-request-id draws from its own source, keyed by that id,
    // so its picks replay at any concurrency; one the sidecar named draws from the shared stream.
    Optional<RandomSource> requestRandom =
        request.downstream().headers().contains("x-request-id")
            ? Optional.of(routeRandom.forRequest(request.requestId()))
            : Optional.empty();
    // One weighted draw per request, before anything else draws, so seeded splits replay.
    WeightedCluster picked =
        WeightedClusterPicker.pick(route.get().clusters(), requestRandom.orElse(routeRandom));
    if (!request.routing().clusters().containsKey(picked.name())) {
      return localReply(
          503, ResponseFlag.NO_CLUSTER_FOUND, "", route.get().name(), picked.name(), "-");
    }
    CompletableFuture<RequestOutcome> result = new CompletableFuture<>();
    attempt(request, new RouterState(route.get(), picked, requestRandom), result);
    return result;
  }

  /** One upstream attempt; completes {@code result} or arms the next attempt. */
  private void attempt(
      RequestContext request, RouterState state, CompletableFuture<RequestOutcome> result) {
    String routeName = state.route().name();
    String clusterName = state.cluster().name();
    UpstreamCluster cluster = request.routing().clusters().get(clusterName);
    List<UpstreamHost> candidates = cluster.candidates();
    if (candidates.isEmpty()) {
      result.complete(
          new RequestOutcome.LocalReply(
              503,
              ResponseFlag.NO_HEALTHY_UPSTREAM,
              "no healthy upstream",
              routeName,
              clusterName,
              "-"));
      return;
    }
    UpstreamHost host =
        state
            .requestRandom()
            .map(random -> cluster.loadBalancer.pickHost(candidates, random))
            .orElseGet(() -> cluster.loadBalancer.pickHost(candidates));
    // Circuit breaking before the attempt: dispatch, wait for a connection, or overflow (UO).
    Runnable send =
        () -> request.executor().execute(() -> send(request, state, cluster, host, result));
    CircuitBreaker.Admission admission = cluster.circuitBreaker.admit(host, send);
    if (admission instanceof CircuitBreaker.Admission.Overflowed) {
      result.complete(
          new RequestOutcome.LocalReply(
              503,
              ResponseFlag.UPSTREAM_OVERFLOW,
              OVERFLOW_BODY,
              routeName,
              clusterName,
              host.toString()));
    } else if (admission instanceof CircuitBreaker.Admission.Dispatch) {
      send(request, state, cluster, host, result);
    }
  }

  /** Envoy's local reply body for a request refused by a circuit breaker. */
  static final String OVERFLOW_BODY =
      "upstream connect error or disconnect/reset before headers. reset reason: overflow";

  private void send(
      RequestContext request,
      RouterState state,
      UpstreamCluster cluster,
      UpstreamHost host,
      CompletableFuture<RequestOutcome> result) {
    host.active.incrementAndGet();
    host.total.increment();
    upstream
        .send(
            host.address,
            upstreamRequest(request.downstream(), request.requestId()),
            state.route().action().timeout())
        .whenComplete(
            (response, error) ->
                request
                    .executor()
                    .execute(
                        () -> {
                          host.active.decrementAndGet();
                          // The connection goes to the next waiter of this host, if any.
                          cluster.circuitBreaker.release(host).ifPresent(Runnable::run);
                          try {
                            cluster.recordResult(host, response, error);
                            finished(request, state, host, response, error, result);
                          } catch (RuntimeException e) {
                            if (response != null) {
                              response.release();
                            }
                            result.completeExceptionally(e);
                          }
                        }));
  }

  private void finished(
      RequestContext request,
      RouterState state,
      UpstreamHost host,
      FullHttpResponse response,
      Throwable error,
      CompletableFuture<RequestOutcome> result) {
    AttemptOutcome outcome =
        error == null
            ? new AttemptOutcome.Response(response.status().code())
            : new AttemptOutcome.Failure(failureKind(error));
    Optional<Duration> backoff = state.onAttemptFinished(host.toString(), outcome);
    if (backoff.isPresent()) {
      if (response != null) {
        response.release();
      }
      scheduler.schedule(
          () -> request.executor().execute(() -> attempt(request, state, result)),
          backoff.get().toNanos(),
          TimeUnit.NANOSECONDS);
      return;
    }
    String routeName = state.route().name();
    String clusterName = state.cluster().name();
    if (outcome instanceof AttemptOutcome.Failure failure) {
      result.complete(
          new RequestOutcome.LocalReply(
              failure.localReplyStatus(),
              failure.flag().orElseThrow(),
              failure.localReplyBody(),
              routeName,
              clusterName,
              host.toString()));
    } else {
      result.complete(
          new RequestOutcome.Proxied(response, routeName, clusterName, host.toString()));
    }
  }

  /** The transport's failure as the attempt outcome's kind; anything unexpected counts as UF. */
  static AttemptOutcome.Failure.Kind failureKind(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof UpstreamException upstreamError) {
      return switch (upstreamError.kind()) {
        case CONNECT_FAILURE -> AttemptOutcome.Failure.Kind.CONNECT_FAILURE;
        case RESET -> AttemptOutcome.Failure.Kind.RESET;
        case TIMEOUT -> AttemptOutcome.Failure.Kind.TIMEOUT;
      };
    }
    return AttemptOutcome.Failure.Kind.CONNECT_FAILURE;
  }

  private static CompletableFuture<RequestOutcome> localReply(
      int status, ResponseFlag flag, String body, String route, String cluster, String host) {
    return CompletableFuture.completedFuture(
        new RequestOutcome.LocalReply(status, flag, body, route, cluster, host));
  }

  /** The request as forwarded: hop-by-hop headers dropped, request id and scheme set. */
  private static FullHttpRequest upstreamRequest(FullHttpRequest request, String requestId) {
    FullHttpRequest upstream =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            request.method(),
            request.uri(),
            request.content().retainedDuplicate());
    HttpHeaders headers = upstream.headers();
    headers.set(request.headers());
    HOP_BY_HOP.forEach(headers::remove);
    headers.set("x-request-id", requestId);
    if (!headers.contains("x-forwarded-proto")) {
      headers.set("x-forwarded-proto", "http");
    }
    HttpUtil.setContentLength(upstream, upstream.content().readableBytes());
    return upstream;
  }
}
