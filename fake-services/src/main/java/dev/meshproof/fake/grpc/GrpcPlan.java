package dev.meshproof.fake.grpc;

import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.Durations;
import dev.meshproof.fake.behavior.Fault;
import io.grpc.Status;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * What the gRPC echo does with one call, decided purely from the request's fields, its metadata
 * knobs and the instance's {@link Behavior}; draws in a fixed order (fault, status, latency).
 *
 * @param hang never answer
 * @param code the gRPC status code to end with
 * @param delay wait before the (first) answer
 * @param reason why, for evidence
 */
record GrpcPlan(boolean hang, Status.Code code, Duration delay, String reason) {

  /** Metadata twin of {@code status_code}. */
  static final String STATUS_KEY = "x-echo-grpc-status";

  /** Metadata twin of {@code delay}. */
  static final String DELAY_KEY = "x-echo-delay";

  /**
   * Decides one call.
   *
   * @param requestCode {@code status_code} of the request (0 = unset)
   * @param requestDelay {@code delay} of the request (null = unset)
   * @param metadataCode {@value #STATUS_KEY} metadata or null
   * @param metadataDelay {@value #DELAY_KEY} metadata or null
   * @throws IllegalArgumentException when a knob is malformed (answered as INVALID_ARGUMENT)
   */
  static GrpcPlan decide(
      Behavior behavior,
      int requestCode,
      Duration requestDelay,
      String metadataCode,
      String metadataDelay,
      RandomGenerator random) {
    boolean hang =
        behavior.fault() == Fault.HANG
            && behavior.faultRate() > 0
            && (behavior.faultRate() >= 1 || random.nextDouble() < behavior.faultRate());
    Status.Code code;
    String reason;
    if (requestCode != 0) {
      code = code("status_code", Integer.toString(requestCode));
      reason = "request status_code";
    } else if (metadataCode != null) {
      code = code(STATUS_KEY, metadataCode);
      reason = "metadata " + STATUS_KEY;
    } else if (behavior.errorRate() > 0 && random.nextDouble() < behavior.errorRate()) {
      code = fromHttp(behavior.errorStatuses().pick(random));
      reason = "errorRate";
    } else {
      code = Status.Code.OK;
      reason = "ok";
    }
    Duration delay;
    if (requestDelay != null) {
      delay = requestDelay;
    } else if (metadataDelay != null) {
      try {
        delay = Durations.parse(metadataDelay);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(DELAY_KEY + ": " + e.getMessage(), e);
      }
    } else {
      delay = behavior.latency().sample(random);
    }
    return new GrpcPlan(hang, code, delay, hang ? "fault HANG" : reason);
  }

  private static Status.Code code(String knob, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 0 && n <= 16) {
        return Status.fromCodeValue(n).getCode();
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        knob + ": \"" + value + "\" (expected: a gRPC status code 0-16, e.g. 14 for UNAVAILABLE)");
  }

  /**
   * The gRPC code a client sees for an HTTP status, per grpc/doc/http-grpc-status-mapping.md, so
   * that an {@code errorStatuses} mix written for HTTP means the same thing for gRPC.
   */
  static Status.Code fromHttp(int http) {
    return switch (http) {
      case 200 -> Status.Code.OK;
      case 400 -> Status.Code.INTERNAL;
      case 401 -> Status.Code.UNAUTHENTICATED;
      case 403 -> Status.Code.PERMISSION_DENIED;
      case 404 -> Status.Code.UNIMPLEMENTED;
      case 429, 502, 503, 504 -> Status.Code.UNAVAILABLE;
      default -> Status.Code.UNKNOWN;
    };
  }
}
