package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
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
  private final Optional<RandomSource> requestRandom;
  private final List<Attempt> attempts = new ArrayList<>();

  RouterState(Route route, WeightedCluster cluster) {
    this(route, cluster, Optional.empty());
  }

  /**
   * @param requestRandom the request's own source ({@link RandomSource#forRequest}) when the app
   *     stamped an {@code x-request-id}; empty to draw from each cluster's shared stream
   */
  RouterState(Route route, WeightedCluster cluster, Optional<RandomSource> requestRandom) {
    this.route = route;
    this.cluster = cluster;
    this.requestRandom = requestRandom;
  }

  /** The source of this request's host picks, when it has its own. */
  Optional<RandomSource> requestRandom() {
    return requestRandom;
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
