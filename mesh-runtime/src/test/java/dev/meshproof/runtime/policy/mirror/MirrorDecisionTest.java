package dev.meshproof.runtime.policy.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.route.FractionalPercent;
import dev.meshproof.runtime.policy.route.MirrorPolicy;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class MirrorDecisionTest {
  private static final MirrorPolicy QUARTER =
      new MirrorPolicy("outbound|80|v2|catalog", new FractionalPercent(250_000, 1_000_000), true);
  private static final MirrorPolicy HALF_A =
      new MirrorPolicy("a", new FractionalPercent(50, 100), false);
  private static final MirrorPolicy HALF_B =
      new MirrorPolicy("b", new FractionalPercent(50, 100), false);

  @Test
  void aDrawBelowTheNumeratorMirrorsAndOneAtItDoesNot() {
    assertThat(MirrorDecision.mirrorsFor(List.of(QUARTER), RandomSource.pinned(249_999, 0)))
        .containsExactly(QUARTER);
    assertThat(MirrorDecision.mirrorsFor(List.of(QUARTER), RandomSource.pinned(250_000, 0)))
        .isEmpty();
    // The draw is reduced modulo the denominator, as Envoy's featureEnabled does.
    assertThat(MirrorDecision.mirrorsFor(List.of(QUARTER), RandomSource.pinned(1_000_001, 0)))
        .containsExactly(QUARTER);
  }

  /** Envoy 1.40: two 50% mirrors copied the same 104 of 200 requests; none went to only one. */
  @Property
  void policiesOfOneRouteShareTheRequestsDraw(@ForAll @LongRange(min = 0) long draw) {
    List<MirrorPolicy> chosen =
        MirrorDecision.mirrorsFor(List.of(HALF_A, HALF_B), RandomSource.pinned(draw, 0));
    assertThat(chosen).isIn(List.of(), List.of(HALF_A, HALF_B));
  }

  @Property
  void aZeroNumeratorNeverMirrorsAndAFullOneAlwaysDoes(@ForAll @LongRange(min = 0) long draw) {
    MirrorPolicy never = new MirrorPolicy("n", new FractionalPercent(0, 1_000_000), false);
    MirrorPolicy always = new MirrorPolicy("a", FractionalPercent.ALWAYS, false);
    assertThat(MirrorDecision.mirrorsFor(List.of(never, always), RandomSource.pinned(draw, 0)))
        .containsExactly(always);
  }

  @Test
  void noPoliciesDrawNothing() {
    assertThat(MirrorDecision.mirrorsFor(List.of(), RandomSource.pinned(0, 0))).isEmpty();
  }

  @Test
  void theShadowSuffixGoesBeforeThePortUnlessDisabled() {
    MirrorPolicy suffixed = new MirrorPolicy("c", FractionalPercent.ALWAYS, false);
    assertThat(MirrorDecision.shadowAuthority("catalog:9080", suffixed))
        .isEqualTo("catalog-shadow:9080");
    assertThat(MirrorDecision.shadowAuthority("catalog", suffixed)).isEqualTo("catalog-shadow");
    assertThat(MirrorDecision.shadowAuthority("[::1]:80", suffixed)).isEqualTo("[::1]-shadow:80");
    assertThat(MirrorDecision.shadowAuthority("catalog:9080", QUARTER)).isEqualTo("catalog:9080");
  }
}
