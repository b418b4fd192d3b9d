package dev.meshproof.runtime.policy.fault;

import dev.meshproof.common.RandomSource;
import java.time.Duration;
import java.util.Optional;

/**
 * What the fault filter does to one request, decided as Envoy's {@code FaultFilter} does: first
 * whether to delay it ({@code maybeSetupDelay}), then, once the delay (if any) has passed, whether
 * to abort it ({@code postDelayInjection}); each percentage is an independent draw. Both draws come
 * from the request's own {@link RandomSource}, so a seeded run replays exactly.
 *
 * @param delay the delay to inject (flag DI), if any
 * @param abort the abort to answer with (flag FI) after the delay, if any
 */
public record FaultDecision(Optional<Duration> delay, Optional<FaultPolicy.Abort> abort) {

  /** Nothing injected. */
  public static final FaultDecision NONE = new FaultDecision(Optional.empty(), Optional.empty());

  /** Decides the delay, then the abort, each from its own draw of {@code random}. */
  public static FaultDecision decide(FaultPolicy policy, RandomSource random) {
    if (policy.abort().isEmpty() && policy.delay().isEmpty()) {
      return NONE;
    }
    Optional<Duration> delay =
        policy
            .delay()
            .filter(d -> d.percentage().sample(random))
            .map(FaultPolicy.Delay::fixedDelay)
            // Envoy's delayDuration: a zero delay is no delay (no DI).
            .filter(d -> !d.isZero());
    Optional<FaultPolicy.Abort> abort = policy.abort().filter(a -> a.percentage().sample(random));
    return new FaultDecision(delay, abort);
  }

  /** Whether anything is injected. */
  public boolean injects() {
    return delay.isPresent() || abort.isPresent();
  }
}
