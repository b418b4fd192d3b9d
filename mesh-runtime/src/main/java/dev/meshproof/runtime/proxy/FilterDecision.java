package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.route.HeaderChanges;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import java.time.Duration;

/**
 * What an HTTP filter decides for a request, as a value (Envoy's {@code FilterHeadersStatus} plus
 * its local reply): go on to the next filter, answer locally with a response flag (authz deny,
 * fault abort, CORS preflight), or pause before going on (fault delay).
 */
sealed interface FilterDecision {

  /** The next filter (or the router) handles the request. */
  Continue CONTINUE = new Continue();

  /** The next filter (or the router) handles the request. */
  record Continue() implements FilterDecision {}

  /**
   * The chain stops and the sidecar answers {@code status} with {@code body}, logged with flag;
   * with a {@code grpcStatus}, a gRPC request gets it as a trailers-only gRPC answer (Envoy's
   * {@code sendLocalReply} with a gRPC status), others the plain reply.
   */
  record LocalReply(int status, ResponseFlag flag, String body, java.util.OptionalInt grpcStatus)
      implements FilterDecision {
    public LocalReply {
      if (status < 200 || status > 599) {
        throw new IllegalArgumentException("status: " + status + " (expected: 200..599)");
      }
    }

    /** A plain local reply. */
    public LocalReply(int status, ResponseFlag flag, String body) {
      this(status, flag, body, java.util.OptionalInt.empty());
    }
  }

  /**
   * The request goes on as {@code request}: the filter changed its headers or added metadata (the
   * jwt_authn filter's payload and output headers).
   */
  record ContinueWith(RequestContext request) implements FilterDecision {}

  /**
   * The request goes on, and {@code onResponse} is applied to whatever answers it (Envoy's {@code
   * encodeHeaders} of the filter), such as the CORS headers of an allowed origin.
   */
  record ContinueWithResponseChanges(HeaderChanges onResponse) implements FilterDecision {}

  /**
   * The chain stops and the filter's own answer is sent as it is, without a response flag (Envoy's
   * {@code encodeHeaders} from a decoder filter, as the CORS filter answers a preflight).
   */
  record Respond(RequestOutcome.DirectReply outcome) implements FilterDecision {}

  /**
   * The chain waits for {@code decision} (a call the filter made, such as ext_authz's check), then
   * runs the supplied decision on the request's event loop: continue (with a changed request), or
   * answer. The supplier runs once, on the downstream connection's executor, so it may change the
   * downstream message.
   */
  record Await(
      java.util.concurrent.CompletableFuture<java.util.function.Supplier<FilterDecision>> decision)
      implements FilterDecision {}

  /**
   * The chain pauses for {@code delay} (on the sidecar's scheduler), then applies {@code then} for
   * this filter: continue with the next filter, or answer locally (the fault filter's abort, which
   * Envoy decides after its delay).
   */
  record Delay(Duration delay, FilterDecision then) implements FilterDecision {
    public Delay {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0s)");
      }
      if (then instanceof Delay) {
        throw new IllegalArgumentException("then: " + then + " (expected: not another delay)");
      }
    }

    /** A pause, then the next filter. */
    public Delay(Duration delay) {
      this(delay, CONTINUE);
    }
  }
}
