package dev.meshproof.runtime.policy.route;

import java.util.List;
import java.util.Optional;

/**
 * One route of a virtual host: its match, its action (where and how it sends traffic) and its CORS
 * policy ({@code typed_per_filter_config} of the CORS filter), if any.
 */
public record Route(String name, RouteMatch match, RouteAction action, Optional<CorsPolicy> cors) {

  /** A route without a CORS policy. */
  public Route(String name, RouteMatch match, RouteAction action) {
    this(name, match, action, Optional.empty());
  }

  /** The route's destinations; a single destination is a one-element list with any weight. */
  public List<WeightedCluster> clusters() {
    return action.clusters();
  }
}
