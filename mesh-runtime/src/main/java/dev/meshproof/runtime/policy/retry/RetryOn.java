package dev.meshproof.runtime.policy.retry;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One of Envoy's {@code retry_on} conditions that the embedded sidecar honours, with the token
 * Envoy spells it with (Envoy {@code source/common/router/retry_state_impl.cc} {@code parseRetryOn}
 * and {@code parseRetryGrpcOn}).
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on">Envoy
 *     x-envoy-retry-on</a>
 */
public enum RetryOn {
  /** Any 5xx response, and any reset, connect failure or per-try timeout. */
  FIVE_XX("5xx"),
  /** 502, 503 or 504 responses, and any reset, connect failure or per-try timeout. */
  GATEWAY_ERROR("gateway-error"),
  /** Any reset, connect failure or per-try timeout (no response). */
  RESET("reset"),
  /** A connect failure (or connect timeout) only. */
  CONNECT_FAILURE("connect-failure"),
  /** A 409 response. */
  RETRIABLE_4XX("retriable-4xx"),
  /** An HTTP/2 REFUSED_STREAM reset; never happens on the sidecar's HTTP/1.1 upstreams. */
  REFUSED_STREAM("refused-stream"),
  /** A response whose status is in the policy's {@code retriable_status_codes}. */
  RETRIABLE_STATUS_CODES("retriable-status-codes"),
  /** gRPC status 1 in the response headers. */
  CANCELLED("cancelled"),
  /** gRPC status 4 in the response headers. */
  DEADLINE_EXCEEDED("deadline-exceeded"),
  /** gRPC status 13 in the response headers. */
  INTERNAL("internal"),
  /** gRPC status 8 in the response headers. */
  RESOURCE_EXHAUSTED("resource-exhausted"),
  /** gRPC status 14 in the response headers. */
  UNAVAILABLE("unavailable");

  private final String token;

  RetryOn(String token) {
    this.token = token;
  }

  /** The token as written in {@code retry_on} and Istio's {@code retryOn}. */
  public String token() {
    return token;
  }

  /** The condition spelled {@code token}, if the sidecar honours it. */
  public static Optional<RetryOn> of(String token) {
    return Arrays.stream(values()).filter(c -> c.token.equals(token)).findFirst();
  }

  /** The tokens the sidecar honours, comma-separated, for error messages. */
  public static String allowed() {
    return Arrays.stream(values()).map(RetryOn::token).collect(Collectors.joining(", "));
  }
}
