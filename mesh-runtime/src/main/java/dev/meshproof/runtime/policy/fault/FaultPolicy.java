package dev.meshproof.runtime.policy.fault;

import dev.meshproof.runtime.policy.route.FractionalPercent;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Envoy's {@code extensions.filters.http.fault.v3.HTTPFault} as the embedded sidecar honours it
 * (Istio's {@code HTTPFaultInjection}, translated by istiod's {@code TranslateFault}): an optional
 * abort and an optional fixed delay, each applied to its own percentage of requests. An unset
 * percentage is Envoy's default FractionalPercent, 0 out of 100: never.
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/fault_filter">Envoy
 *     fault injection filter</a>
 */
public record FaultPolicy(Optional<Abort> abort, Optional<Delay> delay) {

  /** The filter's own empty configuration (istiod's): injects nothing. */
  public static final FaultPolicy NONE = new FaultPolicy(Optional.empty(), Optional.empty());

  /**
   * Abort with an HTTP status ({@code http_status}, 200..599) or a gRPC status ({@code
   * grpc_status}, answered with HTTP 200), on {@code percentage} of requests.
   */
  public record Abort(
      OptionalInt httpStatus, OptionalInt grpcStatus, FractionalPercent percentage) {
    public Abort {
      if (httpStatus.isPresent() == grpcStatus.isPresent()) {
        throw new IllegalArgumentException(
            "abort: http_status "
                + httpStatus
                + ", grpc_status "
                + grpcStatus
                + " (expected: exactly one of them)");
      }
      if (httpStatus.isPresent() && (httpStatus.getAsInt() < 200 || httpStatus.getAsInt() > 599)) {
        throw new IllegalArgumentException(
            "abort.http_status: " + httpStatus.getAsInt() + " (expected: 200..599)");
      }
      if (grpcStatus.isPresent() && grpcStatus.getAsInt() < 0) {
        throw new IllegalArgumentException(
            "abort.grpc_status: " + grpcStatus.getAsInt() + " (expected: >= 0)");
      }
    }

    /** The local reply's HTTP status: the configured one, or 200 for a gRPC status. */
    public int localReplyStatus() {
      return httpStatus.orElse(200);
    }
  }

  /** A fixed delay before the request goes on ({@code fixed_delay}), on {@code percentage}. */
  public record Delay(Duration fixedDelay, FractionalPercent percentage) {
    public Delay {
      if (fixedDelay.isNegative()) {
        throw new IllegalArgumentException(
            "delay.fixed_delay: " + fixedDelay + " (expected: >= 0s)");
      }
    }
  }
}
