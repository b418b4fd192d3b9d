package dev.meshproof.runtime.policy.retry;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Envoy's {@code route.v3.RetryPolicy} as Istio's {@code HTTPRetry} produces it: how many retries,
 * on which outcomes ({@code retry_on} names such as {@code 5xx}, {@code connect-failure}) and the
 * per-try timeout. A value of the route action; the router's attempt loop is where it will be
 * honoured (until then the decoder NACKs any retry policy it sees).
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-retrypolicy">Envoy
 *     RetryPolicy</a>
 */
public record RetryPolicy(int numRetries, Set<String> retryOn, Optional<Duration> perTryTimeout) {
  public RetryPolicy {
    if (numRetries < 0) {
      throw new IllegalArgumentException("numRetries: " + numRetries + " (expected: >= 0)");
    }
    retryOn = Set.copyOf(retryOn);
    if (perTryTimeout.isPresent() && perTryTimeout.get().isNegative()) {
      throw new IllegalArgumentException(
          "perTryTimeout: " + perTryTimeout.get() + " (expected: >= 0s)");
    }
  }
}
