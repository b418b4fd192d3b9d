package dev.meshproof.runtime.policy.route;

import dev.meshproof.runtime.policy.fault.FaultPolicy;
import java.util.List;
import java.util.Optional;

/**
 * One route of a virtual host: its match, its action (where and how it sends traffic) and the
 * per-route configuration of HTTP filters it carries ({@code typed_per_filter_config}): the fault
 * filter's, which replaces the filter's own configuration for requests on this route, and the CORS
 * filter's policy.
 */
public record Route(
    String name,
    RouteMatch match,
    RouteAction action,
    Optional<FaultPolicy> fault,
    Optional<CorsPolicy> cors) {

  /** A route without per-filter configuration. */
  public Route(String name, RouteMatch match, RouteAction action) {
    this(name, match, action, Optional.empty(), Optional.empty());
  }

  /** A route with the fault filter's configuration only. */
  public Route(String name, RouteMatch match, RouteAction action, Optional<FaultPolicy> fault) {
    this(name, match, action, fault, Optional.empty());
  }

  /** The route's destinations; a single destination is a one-element list with any weight. */
  public List<WeightedCluster> clusters() {
    return action.clusters();
  }
}
