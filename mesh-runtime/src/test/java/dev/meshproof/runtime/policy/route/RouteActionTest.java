package dev.meshproof.runtime.policy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RouteActionTest {

  @Test
  void aClusterActionHasIstiosDefaultsAndNothingElse() {
    RouteAction action = RouteAction.toCluster("outbound|80||catalog");

    assertThat(action.clusters()).containsExactly(new WeightedCluster("outbound|80||catalog", 1));
    assertThat(action.timeout()).isEqualTo(Duration.ZERO);
    assertThat(action.retryPolicy()).isEmpty();
    assertThat(action.mirrorPolicies()).isEmpty();
    assertThat(action.requestHeaderChanges().isEmpty()).isTrue();
    assertThat(action.responseHeaderChanges().isEmpty()).isTrue();
    assertThat(action.rewrite()).isEmpty();
    assertThat(action.redirect()).isEmpty();
  }

  @Test
  void weightsThatSumToZeroAreRejected() {
    assertThatThrownBy(
            () ->
                RouteAction.builder()
                    .weightedClusters(
                        List.of(new WeightedCluster("a", 0), new WeightedCluster("b", 0)))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weights sum to 0");
  }

  @Test
  void anActionNeedsEitherClustersOrARedirect() {
    assertThatThrownBy(() -> RouteAction.builder().build())
        .hasMessageContaining("expected: at least one cluster, or a redirect and no cluster");
    RouteAction redirect =
        RouteAction.builder()
            .redirect(
                new Redirect(
                    Optional.empty(), Optional.of("x"), OptionalInt.empty(), Optional.empty(), 301))
            .build();
    assertThat(redirect.clusters()).isEmpty();
    assertThatThrownBy(
            () ->
                RouteAction.builder()
                    .cluster("c")
                    .redirect(
                        new Redirect(
                            Optional.empty(),
                            Optional.empty(),
                            OptionalInt.empty(),
                            Optional.of("/"),
                            302))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valuesCheckTheirRanges() {
    assertThatThrownBy(() -> new MirrorPolicy("", FractionalPercent.ALWAYS, true))
        .hasMessageContaining("cluster: ''");
    assertThatThrownBy(() -> new FractionalPercent(1, 1000))
        .hasMessageContaining("denominator: 1000");
    assertThatThrownBy(
            () ->
                new Redirect(
                    Optional.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty(), 200))
        .hasMessageContaining("responseCode: 200");
    assertThatThrownBy(() -> new DirectResponse(600, "")).hasMessageContaining("status: 600");
    assertThatThrownBy(
            () ->
                RouteAction.builder()
                    .cluster("c")
                    .directResponse(new DirectResponse(200, "x"))
                    .build())
        .hasMessageContaining("a direct response alone");
    assertThatThrownBy(
            () -> RouteAction.builder().cluster("c").timeout(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("timeout: PT-1S");
  }
}
