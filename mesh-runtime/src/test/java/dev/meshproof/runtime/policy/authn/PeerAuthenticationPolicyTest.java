package dev.meshproof.runtime.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PeerAuthenticationPolicyTest {
  private static final Map<String, String> REVIEWS = Map.of("app", "reviews");

  private static PeerAuthenticationScope mesh(PeerAuthenticationMode mode) {
    return new PeerAuthenticationScope("istio-system", Optional.empty(), mode, Map.of());
  }

  private static PeerAuthenticationScope namespace(PeerAuthenticationMode mode) {
    return new PeerAuthenticationScope("default", Optional.empty(), mode, Map.of());
  }

  private static PeerAuthenticationScope workload(
      PeerAuthenticationMode mode, Map<Integer, PeerAuthenticationMode> ports) {
    return new PeerAuthenticationScope("default", Optional.of(REVIEWS), mode, ports);
  }

  private static PeerAuthenticationMode modeFor(PeerAuthenticationScope... policies) {
    return PeerAuthenticationPolicy.modeFor(List.of(policies), "default", REVIEWS, 9080);
  }

  @Test
  void nothingIsPermissive() {
    assertThat(modeFor()).isEqualTo(PeerAuthenticationMode.PERMISSIVE);
  }

  @Test
  void namespaceOverridesMeshAndWorkloadOverridesNamespaceAndPortOverridesWorkload() {
    assertThat(modeFor(mesh(PeerAuthenticationMode.STRICT)))
        .isEqualTo(PeerAuthenticationMode.STRICT);
    assertThat(
            modeFor(mesh(PeerAuthenticationMode.STRICT), namespace(PeerAuthenticationMode.DISABLE)))
        .isEqualTo(PeerAuthenticationMode.DISABLE);
    assertThat(
            modeFor(
                namespace(PeerAuthenticationMode.DISABLE),
                workload(PeerAuthenticationMode.STRICT, Map.of())))
        .isEqualTo(PeerAuthenticationMode.STRICT);
    assertThat(
            modeFor(
                namespace(PeerAuthenticationMode.STRICT),
                workload(
                    PeerAuthenticationMode.UNSET, Map.of(9080, PeerAuthenticationMode.DISABLE))))
        .isEqualTo(PeerAuthenticationMode.DISABLE);
  }

  @Test
  void unsetInheritsAndTheOldestPolicyOfAScopeWins() {
    assertThat(
            modeFor(mesh(PeerAuthenticationMode.STRICT), namespace(PeerAuthenticationMode.UNSET)))
        .isEqualTo(PeerAuthenticationMode.STRICT);
    assertThat(
            modeFor(
                namespace(PeerAuthenticationMode.DISABLE),
                namespace(PeerAuthenticationMode.STRICT)))
        .isEqualTo(PeerAuthenticationMode.DISABLE);
  }

  @Test
  void aSelectorThatDoesNotMatchOrAnotherNamespaceDoesNotApply() {
    var other =
        new PeerAuthenticationScope(
            "default",
            Optional.of(Map.of("app", "ratings")),
            PeerAuthenticationMode.DISABLE,
            Map.of());
    var elsewhere =
        new PeerAuthenticationScope(
            "prod", Optional.empty(), PeerAuthenticationMode.DISABLE, Map.of());
    assertThat(modeFor(namespace(PeerAuthenticationMode.STRICT), other, elsewhere))
        .isEqualTo(PeerAuthenticationMode.STRICT);
  }

  /**
   * The property behind "under STRICT nothing plaintext reaches the app": when the policy that
   * decides last (the port's, else the workload's, else the namespace's, else the mesh's) says
   * STRICT, the effective mode is STRICT whatever the other levels say.
   */
  @Property(tries = 500)
  void theMostSpecificSetLevelDecides(@ForAll("levels") List<PeerAuthenticationMode> levels) {
    PeerAuthenticationMode meshMode = levels.get(0);
    PeerAuthenticationMode nsMode = levels.get(1);
    PeerAuthenticationMode workloadMode = levels.get(2);
    PeerAuthenticationMode portMode = levels.get(3);
    List<PeerAuthenticationScope> policies = new ArrayList<>();
    policies.add(mesh(meshMode));
    policies.add(namespace(nsMode));
    policies.add(workload(workloadMode, Map.of(9080, portMode)));

    PeerAuthenticationMode expected = PeerAuthenticationMode.PERMISSIVE;
    for (PeerAuthenticationMode level : levels) {
      if (level != PeerAuthenticationMode.UNSET) {
        expected = level;
      }
    }
    assertThat(PeerAuthenticationPolicy.modeFor(policies, "default", REVIEWS, 9080))
        .isEqualTo(expected)
        .isNotEqualTo(PeerAuthenticationMode.UNSET);
  }

  @Provide
  Arbitrary<List<PeerAuthenticationMode>> levels() {
    Arbitrary<PeerAuthenticationMode> mode = Arbitraries.of(PeerAuthenticationMode.class);
    return Combinators.combine(mode, mode, mode, mode).as(List::of);
  }
}
