package dev.meshproof.chaos;

import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.StatusMix;
import dev.meshproof.fake.http.EchoServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * An application-level fault on one or more fake-service instances, driven through each instance's
 * {@link dev.meshproof.fake.behavior.BehaviorControl}: what the sidecar in front of them then sees
 * as 5xx answers (Envoy's outlier detection input), slow answers (route timeouts, UT), hung
 * requests or a failing readiness probe.
 *
 * <p>{@link #inject()} changes each instance's current {@link Behavior} by the {@link Effect} and
 * remembers the behaviour it replaced; reverting sets that one back. Faults on the same instance
 * must therefore nest in time (the last injected is reverted first), as a timeline's do when their
 * windows nest.
 *
 * <pre>{@code
 * Fault errors = ServiceFault.on(List.of(reviewsV2)).errors(0.3, "503");
 * }</pre>
 *
 * @param targets the instances, at least one
 * @param effect what changes on each
 */
public record ServiceFault(List<ServiceTarget> targets, Effect effect) implements Fault {

  /** Checks at least one target and an effect. */
  public ServiceFault {
    Objects.requireNonNull(targets, "targets");
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets: [] (expected: at least one instance)");
    }
    targets = List.copyOf(targets);
    Objects.requireNonNull(effect, "effect");
  }

  /**
   * Starts a fault on HTTP echo instances chosen by the caller (e.g. all of {@code reviews v2}).
   */
  public static Targets on(List<EchoServer> servers) {
    Objects.requireNonNull(servers, "servers");
    return new Targets(servers.stream().map(ServiceTarget::of).toList());
  }

  /** Starts a fault on arbitrary targets (gRPC echo, or any behaviour control). */
  public static Targets onTargets(List<ServiceTarget> targets) {
    return new Targets(targets);
  }

  @Override
  public String description() {
    return "service "
        + targets.stream().map(ServiceTarget::name).collect(Collectors.joining(","))
        + ": "
        + effect.description();
  }

  @Override
  public Injection inject() {
    List<Runnable> restores = new ArrayList<>(targets.size());
    try {
      for (ServiceTarget target : targets) {
        AtomicReference<Behavior> previous = new AtomicReference<>();
        target
            .behavior()
            .update(
                current -> {
                  previous.set(current);
                  return effect.applyTo(current);
                });
        restores.add(() -> target.behavior().set(previous.get()));
      }
    } catch (RuntimeException e) {
      restores.forEach(Runnable::run);
      throw e;
    }
    return () -> restores.forEach(Runnable::run);
  }

  /** The selected instances, waiting for the effect. */
  public static final class Targets {
    private final List<ServiceTarget> targets;

    private Targets(List<ServiceTarget> targets) {
      this.targets = targets;
    }

    /** {@code fraction} (0-1) of requests answered with a status from {@code statusMix}. */
    public ServiceFault errors(double fraction, String statusMix) {
      return new ServiceFault(targets, new Errors(fraction, StatusMix.parse(statusMix)));
    }

    /** Every request answered {@code latency} later. */
    public ServiceFault latency(Duration latency) {
      return new ServiceFault(targets, new AddedLatency(latency));
    }

    /** {@code fraction} (0-1) of requests accepted and never answered. */
    public ServiceFault hang(double fraction) {
      return new ServiceFault(targets, new Hang(fraction));
    }

    /** Readiness probe ({@code /ready}) answers 503. */
    public ServiceFault notReady() {
      return new ServiceFault(targets, new NotReady());
    }

    /** Replaces the whole behaviour with {@code behavior}. */
    public ServiceFault behavior(Behavior behavior) {
      return new ServiceFault(targets, new Replace(behavior));
    }
  }

  /** What a service fault changes in an instance's behaviour. */
  public sealed interface Effect
      permits Errors, AddedLatency, LatencyDistribution, Hang, ConnectionFault, NotReady, Replace {
    /** The behaviour in force while the fault is active, given the one before it. */
    Behavior applyTo(Behavior current);

    /** For the event log. */
    String description();
  }

  /**
   * Injected error answers.
   *
   * @param fraction of requests, 0-1
   * @param statuses the statuses drawn, e.g. {@code 503:1}
   */
  public record Errors(double fraction, StatusMix statuses) implements Effect {
    /** Checks the fraction and the mix. */
    public Errors {
      checkFraction("fraction", fraction);
      Objects.requireNonNull(statuses, "statuses");
    }

    @Override
    public Behavior applyTo(Behavior current) {
      return current.toBuilder().errorRate(fraction).errorStatuses(statuses).build();
    }

    @Override
    public String description() {
      return "errors " + percent(fraction) + " " + statuses.spec();
    }
  }

  /**
   * A fixed service time before each answer.
   *
   * @param latency the service time, positive
   */
  public record AddedLatency(Duration latency) implements Effect {
    /** Checks a positive latency. */
    public AddedLatency {
      Objects.requireNonNull(latency, "latency");
      if (latency.isNegative() || latency.isZero()) {
        throw new IllegalArgumentException("latency: " + latency + " (expected: > 0)");
      }
    }

    @Override
    public Behavior applyTo(Behavior current) {
      return current.toBuilder().fixedLatency(latency).build();
    }

    @Override
    public String description() {
      return "latency " + latency.toMillis() + "ms";
    }
  }

  /**
   * Requests accepted and never answered (the connection stays open), Envoy's UT on a route
   * timeout.
   *
   * @param fraction of requests, 0-1
   */
  public record Hang(double fraction) implements Effect {
    /** Checks the fraction. */
    public Hang {
      checkFraction("fraction", fraction);
    }

    @Override
    public Behavior applyTo(Behavior current) {
      return current.toBuilder().fault(dev.meshproof.fake.behavior.Fault.HANG, fraction).build();
    }

    @Override
    public String description() {
      return "hang " + percent(fraction);
    }
  }

  /**
   * A service time drawn per request from a distribution (uniform, normal, log-normal), from the
   * instance's seeded source keyed by request id, so the draws replay.
   *
   * @param latency the distribution
   */
  public record LatencyDistribution(dev.meshproof.fake.behavior.Latency latency) implements Effect {
    /** Checks a distribution. */
    public LatencyDistribution {
      Objects.requireNonNull(latency, "latency");
    }

    @Override
    public Behavior applyTo(Behavior current) {
      return current.toBuilder().latency(latency).build();
    }

    @Override
    public String description() {
      return "latency " + latency;
    }
  }

  /**
   * A connection-level misbehaviour of the application on a fraction of requests: a reset (TCP RST;
   * Envoy: UC, retried on {@code reset}), headers then a close, or a slow body.
   *
   * @param fault what the instance does instead of answering normally (not {@code NONE})
   * @param fraction of requests, 0-1
   */
  public record ConnectionFault(dev.meshproof.fake.behavior.Fault fault, double fraction)
      implements Effect {
    /** Checks a fault and the fraction. */
    public ConnectionFault {
      Objects.requireNonNull(fault, "fault");
      if (fault == dev.meshproof.fake.behavior.Fault.NONE) {
        throw new IllegalArgumentException(
            "fault: NONE (expected: RESET, HANG, SLOW_BODY or DROP_AFTER_HEADERS)");
      }
      checkFraction("fraction", fraction);
    }

    @Override
    public Behavior applyTo(Behavior current) {
      return current.toBuilder().fault(fault, fraction).build();
    }

    @Override
    public String description() {
      return fault.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
          + " "
          + percent(fraction);
    }
  }

  /** The readiness probe fails; the instance still answers requests. */
  public record NotReady() implements Effect {
    @Override
    public Behavior applyTo(Behavior current) {
      return current.toBuilder().ready(false).build();
    }

    @Override
    public String description() {
      return "not ready";
    }
  }

  /**
   * A whole behaviour, for combinations the other effects do not cover.
   *
   * @param behavior the behaviour in force while active
   */
  public record Replace(Behavior behavior) implements Effect {
    /** Checks a non-null behaviour. */
    public Replace {
      Objects.requireNonNull(behavior, "behavior");
    }

    @Override
    public Behavior applyTo(Behavior current) {
      return behavior;
    }

    @Override
    public String description() {
      return "behavior " + behavior;
    }
  }

  private static void checkFraction(String field, double v) {
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException(field + ": " + v + " (expected: a fraction in (0, 1])");
    }
  }

  private static String percent(double fraction) {
    double p = fraction * 100;
    return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
  }
}
