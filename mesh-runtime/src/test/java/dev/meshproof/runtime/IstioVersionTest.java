package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.policy.lb.LbPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IstioVersionTest {

  @Test
  void parsesMinorAndPatchReleases() {
    assertThat(IstioVersion.of("1.28")).isEqualTo(new IstioVersion(1, 28, 0));
    assertThat(IstioVersion.of(" 1.28.3 ")).isEqualTo(new IstioVersion(1, 28, 3));
    assertThat(IstioVersion.of("1.28.3")).isGreaterThan(IstioVersion.of("1.28"));
    assertThat(IstioVersion.CURRENT).hasToString("1.32.0");
  }

  @Test
  void malformedVersionNamesTheExpectedForm() {
    assertThatThrownBy(() -> IstioVersion.of("v1.28"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "istioVersion: \"v1.28\" (expected: major.minor or major.minor.patch, e.g. 1.28)");
  }

  @Test
  void currentProfileCarriesIstiosRoutingDefaults() {
    IstioVersionProfile current = IstioVersionProfile.current();
    assertThat(current.version()).isEqualTo(IstioVersion.CURRENT);
    assertThat(current.routeTimeout()).isEqualTo(Duration.ZERO);
    assertThat(current.defaultLoadBalancer()).isEqualTo(LbPolicy.LEAST_REQUEST);
    assertThat(current.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void releaseBetweenProfileKeysBehavesAsTheOlderKeyAndReportsItsOwnVersion() {
    IstioVersionProfile istio130 = IstioVersion.of("1.30.2").profile();
    IstioVersionProfile istio129 = IstioVersion.of("1.29").profile();
    assertThat(istio130.version()).isEqualTo(new IstioVersion(1, 30, 2));
    assertThat(istio130).usingRecursiveComparison().ignoringFields("version").isEqualTo(istio129);
    assertThat(istio130.describe()).isEqualTo("1.30.2 (profile 1.29)");
    assertThat(IstioVersion.of("1.32.4").profile().version()).hasToString("1.32.4");
  }

  @Test
  void eachModelledChangeSwitchesAtItsRelease() {
    // DISABLE_TRACK_REMAINING_CB_METRICS (1.29), PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS (1.31),
    // EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY (1.24): docs/istio-versions.md
    assertThat(IstioVersion.of("1.28.9").profile().trackRemainingCircuitBreakers()).isTrue();
    assertThat(IstioVersion.of("1.29").profile().trackRemainingCircuitBreakers()).isFalse();
    assertThat(IstioVersion.of("1.30").profile().panicThresholdOnEveryCluster()).isFalse();
    assertThat(IstioVersion.of("1.31").profile().panicThresholdOnEveryCluster()).isTrue();
    assertThat(IstioVersion.of("1.23").profile().defaultRetriableStatusCodes())
        .containsExactly(503);
    assertThat(IstioVersion.of("1.24").profile().defaultRetriableStatusCodes()).isEmpty();
  }

  @Test
  void compatibilityVersionKeepsTheReleaseAndTakesTheOlderBehaviour() {
    IstioVersionProfile compat =
        IstioVersionProfile.of(IstioVersion.CURRENT, IstioVersion.of("1.28"));
    assertThat(compat.version()).isEqualTo(IstioVersion.CURRENT);
    assertThat(compat.trackRemainingCircuitBreakers()).isTrue();
    assertThat(compat.panicThresholdOnEveryCluster()).isFalse();
    assertThat(compat.describe()).isEqualTo("1.32.0 (profile 1.28)");
    assertThat(IstioVersionProfile.current().describe()).isEqualTo("1.32.0 (profile 1.32)");
    assertThatThrownBy(() -> IstioVersionProfile.of(IstioVersion.of("1.28"), IstioVersion.CURRENT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "compatibilityVersion: 1.32.0 (expected: a release at or before the emulated release"
                + " 1.28)");
    assertThatThrownBy(() -> Mesh.builder().compatibilityVersion(IstioVersion.of("1.20")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("compatibilityVersion: 1.20.0");
  }

  @Test
  void releasesOutsideTheProfilesAreRejectedWithTheRange() {
    for (String version : new String[] {"1.22", "1.33", "2.0"}) {
      assertThatThrownBy(() -> IstioVersion.of(version).profile())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "(expected: a release from 1.23 to 1.32; profiles: 1.23, 1.24, 1.28, 1.29, 1.31, 1.32)");
    }
    assertThatThrownBy(() -> Mesh.builder().istioVersion(IstioVersion.of("1.20")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("istioVersion: 1.20.0");
  }

  @Test
  void profileRejectsNegativeTimeouts() {
    assertThatThrownBy(
            () ->
                new IstioVersionProfile(
                    IstioVersion.CURRENT,
                    Duration.ofSeconds(-1),
                    LbPolicy.ROUND_ROBIN,
                    Duration.ofSeconds(1),
                    false,
                    true,
                    List.of(),
                    true))
        .hasMessage("routeTimeout: PT-1S (expected: >= 0, 0 meaning disabled)");
    assertThatThrownBy(
            () ->
                new IstioVersionProfile(
                    IstioVersion.CURRENT,
                    Duration.ZERO,
                    LbPolicy.ROUND_ROBIN,
                    Duration.ZERO,
                    false,
                    true,
                    List.of(),
                    true))
        .hasMessage("connectTimeout: PT0S (expected: > 0)");
  }
}
