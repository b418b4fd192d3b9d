package dev.meshproof.fake.behavior;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;

/**
 * Decides, from the instance's {@link Behavior}, the request's knobs and its attempt number, what
 * the workload does. Pure: no transport, no clock, randomness only from the argument; draws happen
 * in a fixed order (fault, status, latency) so that a seed replays a run.
 */
public final class ResponsePlanner {
  /** The readiness path, like a Kubernetes readiness probe's. */
  public static final String READY_PATH = "/ready";

  /**
   * Requests under this path are answered as Istio's sample ext-authz HTTP server answers an
   * ext_authz check ({@code samples/extauthz}): allowed (200) when the request carries {@code
   * x-ext-authz: allow}, else denied (403), with {@code x-ext-authz-check-result: allowed|denied}.
   * An extension provider with {@code pathPrefix: /ext-authz} makes any echo a provider.
   */
  public static final String EXT_AUTHZ_PATH = "/ext-authz/";

  private ResponsePlanner() {}

  /** Plans the response to a request whose knobs were rejected: 400 at once. */
  public static ResponsePlan reject(KnobError error) {
    return new ResponsePlan(
        ResponsePlan.Action.REJECT,
        400,
        Duration.ZERO,
        Duration.ZERO,
        OptionalInt.empty(),
        List.of(),
        "malformed knob " + error.knob(),
        Optional.of(error));
  }

  /**
   * Plans one request.
   *
   * @param attempt 1-based count of requests seen with this request's {@code x-request-id}
   */
  public static ResponsePlan plan(
      Behavior behavior,
      RequestView request,
      RequestKnobs knobs,
      int attempt,
      RandomGenerator random) {
    if (request.path().equals(READY_PATH)) {
      // A readiness probe reports readiness only: injected errors and faults would make the
      // probe lie about what a scenario set.
      return respond(
          behavior.ready() ? 200 : 503,
          Duration.ZERO,
          behavior,
          knobs,
          behavior.ready() ? "ready" : "not ready");
    }
    if (request.path().startsWith(EXT_AUTHZ_PATH)) {
      boolean allowed = "allow".equals(request.header("x-ext-authz"));
      return new ResponsePlan(
          ResponsePlan.Action.RESPOND,
          allowed ? 200 : 403,
          Duration.ZERO,
          Duration.ZERO,
          OptionalInt.empty(),
          List.of(
              new RequestKnobs.Header("x-ext-authz-check-result", allowed ? "allowed" : "denied")),
          allowed ? "ext-authz allowed" : "ext-authz denied",
          Optional.empty());
    }
    ResponsePlan.Action action = faultAction(behavior, random);

    int status;
    String reason;
    if (knobs.status().isPresent()) {
      status = knobs.status().getAsInt();
      reason = "path /status";
    } else if (knobs.retry().isPresent()) {
      RequestKnobs.Retry retry = knobs.retry().get();
      boolean fail = attempt <= retry.succeedAfter();
      status = fail ? retry.responseCode() : 200;
      reason = "retry attempt " + attempt + " of succeedAfter " + retry.succeedAfter();
    } else if (knobs.codes().isPresent()) {
      status = knobs.codes().get().pick(random);
      reason = "knob codes";
    } else if (behavior.errorRate() > 0 && random.nextDouble() < behavior.errorRate()) {
      status = behavior.errorStatuses().pick(random);
      reason = "errorRate";
    } else {
      status = 200;
      reason = "ok";
    }
    Duration delay =
        knobs.delay().isPresent() ? knobs.delay().get() : behavior.latency().sample(random);
    if (action != ResponsePlan.Action.RESPOND) {
      reason = "fault " + action;
    }
    return new ResponsePlan(
        action,
        status,
        delay,
        behavior.slowBodyChunkDelay(),
        knobs.size(),
        knobs.setHeaders(),
        reason,
        Optional.empty());
  }

  private static ResponsePlan.Action faultAction(Behavior behavior, RandomGenerator random) {
    if (behavior.fault() == Fault.NONE || behavior.faultRate() == 0) {
      return ResponsePlan.Action.RESPOND;
    }
    // A rate of 1 draws nothing, so turning a fault fully on does not shift later draws.
    if (behavior.faultRate() < 1 && random.nextDouble() >= behavior.faultRate()) {
      return ResponsePlan.Action.RESPOND;
    }
    return switch (behavior.fault()) {
      case NONE -> ResponsePlan.Action.RESPOND;
      case HANG -> ResponsePlan.Action.HANG;
      case RESET -> ResponsePlan.Action.RESET;
      case SLOW_BODY -> ResponsePlan.Action.SLOW_BODY;
      case DROP_AFTER_HEADERS -> ResponsePlan.Action.DROP_AFTER_HEADERS;
    };
  }

  private static ResponsePlan respond(
      int status, Duration delay, Behavior behavior, RequestKnobs knobs, String reason) {
    return new ResponsePlan(
        ResponsePlan.Action.RESPOND,
        status,
        delay,
        behavior.slowBodyChunkDelay(),
        knobs.size(),
        knobs.setHeaders(),
        reason,
        Optional.empty());
  }
}
