package dev.meshproof.runtime.policy.route;

import java.util.List;

/** One route of a virtual host: its match and its action (where and how it sends traffic). */
public record Route(String name, RouteMatch match, RouteAction action) {

  /** The route's destinations; a single destination is a one-element list with any weight. */
  public List<WeightedCluster> clusters() {
    return action.clusters();
  }
}
