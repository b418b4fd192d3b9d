package dev.meshproof.runtime.policy.retry;

/**
 * Whether one more retry may start: the cluster's retry circuit breaker ({@code max_retries}) in
 * Envoy. {@link RetryState} asks it only once it has decided an outcome would be retried and budget
 * is left, as Envoy's {@code RetryStateImpl::shouldRetry} does. An admitted retry stays active
 * through its back-off and its attempt, until the next decision or the end of the request ({@code
 * RetryStateImpl::resetRetry}).
 */
@FunctionalInterface
public interface RetryAdmission {
  /** Every retry admitted (no retry circuit breaker). */
  RetryAdmission UNLIMITED = () -> true;

  /** True to admit the retry (and count it as active); false is an overflow. */
  boolean tryAdmitRetry();

  /** A retry admitted by {@link #tryAdmitRetry()} is over (its attempt ended, or the request). */
  default void retryFinished() {}
}
