package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.retry.RequestTimeouts;
import dev.meshproof.runtime.policy.retry.RetryState;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.telemetry.UpstreamAttempt;
import dev.meshproof.runtime.transport.StreamedResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The router's state for one request once its route and cluster are chosen: the retry state (the
 * pure policy object that decides whether and when another attempt follows), the timeouts, the
 * evidence of the attempts made so far, and the I/O handles a route timeout must cancel (the
 * attempt in flight, the armed back-off). Touched only on the request's executor.
 */
final class RouterState {
  private final Route route;
  private final WeightedCluster cluster;
  private final Optional<RandomSource> requestRandom;

  /** A cookie the hash policy made up, sent with the response ({@code set-cookie}). */
  private volatile Optional<String> setCookie = Optional.empty();

  Optional<String> setCookie() {
    return setCookie;
  }

  void setCookie(String value) {
    setCookie = Optional.of(value);
  }

  private final RetryState retry;
  private final RequestTimeouts timeouts;
  private final long startNanos;
  private final List<UpstreamAttempt> attempts = new ArrayList<>();
  private boolean done;
  private Optional<CompletableFuture<FullHttpResponse>> inFlight = Optional.empty();
  private Optional<Future<?>> pendingTimer = Optional.empty();
  private volatile Optional<Future<?>> routeTimer = Optional.empty();
  private Optional<StreamedResponse> streaming = Optional.empty();

  /**
   * @param requestRandom the request's own source ({@link RandomSource#forRequest}) when the app
   *     stamped an {@code x-request-id}; empty to draw from each cluster's shared stream
   * @param retry the retry state, drawing its back-off jitter from the request's own source when
   *     there is one
   */
  RouterState(
      Route route,
      WeightedCluster cluster,
      Optional<RandomSource> requestRandom,
      RetryState retry,
      RequestTimeouts timeouts,
      long startNanos) {
    this.route = route;
    this.cluster = cluster;
    this.requestRandom = requestRandom;
    this.retry = retry;
    this.timeouts = timeouts;
    this.startNanos = startNanos;
  }

  /** The source of this request's host picks, when it has its own. */
  Optional<RandomSource> requestRandom() {
    return requestRandom;
  }

  Route route() {
    return route;
  }

  WeightedCluster cluster() {
    return cluster;
  }

  RetryState retry() {
    return retry;
  }

  RequestTimeouts timeouts() {
    return timeouts;
  }

  long startNanos() {
    return startNanos;
  }

  /** The attempts so far, in order. */
  List<UpstreamAttempt> attempts() {
    return List.copyOf(attempts);
  }

  void recordAttempt(UpstreamAttempt attempt) {
    attempts.add(attempt);
  }

  /** True once the request's outcome is decided; late attempt results are then dropped. */
  boolean done() {
    return done;
  }

  /** Marks the request decided and cancels its timers; returns the attempt still in flight. */
  Optional<CompletableFuture<FullHttpResponse>> finish() {
    routeTimer.ifPresent(t -> t.cancel(false));
    return decided();
  }

  /**
   * Marks the request decided by a response whose body is still arriving: the route timeout keeps
   * running until the body ends ({@link #streamEnded}), as Envoy's global timeout runs until the
   * upstream response completes; if it fires first, the response is reset.
   */
  void finishStreaming(StreamedResponse response) {
    streaming = Optional.of(response);
    decided();
    response.finished().whenComplete((ended, reset) -> streamEnded());
  }

  /** The response whose body is being forwarded, if any. */
  Optional<StreamedResponse> streaming() {
    return streaming;
  }

  private void streamEnded() {
    routeTimer.ifPresent(t -> t.cancel(false));
  }

  private Optional<CompletableFuture<FullHttpResponse>> decided() {
    done = true;
    retry().onRequestFinished();
    pendingTimer.ifPresent(t -> t.cancel(false));
    Optional<CompletableFuture<FullHttpResponse>> running = inFlight;
    inFlight = Optional.empty();
    return running;
  }

  void inFlight(CompletableFuture<FullHttpResponse> attempt) {
    inFlight = Optional.of(attempt);
  }

  void attemptEnded() {
    inFlight = Optional.empty();
  }

  void backoffArmed(Future<?> timer) {
    pendingTimer = Optional.of(timer);
  }

  void routeTimerArmed(Future<?> timer) {
    routeTimer = Optional.of(timer);
  }
}
