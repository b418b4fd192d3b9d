package dev.meshproof.runtime.policy.retry;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.lb.PreviousPriorities;
import dev.meshproof.runtime.policy.upstream.AttemptOutcome;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Envoy's retry state for one request ({@code source/common/router/retry_state_impl.cc}): asks the
 * three questions separately — would this outcome be retried ({@link #wouldRetry}, a pure predicate
 * on the policy), is there budget left (retries remaining, then the {@link RetryAdmission}), and
 * when the next attempt runs (the jittered back-off, which the router arms on its scheduler). It
 * also answers the {@code previous_hosts} predicate for host selection, and keeps the {@code
 * previous_priorities} retry priority ({@link PreviousPriorities}) of the request.
 *
 * <p>Without a policy every outcome is final: exactly one attempt.
 */
public final class RetryState {
  private final Optional<RetryPolicy> policy;
  private final RandomSource random;
  private final RetryAdmission admission;
  private final Set<String> attemptedHosts = new HashSet<>();
  private final Optional<PreviousPriorities> retryPriority;
  private int attempts;
  private boolean retryActive;

  /**
   * @param policy the route's retry policy; empty for none
   * @param random the request's random source, for the back-off jitter
   * @param admission the retry circuit breaker
   */
  public RetryState(Optional<RetryPolicy> policy, RandomSource random, RetryAdmission admission) {
    this.policy = policy;
    this.random = random;
    this.admission = admission;
    this.retryPriority =
        policy
            .filter(p -> p.previousPrioritiesUpdateFrequency() > 0)
            .map(p -> new PreviousPriorities(p.previousPrioritiesUpdateFrequency()));
  }

  /**
   * The retry priority that shapes the priority load of the next attempt: present only when the
   * policy has one and the next attempt is a retry (Envoy's router consults it only on retries).
   */
  public Optional<PreviousPriorities> retryPriority() {
    return attempts == 0 ? Optional.empty() : retryPriority;
  }

  /** Attempts started so far. */
  public int attempts() {
    return attempts;
  }

  /** Records that attempt {@link #attempts()} + 1 starts on {@code host}; returns its number. */
  public int onAttemptStarted(String host) {
    attemptedHosts.add(host);
    retryPriority.ifPresent(p -> p.onHostAttempted(host));
    return ++attempts;
  }

  /** How many times host selection may be redone to satisfy {@link #shouldSelectAnotherHost}. */
  public int hostSelectionRetryMaxAttempts() {
    return policy.map(RetryPolicy::hostSelectionRetryMaxAttempts).orElse(0);
  }

  /**
   * Envoy's {@code previous_hosts} predicate: true when the policy has it and {@code host} was
   * already tried by this request.
   */
  public boolean shouldSelectAnotherHost(String host) {
    return policy.map(RetryPolicy::previousHosts).orElse(false) && attemptedHosts.contains(host);
  }

  /** Decides what follows an attempt that ended with {@code outcome}. */
  public RetryDecision onAttemptFinished(AttemptOutcome outcome) {
    // Envoy's shouldRetry starts with resetRetry(): the retry that led here is over.
    onRequestFinished();
    if (policy.isEmpty() || !wouldRetry(policy.get(), outcome)) {
      return new RetryDecision.NotRetriable();
    }
    if (attempts > policy.get().numRetries()) {
      return new RetryDecision.LimitExceeded();
    }
    if (!admission.tryAdmitRetry()) {
      return new RetryDecision.Overflow();
    }
    retryActive = true;
    return new RetryDecision.Retry(
        policy.get().backoff().nextBackoff(attempts, random), attempts + 1);
  }

  /**
   * The request is over (answered, timed out or reset): a retry still active (in its back-off or
   * its attempt) is released to the retry circuit breaker.
   */
  public void onRequestFinished() {
    if (retryActive) {
      retryActive = false;
      admission.retryFinished();
    }
  }

  /**
   * Whether {@code policy} retries {@code outcome}, as Envoy's {@code wouldRetryFromHeaders} and
   * {@code wouldRetryFromReset} decide. A per-try timeout is a local reset: {@code 5xx}, {@code
   * gateway-error} and {@code reset} retry it, {@code connect-failure} does not.
   */
  public static boolean wouldRetry(RetryPolicy policy, AttemptOutcome outcome) {
    Set<RetryOn> on = policy.retryOn();
    if (outcome instanceof AttemptOutcome.Failure failure) {
      return on.contains(RetryOn.FIVE_XX)
          || on.contains(RetryOn.GATEWAY_ERROR)
          || on.contains(RetryOn.RESET)
          || (on.contains(RetryOn.CONNECT_FAILURE)
              && failure.kind() == AttemptOutcome.Failure.Kind.CONNECT_FAILURE);
    }
    return wouldRetryResponse(policy, (AttemptOutcome.Response) outcome);
  }

  private static boolean wouldRetryResponse(RetryPolicy policy, AttemptOutcome.Response response) {
    Set<RetryOn> on = policy.retryOn();
    int status = response.status();
    if (on.contains(RetryOn.FIVE_XX) && status >= 500) {
      return true;
    }
    if (on.contains(RetryOn.GATEWAY_ERROR) && (status == 502 || status == 503 || status == 504)) {
      return true;
    }
    if (on.contains(RetryOn.RETRIABLE_4XX) && status == 409) {
      return true;
    }
    if (on.contains(RetryOn.RETRIABLE_STATUS_CODES)
        && policy.retriableStatusCodes().contains(status)) {
      return true;
    }
    if (response.grpcStatus().isEmpty()) {
      return false;
    }
    return switch (response.grpcStatus().getAsInt()) {
      case 1 -> on.contains(RetryOn.CANCELLED);
      case 4 -> on.contains(RetryOn.DEADLINE_EXCEEDED);
      case 8 -> on.contains(RetryOn.RESOURCE_EXHAUSTED);
      case 13 -> on.contains(RetryOn.INTERNAL);
      case 14 -> on.contains(RetryOn.UNAVAILABLE);
      default -> false;
    };
  }
}
