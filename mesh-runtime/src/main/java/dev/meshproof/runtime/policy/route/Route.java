package dev.meshproof.runtime.policy.route;

import dev.meshproof.runtime.policy.fault.FaultPolicy;
import java.util.List;
import java.util.Optional;

/**
 * One route of a virtual host: its match, its action (where and how it sends traffic) and the
 * per-route configuration of HTTP filters it carries ({@code typed_per_filter_config}): today the
 * fault filter's, which replaces the filter's own configuration for requests on this route.
 */
public record Route(
    String name, RouteMatch match, RouteAction action, Optional<FaultPolicy> fault) {

  /** A route without per-filter configuration. */
  public Route(String name, RouteMatch match, RouteAction action) {
    this(name, match, action, Optional.empty());
  }

  /** The route's destinations; a single destination is a one-element list with any weight. */
  public List<WeightedCluster> clusters() {
    return action.clusters();
  }
}
