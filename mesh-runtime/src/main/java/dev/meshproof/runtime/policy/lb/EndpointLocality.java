package dev.meshproof.runtime.policy.lb;

/**
 * Where one endpoint sits in its cluster's load assignment: the priority of its locality group
 * ({@code LocalityLbEndpoints.priority}), the group's index in the assignment, and the group's
 * {@code load_balancing_weight} (0: none set).
 */
public record EndpointLocality(int priority, int group, int weight) {
  /** An endpoint of priority 0 in the one, unweighted group of an assignment without localities. */
  public static final EndpointLocality NONE = new EndpointLocality(0, 0, 0);

  public EndpointLocality {
    if (priority < 0 || group < 0 || weight < 0) {
      throw new IllegalArgumentException(
          "endpoint locality: priority "
              + priority
              + ", group "
              + group
              + ", weight "
              + weight
              + " (expected: all >= 0)");
    }
  }
}
