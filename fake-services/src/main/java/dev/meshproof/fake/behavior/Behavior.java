package dev.meshproof.fake.behavior;

import java.time.Duration;
import java.util.Objects;

/**
 * How one workload instance misbehaves, set at build time and changed at runtime through a {@link
 * BehaviorControl}: an error rate with its status mix, a latency distribution, a connection fault
 * with its rate, and readiness. Per-request knobs (query parameters, headers) override it for one
 * request.
 *
 * @param errorRate fraction (0-1) of requests answered with a status drawn from {@code
 *     errorStatuses}
 * @param errorStatuses the statuses an injected error uses, e.g. {@code 503:1}
 * @param latency service time added before answering
 * @param fault the connection fault to apply
 * @param faultRate fraction (0-1) of requests the fault applies to
 * @param slowBodyChunkDelay pause between body pieces under {@link Fault#SLOW_BODY}
 * @param ready whether {@code /ready} answers 200 (else 503)
 */
public record Behavior(
    double errorRate,
    StatusMix errorStatuses,
    Latency latency,
    Fault fault,
    double faultRate,
    Duration slowBodyChunkDelay,
    boolean ready) {

  private static final Behavior DEFAULTS =
      new Behavior(0, StatusMix.of(503), Latency.NONE, Fault.NONE, 0, Duration.ofMillis(100), true);

  /** Validates fractions (0-1) and non-null fields. */
  public Behavior {
    checkFraction("errorRate", errorRate);
    checkFraction("faultRate", faultRate);
    Objects.requireNonNull(errorStatuses, "errorStatuses");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(slowBodyChunkDelay, "slowBodyChunkDelay");
    if (slowBodyChunkDelay.isNegative()) {
      throw new IllegalArgumentException(
          "slowBodyChunkDelay: " + slowBodyChunkDelay + " (expected: >= 0)");
    }
  }

  /** A healthy, ready instance answering 200 at once. */
  public static Behavior defaults() {
    return DEFAULTS;
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** A builder starting from this behaviour. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  private static void checkFraction(String field, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(field + ": " + v + " (expected: a fraction 0.0-1.0)");
    }
  }

  /** Builds a {@link Behavior}; each setter checks its input. */
  public static final class Builder {
    private double errorRate;
    private StatusMix errorStatuses;
    private Latency latency;
    private Fault fault;
    private double faultRate;
    private Duration slowBodyChunkDelay;
    private boolean ready;

    private Builder(Behavior from) {
      errorRate = from.errorRate;
      errorStatuses = from.errorStatuses;
      latency = from.latency;
      fault = from.fault;
      faultRate = from.faultRate;
      slowBodyChunkDelay = from.slowBodyChunkDelay;
      ready = from.ready;
    }

    /** Fraction (0-1) of requests answered with an error status from {@link #errorStatuses}. */
    public Builder errorRate(double fraction) {
      checkFraction("errorRate", fraction);
      this.errorRate = fraction;
      return this;
    }

    /** The statuses injected errors use (default {@code 503}). */
    public Builder errorStatuses(StatusMix mix) {
      this.errorStatuses = Objects.requireNonNull(mix, "errorStatuses");
      return this;
    }

    /** Shortcut: {@code errorRate} of requests fail with statuses parsed from {@code mix}. */
    public Builder errors(double fraction, String mix) {
      return errorRate(fraction).errorStatuses(StatusMix.parse(mix));
    }

    /** Service time distribution (default none). */
    public Builder latency(Latency latency) {
      this.latency = Objects.requireNonNull(latency, "latency");
      return this;
    }

    /** Shortcut for a fixed latency. */
    public Builder fixedLatency(Duration value) {
      return latency(new Latency.Fixed(value));
    }

    /** Applies {@code fault} to every request. */
    public Builder fault(Fault fault) {
      return fault(fault, 1.0);
    }

    /** Applies {@code fault} to {@code fraction} of requests. */
    public Builder fault(Fault fault, double fraction) {
      checkFraction("faultRate", fraction);
      this.fault = Objects.requireNonNull(fault, "fault");
      this.faultRate = fault == Fault.NONE ? 0 : fraction;
      return this;
    }

    /** Pause between body pieces under {@link Fault#SLOW_BODY} (default 100ms). */
    public Builder slowBodyChunkDelay(Duration delay) {
      Objects.requireNonNull(delay, "slowBodyChunkDelay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("slowBodyChunkDelay: " + delay + " (expected: >= 0)");
      }
      this.slowBodyChunkDelay = delay;
      return this;
    }

    /** Whether {@code /ready} answers 200 (true, default) or 503. */
    public Builder ready(boolean ready) {
      this.ready = ready;
      return this;
    }

    /** Builds the immutable behaviour. */
    public Behavior build() {
      return new Behavior(
          errorRate, errorStatuses, latency, fault, faultRate, slowBodyChunkDelay, ready);
    }
  }
}
