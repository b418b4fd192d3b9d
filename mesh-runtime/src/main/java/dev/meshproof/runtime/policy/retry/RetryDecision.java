package dev.meshproof.runtime.policy.retry;

import java.time.Duration;

/**
 * What {@link RetryState} decided after an attempt, with its reason (Envoy's {@code RetryStatus}):
 * retry after a back-off, or keep this outcome because it is not retriable, because the retries are
 * used up (Envoy flags the request URX), or because the retry was not admitted (the cluster's retry
 * circuit breaker, Envoy flags UO).
 */
public sealed interface RetryDecision {

  /** Retry after {@code backoff}, as attempt number {@code nextAttempt} (1-based). */
  record Retry(Duration backoff, int nextAttempt) implements RetryDecision {}

  /** This outcome is not one the policy retries (or there is no policy). */
  record NotRetriable() implements RetryDecision {}

  /** The outcome was retriable but every retry is used: Envoy's URX. */
  record LimitExceeded() implements RetryDecision {}

  /** The outcome was retriable but the retry was not admitted: Envoy's UO. */
  record Overflow() implements RetryDecision {}
}
