package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.policy.retry.RetryPolicy;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.RouteAction;
import dev.meshproof.runtime.policy.route.RouteMatch;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.policy.upstream.AttemptOutcome;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterStateTest {

  @Test
  void withoutARetryPolicyTheFirstOutcomeIsFinal() {
    RouterState state =
        new RouterState(
            new Route("r", RouteMatch.any(), RouteAction.toCluster("v1")),
            new WeightedCluster("v1", 1));

    assertThat(
            state.onAttemptFinished(
                "127.0.0.1:1", new AttemptOutcome.Failure(AttemptOutcome.Failure.Kind.RESET)))
        .isEmpty();
    assertThat(state.attempts())
        .containsExactly(
            new RouterState.Attempt(
                "127.0.0.1:1", new AttemptOutcome.Failure(AttemptOutcome.Failure.Kind.RESET)));
  }

  @Test
  void aRetryPolicyTheRouterDoesNotHonourIsAnInvariantViolation() {
    RouteAction withRetries =
        RouteAction.builder()
            .cluster("v1")
            .retryPolicy(new RetryPolicy(2, Set.of("5xx"), Optional.empty()))
            .build();
    RouterState state =
        new RouterState(
            new Route("r", RouteMatch.any(), withRetries), new WeightedCluster("v1", 1));

    assertThatThrownBy(() -> state.onAttemptFinished("h", new AttemptOutcome.Response(503)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("retry policy");
  }
}
