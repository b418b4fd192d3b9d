package dev.meshproof.runtime.policy.retry;

import java.time.Duration;
import java.util.Optional;

/**
 * A gRPC call's deadline at the proxy, as Envoy's router computes it when the route sets {@code
 * max_grpc_timeout} (istiod sets it on every route to the route's timeout, {@code route.go
 * setTimeout}; 0s when the VirtualService sets none): the request's {@code grpc-timeout} header
 * (none meaning infinity), capped at {@code max_grpc_timeout} unless that is 0s (infinity), becomes
 * the route timeout ({@code FilterUtility::finalTimeout}); and the time left goes upstream as a new
 * {@code grpc-timeout} ({@code FilterUtility::setTimeoutHeaders}), so the server knows the deadline
 * the proxy enforces. Parsing and formatting follow {@code Grpc::Common::getGrpcTimeout} and {@code
 * toGrpcTimeout} (whole milliseconds, finer units rounded up, at most 8 digits).
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#envoy-v3-api-field-config-route-v3-routeaction-max-grpc-timeout">max_grpc_timeout</a>
 */
public final class GrpcTimeout {
  private static final long MAX_VALUE = 99_999_999L;

  private GrpcTimeout() {}

  /**
   * The value of a {@code grpc-timeout} header ({@code <1-8 digits><H|M|S|m|u|n>}) in whole
   * milliseconds, or empty when it is malformed (Envoy then treats the call as having none).
   */
  public static Optional<Duration> parse(String header) {
    if (header == null || header.length() < 2 || header.length() > 9) {
      return Optional.empty();
    }
    String digits = header.substring(0, header.length() - 1);
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        return Optional.empty();
      }
    }
    long value = Long.parseLong(digits);
    return switch (header.charAt(header.length() - 1)) {
      case 'H' -> Optional.of(Duration.ofHours(value));
      case 'M' -> Optional.of(Duration.ofMinutes(value));
      case 'S' -> Optional.of(Duration.ofSeconds(value));
      case 'm' -> Optional.of(Duration.ofMillis(value));
      case 'u' -> Optional.of(Duration.ofMillis((value + 999) / 1_000));
      case 'n' -> Optional.of(Duration.ofMillis((value + 999_999) / 1_000_000));
      default -> Optional.empty();
    };
  }

  /**
   * The route timeout of a request: for a gRPC call on a route with {@code max_grpc_timeout}, its
   * header's deadline capped as Envoy caps it ({@link Duration#ZERO} is infinity on both sides);
   * otherwise the route's own timeout.
   */
  public static Duration routeTimeout(
      Duration routeTimeout,
      Optional<Duration> maxGrpcTimeout,
      boolean grpcRequest,
      Optional<String> header) {
    if (!grpcRequest || maxGrpcTimeout.isEmpty()) {
      return routeTimeout;
    }
    Duration max = maxGrpcTimeout.get();
    Duration grpc = header.flatMap(GrpcTimeout::parse).orElse(Duration.ZERO);
    if (!max.isZero() && (grpc.isZero() || grpc.compareTo(max) > 0)) {
      grpc = max;
    }
    return grpc;
  }

  /**
   * The {@code grpc-timeout} to send upstream with an attempt started {@code elapsed} after the
   * request: the per-try timeout if set, else the route timeout, never beyond the route time left
   * (1 ms once it is spent: 0 would mean infinity); empty when neither timeout is set.
   */
  public static Optional<String> upstreamHeader(RequestTimeouts timeouts, Duration elapsed) {
    long global = timeouts.route().toMillis();
    long expected = timeouts.perTry().map(Duration::toMillis).orElse(0L);
    if (expected == 0) {
      expected = global;
    }
    if (expected <= 0) {
      return Optional.empty();
    }
    if (global > 0) {
      long spent = elapsed.toMillis();
      expected = spent >= global ? 1 : Math.min(expected, global - spent);
    }
    return Optional.of(format(Duration.ofMillis(expected)));
  }

  /** {@code Grpc::Common::toGrpcTimeout}: milliseconds, or a coarser unit past 8 digits. */
  public static String format(Duration timeout) {
    long time = timeout.toMillis();
    String units = "mSMH";
    int unit = 0;
    if (time > MAX_VALUE) {
      time /= 1_000;
      unit++;
    }
    while (time > MAX_VALUE) {
      if (unit == 3) {
        time = MAX_VALUE;
      } else {
        time /= 60;
        unit++;
      }
    }
    return time + units.substring(unit, unit + 1);
  }
}
