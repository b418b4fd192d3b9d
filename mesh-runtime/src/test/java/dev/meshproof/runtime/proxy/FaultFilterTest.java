package dev.meshproof.runtime.proxy;

import static dev.meshproof.runtime.proxy.RequestPathFixtures.routing;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.fault.FaultPolicy;
import dev.meshproof.runtime.policy.route.FractionalPercent;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.RouteAction;
import dev.meshproof.runtime.policy.route.RouteMatch;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class FaultFilterTest {
  private static final FaultPolicy ABORT_418 =
      new FaultPolicy(
          Optional.of(
              new FaultPolicy.Abort(
                  OptionalInt.of(418), OptionalInt.empty(), FractionalPercent.ALWAYS)),
          Optional.empty());
  private static final FaultPolicy DELAY_THEN_UNAVAILABLE =
      new FaultPolicy(
          Optional.of(
              new FaultPolicy.Abort(
                  OptionalInt.empty(), OptionalInt.of(14), FractionalPercent.ALWAYS)),
          Optional.of(new FaultPolicy.Delay(Duration.ofMillis(300), FractionalPercent.ALWAYS)));

  private static RequestContext requestOn(Optional<FaultPolicy> routeFault) {
    Route route = new Route("r", RouteMatch.any(), RouteAction.toCluster("catalog"), routeFault);
    return RequestPathFixtures.request(routing(), Optional.of(table(route)));
  }

  @Test
  void theRoutesFaultReplacesTheFiltersOwnConfiguration() {
    FaultFilter filter = new FaultFilter(FaultPolicy.NONE, RandomSource.seeded(1));

    assertThat(filter.onRequest(requestOn(Optional.of(ABORT_418))))
        .isEqualTo(
            new FilterDecision.LocalReply(418, ResponseFlag.FAULT_INJECTED, "fault filter abort"));
    assertThat(filter.onRequest(requestOn(Optional.empty()))).isEqualTo(FilterDecision.CONTINUE);
  }

  @Test
  void aRouteWithoutFaultUsesTheFiltersConfiguration() {
    FaultFilter filter = new FaultFilter(ABORT_418, RandomSource.seeded(1));

    assertThat(filter.onRequest(requestOn(Optional.empty())))
        .isInstanceOf(FilterDecision.LocalReply.class);
  }

  @Test
  void aDelayCarriesTheAbortDecidedWithIt() {
    FaultFilter filter = new FaultFilter(FaultPolicy.NONE, RandomSource.seeded(1));

    assertThat(filter.onRequest(requestOn(Optional.of(DELAY_THEN_UNAVAILABLE))))
        .isEqualTo(
            new FilterDecision.Delay(
                Duration.ofMillis(300),
                new FilterDecision.LocalReply(
                    200, ResponseFlag.FAULT_INJECTED, "fault filter abort", OptionalInt.of(14))));
  }

  @Test
  void noRouteMeansTheFiltersConfigurationAndNoFailure() {
    FaultFilter filter = new FaultFilter(FaultPolicy.NONE, RandomSource.seeded(1));

    assertThat(filter.onRequest(RequestPathFixtures.request(routing(), Optional.empty())))
        .isEqualTo(FilterDecision.CONTINUE);
  }
}
