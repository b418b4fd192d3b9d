package dev.meshproof.runtime.policy.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.upstream.AttemptOutcome;
import dev.meshproof.runtime.policy.upstream.AttemptOutcome.Failure;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RetryStateTest {
  /** Istio's default policy as istiod emits it for 1.24+ (no retriable status codes). */
  private static final RetryPolicy ISTIO_DEFAULT =
      new RetryPolicy(
          2,
          EnumSet.of(
              RetryOn.CONNECT_FAILURE,
              RetryOn.REFUSED_STREAM,
              RetryOn.UNAVAILABLE,
              RetryOn.CANCELLED,
              RetryOn.RETRIABLE_STATUS_CODES),
          Set.of(),
          Optional.empty(),
          true,
          5,
          RetryBackoff.ENVOY_DEFAULT);

  private static RetryState state(RetryPolicy policy) {
    return new RetryState(Optional.of(policy), RandomSource.seeded(7), RetryAdmission.UNLIMITED);
  }

  @Test
  void withoutAPolicyEveryOutcomeIsFinal() {
    RetryState state = new RetryState(Optional.empty(), RandomSource.seeded(1), () -> true);
    state.onAttemptStarted("h1");
    assertThat(state.onAttemptFinished(new Failure(Failure.Kind.CONNECT_FAILURE)))
        .isInstanceOf(RetryDecision.NotRetriable.class);
  }

  @Test
  void retriesAreNotAttemptedForStatusesOutsideRetryOn() {
    RetryPolicy policy = RetryPolicy.of(3, EnumSet.of(RetryOn.GATEWAY_ERROR));
    for (int status : new int[] {200, 404, 500, 501, 409}) {
      assertThat(RetryState.wouldRetry(policy, new AttemptOutcome.Response(status)))
          .as("status %d", status)
          .isFalse();
    }
    for (int status : new int[] {502, 503, 504}) {
      assertThat(RetryState.wouldRetry(policy, new AttemptOutcome.Response(status))).isTrue();
    }
  }

  @Test
  void istioDefaultRetriesConnectFailuresButNotA503OrAPerTryTimeout() {
    assertThat(RetryState.wouldRetry(ISTIO_DEFAULT, new Failure(Failure.Kind.CONNECT_FAILURE)))
        .isTrue();
    assertThat(RetryState.wouldRetry(ISTIO_DEFAULT, new AttemptOutcome.Response(503))).isFalse();
    assertThat(RetryState.wouldRetry(ISTIO_DEFAULT, new Failure(Failure.Kind.TIMEOUT))).isFalse();
    assertThat(RetryState.wouldRetry(ISTIO_DEFAULT, new Failure(Failure.Kind.RESET))).isFalse();
    RetryPolicy istio123 =
        new RetryPolicy(
            2,
            ISTIO_DEFAULT.retryOn(),
            Set.of(503),
            Optional.empty(),
            true,
            5,
            RetryBackoff.ENVOY_DEFAULT);
    assertThat(RetryState.wouldRetry(istio123, new AttemptOutcome.Response(503))).isTrue();
  }

  @Test
  void aPerTryTimeoutIsALocalResetRetriedBy5xxGatewayErrorAndReset() {
    for (RetryOn on : EnumSet.of(RetryOn.FIVE_XX, RetryOn.GATEWAY_ERROR, RetryOn.RESET)) {
      assertThat(
              RetryState.wouldRetry(
                  RetryPolicy.of(1, Set.of(on)), new Failure(Failure.Kind.TIMEOUT)))
          .as(on.token())
          .isTrue();
    }
    assertThat(
            RetryState.wouldRetry(
                RetryPolicy.of(1, Set.of(RetryOn.CONNECT_FAILURE)),
                new Failure(Failure.Kind.TIMEOUT)))
        .isFalse();
  }

  @Test
  void grpcConditionsReadTheGrpcStatusOfTheHeaders() {
    RetryPolicy policy = RetryPolicy.of(1, EnumSet.of(RetryOn.UNAVAILABLE, RetryOn.INTERNAL));
    assertThat(RetryState.wouldRetry(policy, new AttemptOutcome.Response(200, OptionalInt.of(14))))
        .isTrue();
    assertThat(RetryState.wouldRetry(policy, new AttemptOutcome.Response(200, OptionalInt.of(13))))
        .isTrue();
    assertThat(RetryState.wouldRetry(policy, new AttemptOutcome.Response(200, OptionalInt.of(4))))
        .isFalse();
    assertThat(RetryState.wouldRetry(policy, new AttemptOutcome.Response(503))).isFalse();
  }

  @Test
  void aRetriableOutcomeAfterTheLastRetryIsLimitExceeded() {
    RetryState state = state(RetryPolicy.of(2, EnumSet.of(RetryOn.FIVE_XX)));
    AttemptOutcome fail = new AttemptOutcome.Response(503);
    state.onAttemptStarted("h");
    assertThat(state.onAttemptFinished(fail)).isInstanceOf(RetryDecision.Retry.class);
    state.onAttemptStarted("h");
    assertThat(state.onAttemptFinished(fail)).isInstanceOf(RetryDecision.Retry.class);
    state.onAttemptStarted("h");
    assertThat(state.onAttemptFinished(fail)).isInstanceOf(RetryDecision.LimitExceeded.class);
    assertThat(state.onAttemptFinished(new AttemptOutcome.Response(200)))
        .isInstanceOf(RetryDecision.NotRetriable.class);
  }

  @Test
  void aRetryTheCircuitBreakerRefusesIsAnOverflow() {
    RetryState state =
        new RetryState(
            Optional.of(RetryPolicy.of(2, EnumSet.of(RetryOn.FIVE_XX))),
            RandomSource.seeded(1),
            () -> false);
    state.onAttemptStarted("h");
    assertThat(state.onAttemptFinished(new AttemptOutcome.Response(500)))
        .isInstanceOf(RetryDecision.Overflow.class);
  }

  @Test
  void previousHostsAsksForAnotherHostOnlyForHostsAlreadyTried() {
    RetryState state = state(ISTIO_DEFAULT);
    assertThat(state.hostSelectionRetryMaxAttempts()).isEqualTo(5);
    state.onAttemptStarted("h1");
    assertThat(state.shouldSelectAnotherHost("h1")).isTrue();
    assertThat(state.shouldSelectAnotherHost("h2")).isFalse();
    RetryState without = state(RetryPolicy.of(2, EnumSet.of(RetryOn.FIVE_XX)));
    without.onAttemptStarted("h1");
    assertThat(without.shouldSelectAnotherHost("h1")).isFalse();
  }

  @Test
  void theBackoffIsEnvoysDrawModuloTheDoublingInterval() {
    RetryBackoff backoff = RetryBackoff.ENVOY_DEFAULT;
    assertThat(backoff.intervalBefore(1)).isEqualTo(Duration.ofMillis(25));
    assertThat(backoff.intervalBefore(2)).isEqualTo(Duration.ofMillis(50));
    assertThat(backoff.intervalBefore(3)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.intervalBefore(4)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.intervalBefore(5)).isEqualTo(Duration.ofMillis(250));
    assertThat(backoff.intervalBefore(40)).isEqualTo(Duration.ofMillis(250));
    // A pinned draw of 1037 is 1037 % 50 = 37 ms before the second retry.
    assertThat(backoff.nextBackoff(2, RandomSource.pinned(1037, 0)))
        .isEqualTo(Duration.ofMillis(37));
  }

  @Property
  void attemptsNeverExceedOnePlusRetries(
      @ForAll @IntRange(min = 0, max = 10) int retries,
      @ForAll @LongRange(min = 0, max = 1000) long seed,
      @ForAll @IntRange(min = 1, max = 30) int failuresBeforeSuccess) {
    RetryState state =
        new RetryState(
            Optional.of(RetryPolicy.of(retries, EnumSet.of(RetryOn.FIVE_XX))),
            RandomSource.seeded(seed),
            RetryAdmission.UNLIMITED);
    RetryDecision decision;
    do {
      int attempt = state.onAttemptStarted("h");
      AttemptOutcome outcome =
          attempt <= failuresBeforeSuccess
              ? new AttemptOutcome.Response(503)
              : new AttemptOutcome.Response(200);
      decision = state.onAttemptFinished(outcome);
    } while (decision instanceof RetryDecision.Retry);
    assertThat(state.attempts()).isLessThanOrEqualTo(1 + retries);
    assertThat(state.attempts()).isEqualTo(Math.min(1 + retries, failuresBeforeSuccess + 1));
    assertThat(decision instanceof RetryDecision.LimitExceeded)
        .isEqualTo(failuresBeforeSuccess > retries);
  }

  @Property
  void backoffIsWithinZeroAndTheCap(
      @ForAll @IntRange(min = 1, max = 64) int retry,
      @ForAll @LongRange(min = 1, max = 1000) long baseMillis,
      @ForAll @IntRange(min = 1, max = 20) int maxFactor,
      @ForAll long seed) {
    RetryBackoff backoff =
        new RetryBackoff(Duration.ofMillis(baseMillis), Duration.ofMillis(baseMillis * maxFactor));
    Duration d = backoff.nextBackoff(retry, RandomSource.seeded(seed));
    assertThat(d).isGreaterThanOrEqualTo(Duration.ZERO);
    assertThat(d).isLessThan(backoff.intervalBefore(retry));
    assertThat(backoff.intervalBefore(retry)).isLessThanOrEqualTo(backoff.max());
  }
}
