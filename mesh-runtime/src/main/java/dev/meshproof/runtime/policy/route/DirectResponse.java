package dev.meshproof.runtime.policy.route;

/**
 * Envoy's {@code DirectResponseAction} (Istio's {@code HTTPDirectResponse}): the route answers
 * {@code status} with {@code body} itself.
 */
public record DirectResponse(int status, String body) {
  public DirectResponse {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 200 to 599)");
    }
  }
}
