package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.circuit.CircuitBreaker;
import dev.meshproof.runtime.policy.lb.HashPolicy;
import dev.meshproof.runtime.policy.lb.LoadBalancer;
import dev.meshproof.runtime.policy.mirror.MirrorDecision;
import dev.meshproof.runtime.policy.retry.GrpcTimeout;
import dev.meshproof.runtime.policy.retry.RequestTimeouts;
import dev.meshproof.runtime.policy.retry.RetryAdmission;
import dev.meshproof.runtime.policy.retry.RetryDecision;
import dev.meshproof.runtime.policy.retry.RetryPolicy;
import dev.meshproof.runtime.policy.retry.RetryState;
import dev.meshproof.runtime.policy.route.HeaderChanges;
import dev.meshproof.runtime.policy.route.MirrorPolicy;
import dev.meshproof.runtime.policy.route.QueryParameterMatcher;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.RouteAction;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.policy.route.WeightedClusterPicker;
import dev.meshproof.runtime.policy.upstream.AttemptOutcome;
import dev.meshproof.runtime.proxy.UpstreamCluster.UpstreamHost;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import dev.meshproof.runtime.telemetry.UpstreamAttempt;
import dev.meshproof.runtime.transport.StreamedResponse;
import dev.meshproof.runtime.transport.UpstreamException;
import dev.meshproof.runtime.transport.UpstreamTls;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's router filter, the end of every HTTP filter chain: route match, weighted cluster pick,
 * then a loop of upstream attempts (host pick, the exchange, the attempt's outcome) until {@link
 * RetryState} says the outcome is final, under the route and per-try timeouts. Mesh decisions are
 * the pure policy objects ({@link RetryState}, {@link RequestTimeouts}); the router only sequences
 * them, arms their timers on the injected scheduler and does the I/O. One instance per sidecar;
 * per-request state is in {@link RouterState}.
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

  /** A gRPC call's deadline ({@link GrpcTimeout}). */
  static final String GRPC_TIMEOUT = "grpc-timeout";

  /** Envoy's mark of a request it originated itself (a mirror copy), never trusted downstream. */
  static final String ENVOY_INTERNAL = "x-envoy-internal";

  /** Envoy's attempt counter header, sent upstream when the virtual host asks for it. */
  static final String ATTEMPT_COUNT = "x-envoy-attempt-count";

  private final RandomSource routeRandom;
  private final RandomSource retryRandom;
  private final RandomSource mirrorRandom;
  private final UpstreamCall upstream;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;

  Router(
      RandomSource routeRandom,
      UpstreamCall upstream,
      ScheduledExecutorService scheduler,
      Clock clock) {
    this.routeRandom = routeRandom;
    // Back-off jitter draws from its own stream so retries never shift the weighted picks.
    this.retryRandom = routeRandom.fork("retry");
    this.mirrorRandom = routeRandom.fork("mirror");
    this.upstream = upstream;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  @Override
  public CompletableFuture<RequestOutcome> route(RequestContext request) {
    String forwardedProto =
        Optional.ofNullable(request.downstream().headers().get("x-forwarded-proto")).orElse("http");
    if (request
        .routes()
        .map(table -> table.sslRedirect(request.headers().authority(), forwardedProto))
        .orElse(false)) {
      return CompletableFuture.completedFuture(sslRedirect(request));
    }
    Optional<Route> route = request.routes().flatMap(table -> table.route(request.headers()));
    if (route.isEmpty()) {
      return localReply(404, ResponseFlag.NO_ROUTE_FOUND, "", "-", "-", "-");
    }
    Optional<RequestOutcome> direct = directReply(route.get(), request);
    if (direct.isPresent()) {
      return CompletableFuture.completedFuture(direct.get());
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
    List<HeaderChanges> responseChanges =
        List.of(picked.responseHeaderChanges(), route.get().action().responseHeaderChanges());
    if (!request.routing().clusters().containsKey(picked.name())) {
      return localReply(
              503, ResponseFlag.NO_CLUSTER_FOUND, "", route.get().name(), picked.name(), "-")
          .thenApply(reply -> withResponseHeaderChanges(reply, responseChanges));
    }
    RouteAction action = route.get().action();
    Optional<RetryPolicy> policy = action.retryPolicy();
    // Back-off jitter draws from a fork of the request's own source (or of the shared stream), so
    // retries never shift the host picks and a retried request's back-offs replay too.
    RandomSource jitter = requestRandom.map(random -> random.fork("retry")).orElse(retryRandom);
    RouterState state =
        new RouterState(
            route.get(),
            picked,
            requestRandom,
            new RetryState(
                policy, jitter, retryAdmission(request.routing().clusters().get(picked.name()))),
            new RequestTimeouts(
                GrpcTimeout.routeTimeout(
                    action.timeout(),
                    action.maxGrpcTimeout(),
                    GrpcLocalReply.isGrpcRequest(request.downstream().headers()),
                    Optional.ofNullable(request.downstream().headers().get(GRPC_TIMEOUT))),
                policy.flatMap(RetryPolicy::perTryTimeout)),
            clockNanos());
    CompletableFuture<RequestOutcome> result = new CompletableFuture<>();
    mirror(request, action, requestRandom);
    state
        .timeouts()
        .routeTimer()
        .ifPresent(
            timeout ->
                state.routeTimerArmed(
                    scheduler.schedule(
                        () -> request.executor().execute(() -> routeTimedOut(state, result)),
                        timeout.toNanos(),
                        TimeUnit.NANOSECONDS)));
    attempt(request, state, result);
    return result.thenApply(outcome -> withResponseHeaderChanges(outcome, responseChanges));
  }

  /**
   * The request's hash for a consistent-hash cluster, as Envoy's {@code HashPolicyImpl}: each
   * policy that finds its value folds it in ({@code hash = rotl(hash, 1) ^ next}); a request none
   * of them finds a value in hashes a random number (Envoy's {@code ThreadAwareLoadBalancerBase}).
   * A cookie made up for a cookie policy with a TTL is set on the proxied response.
   */
  private static long requestHash(RequestContext request, RouterState state, RandomSource random) {
    RouteAction action = state.route().action();
    HashPolicy.Request input =
        new HashPolicy.Request() {
          @Override
          public String connectionKey() {
            return request.connection().remoteAddress().getHostAddress()
                + "|"
                + request.connection().localPort();
          }

          @Override
          public void addSetCookie(String setCookie) {
            state.setCookie(setCookie);
          }

          @Override
          public Optional<String> header(String name) {
            return request.headers().first(name);
          }

          @Override
          public Optional<String> cookie(String name) {
            return request.headers().headers().getOrDefault("cookie", List.of()).stream()
                .flatMap(h -> java.util.Arrays.stream(h.split(";")))
                .map(String::strip)
                .filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(name.length() + 1))
                .map(
                    v ->
                        v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
                            ? v.substring(1, v.length() - 1)
                            : v)
                .findFirst();
          }

          @Override
          public Optional<String> sourceIp() {
            return Optional.of(request.connection().remoteAddress().getHostAddress());
          }

          @Override
          public Optional<String> queryParameter(String name) {
            return QueryParameterMatcher.firstValue(request.headers().path(), name);
          }
        };
    OptionalLong hash = OptionalLong.empty();
    for (HashPolicy policy : action.hashPolicies()) {
      OptionalLong next = policy.hash(input);
      if (next.isPresent()) {
        hash =
            OptionalLong.of(
                hash.isPresent()
                    ? Long.rotateLeft(hash.getAsLong(), 1) ^ next.getAsLong()
                    : next.getAsLong());
      }
    }
    return hash.isPresent()
        ? hash.getAsLong()
        : random.nextLong(1L << 32) << 32 | random.nextLong(1L << 32);
  }

  /** A local reply after route selection carries the route's response header changes. */
  private static RequestOutcome withResponseHeaderChanges(
      RequestOutcome outcome, List<HeaderChanges> changes) {
    // Only a local reply takes them: a proxied response (nearly every request) got them applied
    // in finished, so it does not pay for the filtering.
    if (!(outcome instanceof RequestOutcome.LocalReply reply)) {
      return outcome;
    }
    List<HeaderChanges> present = changes.stream().filter(c -> !c.isEmpty()).toList();
    return present.isEmpty() ? outcome : reply.withResponseHeaderChanges(present);
  }

  /**
   * Envoy's request mirroring (shadowing): the route's mirror policies chosen by the pure {@link
   * MirrorDecision} each get one copy of the request, sent fire and forget to a host of the mirror
   * cluster (picked by its load balancer, admitted by its circuit breaker, heard by its outlier
   * detector, bounded by the route timeout as Envoy bounds a shadow). Nothing of the copy reaches
   * the primary request: its response is released unread, its failure only logged, and the primary
   * attempt does not wait for it. The copy carries the Host with {@code -shadow} appended unless
   * the policy disables it, and {@code x-envoy-internal: true}, as Envoy's async client marks it
   * (checked on Envoy 1.40); the next sidecar's connection manager drops that mark again, so an app
   * behind a sidecar sees a copy as a copy only by its {@code -shadow} Host. A mirror cluster that
   * does not exist or has no host gets no copy.
   */
  private void mirror(
      RequestContext request, RouteAction action, Optional<RandomSource> requestRandom) {
    if (action.mirrorPolicies().isEmpty()) {
      return;
    }
    RandomSource random = requestRandom.map(r -> r.fork("mirror")).orElse(mirrorRandom);
    for (MirrorPolicy policy : MirrorDecision.mirrorsFor(action.mirrorPolicies(), random)) {
      UpstreamCluster cluster = request.routing().clusters().get(policy.cluster());
      List<UpstreamHost> candidates = cluster == null ? List.of() : cluster.candidates(random);
      // A mirror cluster with mutual TLS is reached over TLS too; before its secrets arrived (the
      // cluster still warming) it gets no copy rather than one in the clear.
      Optional<Optional<UpstreamTls>> tls =
          cluster == null ? Optional.empty() : upstreamTls(request, cluster);
      if (candidates.isEmpty() || tls.isEmpty()) {
        continue;
      }
      UpstreamHost host = cluster.loadBalancer.pickHost(candidates, random);
      FullHttpRequest copy = upstreamRequest(request.downstream(), request.requestId());
      copy.headers()
          .set(
              HttpHeaderNames.HOST,
              MirrorDecision.shadowAuthority(request.headers().authority(), policy))
          .set(ENVOY_INTERNAL, "true");
      if (action.includeRequestAttemptCount()) {
        copy.headers().set(ATTEMPT_COUNT, 1);
      }
      Runnable send =
          () ->
              request.executor().execute(() -> sendMirror(cluster, host, copy, action, tls.get()));
      CircuitBreaker.Admission admission = cluster.circuitBreaker.admit(host, send);
      if (admission instanceof CircuitBreaker.Admission.Overflowed) {
        copy.release();
      } else if (admission instanceof CircuitBreaker.Admission.Dispatch) {
        sendMirror(cluster, host, copy, action, tls.get());
      }
    }
  }

  private void sendMirror(
      UpstreamCluster cluster,
      UpstreamHost host,
      FullHttpRequest copy,
      RouteAction action,
      Optional<UpstreamTls> tls) {
    host.active.incrementAndGet();
    host.total.increment();
    upstream
        .send(host.address, copy, action.timeout(), settingsFor(cluster, copy), tls)
        .whenComplete(
            (response, error) -> {
              host.active.decrementAndGet();
              cluster.circuitBreaker.release(host).ifPresent(Runnable::run);
              cluster.recordResult(host, response, error);
              if (response instanceof StreamedResponse streamed) {
                // Envoy's shadow reads the mirror's answer to its end and drops it.
                streamed.discard();
              } else if (response != null) {
                response.release();
              }
            });
  }

  /**
   * A request a filter originates to {@code clusterName}, as Envoy's async client sends ext_authz's
   * HTTP check: a host picked by the cluster's load balancer, admitted by its circuit breaker, over
   * the cluster's TLS, its result heard by the outlier detector. Completes exceptionally when the
   * cluster does not exist, has no host, overflows, has no TLS context yet or the exchange fails
   * (Envoy's async client failure); the caller owns the response.
   */
  CompletableFuture<FullHttpResponse> call(
      RequestContext request, String clusterName, FullHttpRequest call, Duration timeout) {
    UpstreamCluster cluster = request.routing().clusters().get(clusterName);
    List<UpstreamHost> candidates = cluster == null ? List.of() : cluster.candidates(mirrorRandom);
    Optional<Optional<UpstreamTls>> tls =
        cluster == null ? Optional.empty() : upstreamTls(request, cluster);
    if (candidates.isEmpty() || tls.isEmpty()) {
      call.release();
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "cluster "
                  + clusterName
                  + (cluster == null ? " does not exist" : " has no host ready")));
    }
    UpstreamHost host = cluster.loadBalancer.pickHost(candidates, mirrorRandom);
    CompletableFuture<FullHttpResponse> result = new CompletableFuture<>();
    Runnable send =
        () ->
            request
                .executor()
                .execute(() -> sendCall(cluster, host, call, timeout, tls.get(), result));
    CircuitBreaker.Admission admission = cluster.circuitBreaker.admit(host, send);
    if (admission instanceof CircuitBreaker.Admission.Overflowed) {
      call.release();
      result.completeExceptionally(
          new IllegalStateException("cluster " + clusterName + " overflowed"));
    } else if (admission instanceof CircuitBreaker.Admission.Dispatch) {
      sendCall(cluster, host, call, timeout, tls.get(), result);
    }
    return result;
  }

  private void sendCall(
      UpstreamCluster cluster,
      UpstreamHost host,
      FullHttpRequest call,
      Duration timeout,
      Optional<UpstreamTls> tls,
      CompletableFuture<FullHttpResponse> result) {
    host.active.incrementAndGet();
    host.total.increment();
    upstream
        .send(host.address, call, timeout, settingsFor(cluster, call), tls)
        .whenComplete(
            (response, error) -> {
              host.active.decrementAndGet();
              cluster.circuitBreaker.release(host).ifPresent(Runnable::run);
              cluster.recordResult(host, response, error);
              if (error != null) {
                result.completeExceptionally(error);
              } else {
                result.complete(response);
              }
            });
  }

  /**
   * The cluster's connection settings for {@code request}: a cluster with {@code
   * use_downstream_protocol_config} (istiod's {@code PassthroughCluster}) speaks HTTP/2 upstream
   * exactly when the request came in over HTTP/2, which Netty's HTTP/2 conversion marks with its
   * stream-id extension header (dropped before the request goes upstream).
   */
  private static dev.meshproof.runtime.transport.UpstreamConnectionSettings settingsFor(
      UpstreamCluster cluster, FullHttpRequest request) {
    return cluster
        .config
        .connectionSettings()
        .forDownstream(
            request
                .headers()
                .contains(
                    io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames.STREAM_ID
                        .text()));
  }

  /**
   * The route timeout fired: Envoy answers 504 UT and resets the attempt in flight (completing its
   * exchange closes the upstream connection), whether an attempt or a back-off was pending.
   */
  private void routeTimedOut(RouterState state, CompletableFuture<RequestOutcome> result) {
    if (state.done()) {
      // The head went downstream and the body is still arriving: Envoy's onUpstreamAbort resets
      // the upstream and the downstream stream (no local reply can follow a forwarded head).
      state
          .streaming()
          .ifPresent(
              response ->
                  response.cancel(
                      new UpstreamException(
                          UpstreamException.Kind.TIMEOUT,
                          "route timeout after the response started",
                          null)));
      return;
    }
    state
        .finish()
        .ifPresent(
            running ->
                running.completeExceptionally(
                    new UpstreamException(
                        UpstreamException.Kind.TIMEOUT, "route timeout: attempt reset", null)));
    AttemptOutcome.Failure timeout =
        new AttemptOutcome.Failure(AttemptOutcome.Failure.Kind.TIMEOUT);
    List<UpstreamAttempt> attempts = state.attempts();
    result.complete(
        new RequestOutcome.LocalReply(
            timeout.localReplyStatus(),
            ResponseFlag.UPSTREAM_REQUEST_TIMEOUT,
            timeout.localReplyBody(),
            state.route().name(),
            state.cluster().name(),
            attempts.isEmpty() ? "-" : attempts.get(attempts.size() - 1).host(),
            attempts,
            Optional.empty()));
  }

  /**
   * One upstream attempt: host pick among the cluster's candidates (ejected hosts excluded outside
   * panic; avoiding hosts already tried when the retry policy says so), then the cluster's circuit
   * breaker admits it ({@link #send}), queues it, or overflows (503 UO).
   */
  private void attempt(
      RequestContext request, RouterState state, CompletableFuture<RequestOutcome> result) {
    if (state.done()) {
      return;
    }
    String routeName = state.route().name();
    String clusterName = state.cluster().name();
    UpstreamCluster cluster = request.routing().clusters().get(clusterName);
    // The request's own source when it has one, so its picks (priority, host) replay at any
    // concurrency.
    RandomSource random =
        cluster == null
            ? LoadBalancer.NO_DRAWS
            : state.requestRandom().orElse(cluster.loadBalancer.random());
    List<UpstreamHost> candidates =
        cluster == null
            ? List.of()
            : cluster.candidates(request.headers(), random, state.retry().retryPriority());
    if (candidates.isEmpty()) {
      state.finish();
      result.complete(
          new RequestOutcome.LocalReply(
              503,
              ResponseFlag.NO_HEALTHY_UPSTREAM,
              "no healthy upstream",
              routeName,
              clusterName,
              "-",
              state.attempts(),
              Optional.empty()));
      return;
    }
    RetryState retry = state.retry();
    UpstreamHost host =
        cluster.config.consistentHash().isPresent()
            ? cluster.pickByHash(candidates, requestHash(request, state, random))
            : cluster.loadBalancer.pickHost(candidates, random);
    // Envoy's host selection retry: re-pick while the previous_hosts predicate rejects the host,
    // at most host_selection_retry_max_attempts times, then keep the last pick.
    for (int i = 0;
        i < retry.hostSelectionRetryMaxAttempts() && retry.shouldSelectAnotherHost(host.toString());
        i++) {
      host = cluster.loadBalancer.pickHost(candidates, random);
    }
    UpstreamHost chosen = host;
    // Circuit breaking before the attempt: dispatch, wait for a connection, or overflow (UO).
    Runnable send =
        () -> request.executor().execute(() -> send(request, state, cluster, chosen, result));
    CircuitBreaker.Admission admission = cluster.circuitBreaker.admit(chosen, send);
    if (admission instanceof CircuitBreaker.Admission.Overflowed) {
      state.finish();
      result.complete(
          new RequestOutcome.LocalReply(
              503,
              ResponseFlag.UPSTREAM_OVERFLOW,
              OVERFLOW_BODY,
              routeName,
              clusterName,
              chosen.toString(),
              state.attempts(),
              Optional.empty()));
    } else if (admission instanceof CircuitBreaker.Admission.Dispatch) {
      send(request, state, cluster, chosen, result);
    }
  }

  /**
   * The TLS of the cluster's transport socket: empty inside for plaintext; empty outside when the
   * cluster needs TLS whose context is not built yet (never plaintext instead).
   */
  private static Optional<Optional<UpstreamTls>> upstreamTls(
      RequestContext request, UpstreamCluster cluster) {
    if (cluster.config.tls().isEmpty()) {
      return Optional.of(Optional.empty());
    }
    ProxyConfig.TlsContextConfig tls = cluster.config.tls().get();
    return request
        .routing()
        .tls()
        .context(tls)
        .map(context -> Optional.of(new UpstreamTls(context, tls.sni())));
  }

  /**
   * The cluster's retry circuit breaker ({@code max_retries}, Envoy's default 3): a retry over it
   * is not attempted, the request answers with the last attempt's outcome and the UO flag, and the
   * cluster counts {@code upstream_rq_retry_overflow}.
   */
  private static RetryAdmission retryAdmission(UpstreamCluster cluster) {
    return new RetryAdmission() {
      @Override
      public boolean tryAdmitRetry() {
        return cluster.circuitBreaker.tryStartRetry();
      }

      @Override
      public void retryFinished() {
        cluster.circuitBreaker.finishRetry();
      }
    };
  }

  /** Envoy's local reply body for a request refused by a circuit breaker. */
  static final String OVERFLOW_BODY =
      "upstream connect error or disconnect/reset before headers. reset reason: overflow";

  /** The admitted attempt: the exchange under the per-try timeout, then {@link #finished}. */
  private void send(
      RequestContext request,
      RouterState state,
      UpstreamCluster cluster,
      UpstreamHost host,
      CompletableFuture<RequestOutcome> result) {
    if (state.done()) {
      // The route timeout answered while this attempt waited for a connection.
      cluster.circuitBreaker.release(host).ifPresent(Runnable::run);
      return;
    }
    int number = state.retry().onAttemptStarted(host.toString());
    host.active.incrementAndGet();
    host.total.increment();
    FullHttpRequest forwarded = upstreamRequest(request.downstream(), request.requestId());
    finalizeRequest(forwarded, state.route(), state.cluster());
    if (state.route().action().includeRequestAttemptCount()) {
      forwarded.headers().set(ATTEMPT_COUNT, number);
    }
    long attemptStart = clockNanos();
    if (state.route().action().maxGrpcTimeout().isPresent()
        && GrpcLocalReply.isGrpcRequest(forwarded.headers())) {
      // Envoy tells the server the deadline it enforces: the time left of this attempt.
      GrpcTimeout.upstreamHeader(
              state.timeouts(), Duration.ofNanos(attemptStart - state.startNanos()))
          .ifPresent(left -> forwarded.headers().set(GRPC_TIMEOUT, left));
    }
    CompletableFuture<FullHttpResponse> exchange =
        upstreamTls(request, cluster)
            .map(
                tls ->
                    upstream.send(
                        host.address,
                        forwarded,
                        state.timeouts().perTry().orElse(Duration.ZERO),
                        settingsFor(cluster, forwarded),
                        tls))
            .orElseGet(
                () -> {
                  forwarded.release();
                  // The cluster's secrets have not arrived: Envoy's cluster is still warming.
                  return CompletableFuture.failedFuture(
                      new UpstreamException(
                          UpstreamException.Kind.CONNECT_FAILURE,
                          "TLS secrets of " + cluster.config.name() + " not yet received",
                          null));
                });
    state.inFlight(exchange);
    exchange.whenComplete(
        (response, error) ->
            request
                .executor()
                .execute(
                    () -> {
                      host.active.decrementAndGet();
                      // The connection goes to the next waiter of this host, if any.
                      cluster.circuitBreaker.release(host).ifPresent(Runnable::run);
                      try {
                        // The outlier detector hears every attempt's result.
                        cluster.recordResult(host, response, error);
                        finished(
                            request, state, host, number, attemptStart, response, error, result);
                      } catch (RuntimeException e) {
                        if (response != null) {
                          response.release();
                        }
                        result.completeExceptionally(e);
                      }
                    }));
  }

  /**
   * An attempt ended: record its evidence, ask the retry state, then either arm the back-off timer
   * for the next attempt or complete the request with this outcome.
   */
  private void finished(
      RequestContext request,
      RouterState state,
      UpstreamHost host,
      int number,
      long attemptStart,
      FullHttpResponse response,
      Throwable error,
      CompletableFuture<RequestOutcome> result) {
    if (state.done()) {
      // The route timeout already answered; this attempt was reset.
      if (response != null) {
        response.release();
      }
      return;
    }
    state.attemptEnded();
    AttemptOutcome outcome =
        error == null
            ? new AttemptOutcome.Response(response.status().code(), grpcStatus(response))
            : new AttemptOutcome.Failure(failureKind(error));
    state.recordAttempt(
        new UpstreamAttempt(
            number,
            host.toString(),
            error == null ? response.status().code() : 0,
            outcome.flag(),
            Duration.ofNanos(clockNanos() - attemptStart)));
    RetryDecision decision = state.retry().onAttemptFinished(outcome);
    if (decision instanceof RetryDecision.Retry retry) {
      if (response != null) {
        response.release();
      }
      state.backoffArmed(
          scheduler.schedule(
              () -> request.executor().execute(() -> attempt(request, state, result)),
              retry.backoff().toNanos(),
              TimeUnit.NANOSECONDS));
      return;
    }
    Optional<ResponseFlag> retryFlag = Optional.empty();
    if (decision instanceof RetryDecision.LimitExceeded) {
      retryFlag = Optional.of(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    } else if (decision instanceof RetryDecision.Overflow) {
      retryFlag = Optional.of(ResponseFlag.UPSTREAM_OVERFLOW);
    }
    if (response instanceof StreamedResponse streamed) {
      state.finishStreaming(streamed);
    } else {
      state.finish();
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
              host.toString(),
              state.attempts(),
              retryFlag));
    } else {
      // Envoy's finalizeResponseHeaders: the weighted cluster's changes, then the route's.
      state.cluster().responseHeaderChanges().applyTo(editor(response.headers()));
      state.route().action().responseHeaderChanges().applyTo(editor(response.headers()));
      state.setCookie().ifPresent(c -> response.headers().add("set-cookie", c));
      result.complete(
          new RequestOutcome.Proxied(
              response,
              routeName,
              clusterName,
              host.toString(),
              state.attempts(),
              retryFlag,
              response instanceof StreamedResponse streamed
                  ? UpstreamPrincipals.of(streamed.tlsSession())
                  : UpstreamPrincipals.NONE));
    }
  }

  /**
   * Envoy's SSL redirect ({@code SslRedirector}, {@code Utility::createSslRedirectPath}): 301 to
   * {@code https://<host><path>}, the Host and path as they arrived, no body, no route name.
   */
  private static RequestOutcome sslRedirect(RequestContext request) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(
        HttpHeaderNames.LOCATION,
        "https://" + request.headers().authority() + request.headers().path());
    return new RequestOutcome.DirectReply(301, headers, "", "");
  }

  /**
   * A route that answers itself: a redirect (its status, {@code location} from Envoy's {@code
   * newUri}, no body) or a direct response (status and body), each with the route's response header
   * changes, as Envoy's router answers a {@code DirectResponseEntry}.
   */
  private static Optional<RequestOutcome> directReply(Route route, RequestContext request) {
    RouteAction action = route.action();
    if (action.redirect().isEmpty() && action.directResponse().isEmpty()) {
      return Optional.empty();
    }
    HttpHeaders headers = new DefaultHttpHeaders();
    int status;
    String body;
    if (action.redirect().isPresent()) {
      String forwardedProto =
          Optional.ofNullable(request.downstream().headers().get("x-forwarded-proto"))
              .orElse("http");
      status = action.redirect().get().responseCode();
      headers.set(
          HttpHeaderNames.LOCATION,
          action.redirect().get().location(request.headers(), "http", forwardedProto));
      body = "";
    } else {
      status = action.directResponse().get().status();
      body = action.directResponse().get().body();
    }
    action.responseHeaderChanges().applyTo(editor(headers));
    return Optional.of(new RequestOutcome.DirectReply(status, headers, body, route.name()));
  }

  /**
   * Envoy's {@code finalizeRequestHeaders} for the picked cluster and the route: the weighted
   * cluster's header changes and host rewrite, then the route's, then the path rewrite (the
   * original path kept in {@code x-envoy-original-path}, since Istio's router does not suppress
   * Envoy headers).
   */
  static void finalizeRequest(FullHttpRequest forwarded, Route route, WeightedCluster cluster) {
    HttpHeaders headers = forwarded.headers();
    cluster.requestHeaderChanges().applyTo(editor(headers));
    cluster.hostRewrite().ifPresent(host -> headers.set(HttpHeaderNames.HOST, host));
    RouteAction action = route.action();
    action.requestHeaderChanges().applyTo(editor(headers));
    action.hostRewrite().ifPresent(host -> headers.set(HttpHeaderNames.HOST, host));
    if (action.rewrite().isPresent()) {
      String original = forwarded.uri();
      String rewritten = action.rewrite().get().rewrite(original, route.match().path());
      if (!rewritten.isEmpty()) {
        headers.set("x-envoy-original-path", original);
        forwarded.setUri(rewritten);
      }
    }
  }

  /** Netty's header map as the pure header changes edit it. */
  static HeaderChanges.HeaderEditor editor(HttpHeaders headers) {
    return new HeaderChanges.HeaderEditor() {
      @Override
      public boolean contains(String name) {
        return headers.contains(name);
      }

      @Override
      public void add(String name, String value) {
        headers.add(name, value);
      }

      @Override
      public void set(String name, String value) {
        headers.set(name, value);
      }

      @Override
      public void remove(String name) {
        headers.remove(name);
      }
    };
  }

  private long clockNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** The {@code grpc-status} of a trailers-only gRPC response, if the headers carry one. */
  private static OptionalInt grpcStatus(FullHttpResponse response) {
    String value = response.headers().get("grpc-status");
    if (value == null) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(value.strip()));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
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
    // Envoy's connection manager keeps the one TE value a gRPC server needs, "trailers", and drops
    // the rest (ConnectionManagerUtility::sanitizeTEHeader): without it grpc-java warns that an
    // intermediate proxy may not support trailers.
    if (request.headers().containsValue("te", "trailers", true)) {
      headers.set("te", "trailers");
    }
    // An upgrade the connection manager allowed (websocket) goes upstream as Envoy sends it.
    HttpProxyHandler.upgradeRequested(request)
        .ifPresent(
            protocol -> {
              headers.set("connection", "Upgrade");
              headers.set("upgrade", protocol);
            });
    // Envoy's connection manager drops x-envoy-internal from every downstream request it does not
    // find internal, and with Envoy 1.40's default internal_address_config none is (checked on
    // Envoy 1.40); a mirror copy gets it again after this.
    headers.remove(ENVOY_INTERNAL);
    headers.set("x-request-id", requestId);
    if (!headers.contains("x-forwarded-proto")) {
      headers.set("x-forwarded-proto", "http");
    }
    HttpUtil.setContentLength(upstream, upstream.content().readableBytes());
    return upstream;
  }
}
