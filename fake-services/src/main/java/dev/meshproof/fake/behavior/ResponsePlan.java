package dev.meshproof.fake.behavior;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a workload does with one request: the decision, as a value, that the transport executes.
 *
 * @param action respond, hang, reset, ...
 * @param status the status answered (also for slow body and drop after headers)
 * @param delay wait before acting
 * @param slowBodyChunkDelay pause between body pieces for {@link Action#SLOW_BODY}
 * @param responseSize the body size asked for with {@code ?size=}, else the echo JSON
 * @param setHeaders response headers asked for by the caller
 * @param reason why this status/action, for evidence ({@code "knob codes"}, {@code "errorRate"}...)
 * @param rejection the malformed knob when {@code action} is {@link Action#REJECT}
 */
public record ResponsePlan(
    Action action,
    int status,
    Duration delay,
    Duration slowBodyChunkDelay,
    OptionalInt responseSize,
    List<RequestKnobs.Header> setHeaders,
    String reason,
    Optional<KnobError> rejection) {

  /** What the transport does. */
  public enum Action {
    /** Answer with {@code status}. */
    RESPOND,
    /** Answer 400 naming the malformed knob. */
    REJECT,
    /** Never answer. */
    HANG,
    /** Reset the connection/stream. */
    RESET,
    /** Headers, then the body in slow pieces. */
    SLOW_BODY,
    /** Headers, then close. */
    DROP_AFTER_HEADERS
  }

  /** Copies the header list. */
  public ResponsePlan {
    setHeaders = List.copyOf(setHeaders);
  }

  /** True when a response status line/HEADERS frame goes out. */
  public boolean sendsHeaders() {
    return action != Action.HANG && action != Action.RESET;
  }
}
