package dev.meshproof.runtime.policy.retry;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Envoy's {@code route.v3.RetryPolicy} as istiod produces it ({@code
 * pilot/pkg/networking/core/route/retry/retry.go} {@code ConvertPolicy}): how many retries, on
 * which outcomes, the per-try timeout, whether hosts already tried are avoided ({@code
 * envoy.retry_host_predicates.previous_hosts}) and how often host selection is re-attempted for
 * that, and the back-off. A value of the route action, honoured by {@link RetryState}.
 *
 * @param numRetries retries after the first attempt, so at most {@code 1 + numRetries} attempts
 * @param retryOn the conditions that make an attempt's outcome retriable
 * @param retriableStatusCodes the statuses {@link RetryOn#RETRIABLE_STATUS_CODES} retries
 * @param perTryTimeout the timeout of each attempt; empty for none (the route timeout still holds)
 * @param previousHosts whether a retry avoids the hosts already tried
 * @param hostSelectionRetryMaxAttempts how many times a host pick is redone to avoid a tried host
 * @param backoff the back-off between attempts
 * @param previousPrioritiesUpdateFrequency the {@code update_frequency} of the {@code
 *     previous_priorities} retry priority (Istio's {@code retryRemoteLocalities}); 0 for none
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-retrypolicy">Envoy
 *     RetryPolicy</a>
 */
public record RetryPolicy(
    int numRetries,
    Set<RetryOn> retryOn,
    Set<Integer> retriableStatusCodes,
    Optional<Duration> perTryTimeout,
    boolean previousHosts,
    int hostSelectionRetryMaxAttempts,
    RetryBackoff backoff,
    int previousPrioritiesUpdateFrequency) {

  public RetryPolicy {
    if (numRetries < 0) {
      throw new IllegalArgumentException("numRetries: " + numRetries + " (expected: >= 0)");
    }
    retryOn = retryOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(retryOn));
    retriableStatusCodes = Set.copyOf(new LinkedHashSet<>(retriableStatusCodes));
    for (int code : retriableStatusCodes) {
      if (code < 100 || code > 599) {
        throw new IllegalArgumentException(
            "retriableStatusCodes: " + code + " (expected: 100..599)");
      }
    }
    if (perTryTimeout.isPresent()
        && (perTryTimeout.get().isNegative() || perTryTimeout.get().isZero())) {
      throw new IllegalArgumentException(
          "perTryTimeout: " + perTryTimeout.get() + " (expected: > 0s, or unset)");
    }
    if (hostSelectionRetryMaxAttempts < 0) {
      throw new IllegalArgumentException(
          "hostSelectionRetryMaxAttempts: " + hostSelectionRetryMaxAttempts + " (expected: >= 0)");
    }
    if (previousPrioritiesUpdateFrequency < 0) {
      throw new IllegalArgumentException(
          "previousPrioritiesUpdateFrequency: "
              + previousPrioritiesUpdateFrequency
              + " (expected: >= 0)");
    }
  }

  /** A policy without a retry priority. */
  public RetryPolicy(
      int numRetries,
      Set<RetryOn> retryOn,
      Set<Integer> retriableStatusCodes,
      Optional<Duration> perTryTimeout,
      boolean previousHosts,
      int hostSelectionRetryMaxAttempts,
      RetryBackoff backoff) {
    this(
        numRetries,
        retryOn,
        retriableStatusCodes,
        perTryTimeout,
        previousHosts,
        hostSelectionRetryMaxAttempts,
        backoff,
        0);
  }

  /** A policy with Envoy's defaults for everything but the retries and conditions. */
  public static RetryPolicy of(int numRetries, Set<RetryOn> retryOn) {
    return new RetryPolicy(
        numRetries, retryOn, Set.of(), Optional.empty(), false, 1, RetryBackoff.ENVOY_DEFAULT);
  }
}
