package dev.meshproof.runtime.policy.circuit;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One cluster's circuit breaker in one proxy: Envoy's resource manager ({@code
 * resource_manager_impl.h}: a resource can be created while its count is below its limit) and the
 * HTTP/1.1 connection pool's admission ({@code conn_pool_base.cc newStreamImpl /
 * tryCreateNewConnection}), as a pure decision over counts.
 *
 * <p>Over HTTP/1.1 a connection carries one request at a time, so a request is dispatched when a
 * connection can be used for it: the cluster is below {@code max_connections}, or — Envoy's
 * anti-starvation rule — its host has no connection in use at all. Otherwise it waits in the host's
 * queue while the cluster has fewer than {@code max_pending_requests} waiting, and overflows (503,
 * flag UO, {@code x-envoy-overloaded: true}) when it does not. {@code max_requests} bounds the
 * requests in flight. A finished request hands its connection to the next waiter of its host.
 *
 * <p>Connections are counted while in use: an idle keep-alive connection is reused by the next
 * request and not counted, which gives Envoy's admission for one host per cluster; with several
 * hosts, Envoy also counts idle connections towards the limit (a documented difference).
 *
 * @param <H> the host key
 * @param <W> a waiting request, handed back when it is dispatched
 */
public final class CircuitBreaker<H, W> {

  /** Why a request was not admitted; each is one of Envoy's overflow counters. */
  public enum Overflow {
    /** {@code upstream_rq_pending_overflow}: the pending queue is full. */
    PENDING_REQUESTS("upstream_rq_pending_overflow"),
    /** {@code upstream_rq_pending_overflow} as counted by Envoy for {@code max_requests} too. */
    REQUESTS("upstream_rq_pending_overflow"),
    /** {@code upstream_rq_retry_overflow}: a retry beyond {@code max_retries}. */
    RETRIES("upstream_rq_retry_overflow");

    private final String counter;

    Overflow(String counter) {
      this.counter = counter;
    }

    /** The Envoy cluster counter this overflow increments. */
    public String counter() {
      return counter;
    }
  }

  /** The decision for one request. */
  public sealed interface Admission {
    /** A connection is free for it: send now. */
    record Dispatch() implements Admission {}

    /** It waits for a connection of its host; {@link #release} hands it back when one frees. */
    record Queued() implements Admission {}

    /** Refused: answer 503 UO at once. */
    record Overflowed(Overflow reason) implements Admission {}
  }

  /** The counts, for {@code /clusters}, stats and tests. */
  public record Counts(
      long connectionsInUse,
      long pendingRequests,
      long activeRequests,
      long activeRetries,
      long connectionOverflows,
      long pendingOverflows,
      long retryOverflows) {}

  private final CircuitBreakerThresholds thresholds;
  private final Map<H, Integer> busy = new HashMap<>();
  private final Map<H, ArrayDeque<W>> waiting = new HashMap<>();
  private long connections;
  private long pending;
  private long requests;
  private long retries;
  private long connectionOverflows;
  private long pendingOverflows;
  private long retryOverflows;

  public CircuitBreaker(CircuitBreakerThresholds thresholds) {
    this.thresholds = thresholds;
  }

  public CircuitBreakerThresholds thresholds() {
    return thresholds;
  }

  /** Admits a request to {@code host}; when {@link Admission.Queued}, {@code waiter} is kept. */
  public synchronized Admission admit(H host, W waiter) {
    boolean canConnect = connections < thresholds.maxConnections();
    if (!canConnect) {
      connectionOverflows++;
    }
    if (canConnect || busy.getOrDefault(host, 0) == 0) {
      if (requests >= thresholds.maxRequests()) {
        pendingOverflows++;
        return new Admission.Overflowed(Overflow.REQUESTS);
      }
      busy.merge(host, 1, Integer::sum);
      connections++;
      requests++;
      return new Admission.Dispatch();
    }
    if (pending >= thresholds.maxPendingRequests()) {
      pendingOverflows++;
      return new Admission.Overflowed(Overflow.PENDING_REQUESTS);
    }
    waiting.computeIfAbsent(host, h -> new ArrayDeque<>()).add(waiter);
    pending++;
    return new Admission.Queued();
  }

  /**
   * A dispatched request to {@code host} finished: its connection goes to the host's next waiter,
   * which is returned (now dispatched), or is released.
   */
  public synchronized Optional<W> release(H host) {
    ArrayDeque<W> queue = waiting.get(host);
    W next = queue == null ? null : queue.poll();
    if (next != null) {
      pending--;
      return Optional.of(next);
    }
    int inUse = busy.getOrDefault(host, 0);
    if (inUse == 0) {
      throw new IllegalStateException("release of " + host + " without a dispatched request");
    }
    if (inUse == 1) {
      busy.remove(host);
    } else {
      busy.put(host, inUse - 1);
    }
    connections--;
    requests--;
    return Optional.empty();
  }

  /** Starts a retry if below {@code max_retries}; false counts a retry overflow. */
  public synchronized boolean tryStartRetry() {
    if (retries >= thresholds.maxRetries()) {
      retryOverflows++;
      return false;
    }
    retries++;
    return true;
  }

  /** A retry started with {@link #tryStartRetry()} finished. */
  public synchronized void finishRetry() {
    if (retries == 0) {
      throw new IllegalStateException("finishRetry without a retry in flight");
    }
    retries--;
  }

  public synchronized Counts counts() {
    return new Counts(
        connections,
        pending,
        requests,
        retries,
        connectionOverflows,
        pendingOverflows,
        retryOverflows);
  }
}
