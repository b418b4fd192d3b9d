package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.policy.upstream.AttemptOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The router's state for one request once its route and cluster are chosen: the attempts made so
 * far and whether another follows. This is where Envoy's {@code RetryState} (would the outcome be
 * retried, is there budget, when) plugs in; without a retry policy every request has exactly one
 * attempt.
 */
final class RouterState {
  /** One upstream attempt: the host it went to and how it ended. */
  record Attempt(String host, AttemptOutcome outcome) {}

  private final Route route;
  private final WeightedCluster cluster;
  private final List<Attempt> attempts = new ArrayList<>();

  RouterState(Route route, WeightedCluster cluster) {
    this.route = route;
    this.cluster = cluster;
  }

  Route route() {
    return route;
  }

  WeightedCluster cluster() {
    return cluster;
  }

  /** The attempts so far, in order. */
  List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  /**
   * Records a finished attempt; returns the backoff before the next attempt, or empty when this
   * outcome is the request's.
   */
  Optional<Duration> onAttemptFinished(String host, AttemptOutcome outcome) {
    attempts.add(new Attempt(host, outcome));
    if (route.action().retryPolicy().isPresent()) {
      // The decoder NACKs retry policies until a RetryState honours them here.
      throw new IllegalStateException(
          "route " + route.name() + " has a retry policy, which the router does not implement");
    }
    return Optional.empty();
  }
}
