package dev.meshproof.runtime.policy.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.route.FractionalPercent;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class FaultDecisionTest {
  private static final FaultPolicy.Abort ABORT_30 =
      new FaultPolicy.Abort(
          OptionalInt.of(503), OptionalInt.empty(), new FractionalPercent(300_000, 1_000_000));
  private static final FaultPolicy.Delay DELAY_ALWAYS =
      new FaultPolicy.Delay(Duration.ofMillis(200), FractionalPercent.ALWAYS);

  @Test
  void anAbortHappensBelowItsPercentageOnly() {
    FaultPolicy policy = new FaultPolicy(Optional.of(ABORT_30), Optional.empty());
    assertThat(FaultDecision.decide(policy, RandomSource.pinned(299_999, 0)).abort())
        .contains(ABORT_30);
    assertThat(FaultDecision.decide(policy, RandomSource.pinned(300_000, 0)).abort()).isEmpty();
  }

  @Test
  void aDelayAndAnAbortAreDecidedTogetherAndTheAbortFollowsTheDelay() {
    FaultPolicy policy = new FaultPolicy(Optional.of(ABORT_30), Optional.of(DELAY_ALWAYS));
    FaultDecision decision = FaultDecision.decide(policy, RandomSource.pinned(0, 0));
    assertThat(decision.delay()).contains(Duration.ofMillis(200));
    assertThat(decision.abort()).contains(ABORT_30);
  }

  /** Envoy's default FractionalPercent (an unset percentage) is 0 of 100: never. */
  @Property
  void anUnsetPercentageNeverInjects(@ForAll @LongRange(min = 0) long draw) {
    FaultPolicy policy =
        new FaultPolicy(
            Optional.of(
                new FaultPolicy.Abort(
                    OptionalInt.of(418), OptionalInt.empty(), FractionalPercent.NEVER)),
            Optional.of(new FaultPolicy.Delay(Duration.ofSeconds(1), FractionalPercent.NEVER)));
    assertThat(FaultDecision.decide(policy, RandomSource.pinned(draw, 0)).injects()).isFalse();
  }

  @Test
  void theFiltersEmptyConfigurationInjectsNothing() {
    assertThat(FaultDecision.decide(FaultPolicy.NONE, RandomSource.pinned(0, 0)))
        .isEqualTo(FaultDecision.NONE);
  }

  @Test
  void aSeededRequestSourceReplaysTheSameDecisions() {
    FaultPolicy policy =
        new FaultPolicy(
            Optional.of(ABORT_30),
            Optional.of(
                new FaultPolicy.Delay(Duration.ofMillis(5), new FractionalPercent(50, 100))));
    for (int i = 0; i < 200; i++) {
      String id = "req-" + i;
      assertThat(FaultDecision.decide(policy, RandomSource.seeded(7).forRequest(id)))
          .isEqualTo(FaultDecision.decide(policy, RandomSource.seeded(7).forRequest(id)));
    }
  }

  @Test
  void aGrpcAbortAnswersHttp200AndAbortsCheckTheirStatus() {
    assertThat(
            new FaultPolicy.Abort(OptionalInt.empty(), OptionalInt.of(14), FractionalPercent.ALWAYS)
                .localReplyStatus())
        .isEqualTo(200);
    assertThatThrownBy(
            () ->
                new FaultPolicy.Abort(
                    OptionalInt.of(600), OptionalInt.empty(), FractionalPercent.ALWAYS))
        .hasMessageContaining("abort.http_status: 600");
    assertThatThrownBy(
            () ->
                new FaultPolicy.Abort(
                    OptionalInt.of(503), OptionalInt.of(14), FractionalPercent.ALWAYS))
        .hasMessageContaining("exactly one");
  }
}
