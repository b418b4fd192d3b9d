package dev.meshproof.runtime.policy.upstream;

import dev.meshproof.runtime.telemetry.ResponseFlag;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How one upstream attempt of a request ended: a response with its status, or a failure before a
 * response. This is what retry, outlier detection and circuit breaking will decide on (Envoy's
 * router hands the same facts to {@code RetryState} and the outlier detector), and the one place
 * where a failure becomes its Envoy response flag, status and body.
 */
public sealed interface AttemptOutcome {

  /** The response flag this outcome is logged with; empty for a response. */
  Optional<ResponseFlag> flag();

  /**
   * The upstream answered with {@code status} (any status: a 503 from the app is a response), and
   * the {@code grpc-status} of its headers when it had one (a trailers-only gRPC reply).
   */
  record Response(int status, OptionalInt grpcStatus) implements AttemptOutcome {
    public Response {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("status: " + status + " (expected: 100..599)");
      }
    }

    /** A response without a {@code grpc-status} header. */
    public Response(int status) {
      this(status, OptionalInt.empty());
    }

    @Override
    public Optional<ResponseFlag> flag() {
      return Optional.empty();
    }
  }

  /** No response: the connection failed, was reset, or the response did not arrive in time. */
  record Failure(Kind kind) implements AttemptOutcome {

    /** Why no response arrived. */
    public enum Kind {
      CONNECT_FAILURE,
      RESET,
      TIMEOUT
    }

    @Override
    public Optional<ResponseFlag> flag() {
      return Optional.of(
          switch (kind) {
            case CONNECT_FAILURE -> ResponseFlag.UPSTREAM_CONNECTION_FAILURE;
            case RESET -> ResponseFlag.UPSTREAM_CONNECTION_TERMINATION;
            case TIMEOUT -> ResponseFlag.UPSTREAM_REQUEST_TIMEOUT;
          });
    }

    /** The status of the local reply Envoy sends for this failure: 504 on timeout, else 503. */
    public int localReplyStatus() {
      return kind == Kind.TIMEOUT ? 504 : 503;
    }

    /** The body of Envoy's local reply for this failure, word for word. */
    public String localReplyBody() {
      return switch (kind) {
        case TIMEOUT -> "upstream request timeout";
        case CONNECT_FAILURE ->
            "upstream connect error or disconnect/reset before headers. reset reason: connection"
                + " failure";
        case RESET ->
            "upstream connect error or disconnect/reset before headers. reset reason: connection"
                + " termination";
      };
    }
  }
}
