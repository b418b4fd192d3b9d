package dev.meshproof.chaos.network;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link ToxicProxy} does to the bytes it relays, after <a
 * href="https://github.com/Shopify/toxiproxy#toxics">Toxiproxy's toxics</a>: added latency, a
 * bandwidth cap, connection resets, or a blackhole. Several toxics can be in force at once; each
 * relayed chunk reads the current set, so changes apply immediately.
 */
public sealed interface Toxic permits Toxic.Latency, Toxic.Bandwidth, Toxic.Reset, Toxic.Blackhole {

  /** For the event log, e.g. {@code "latency 200ms +0-50ms downstream"}. */
  String description();

  /** Which way the bytes a toxic affects flow. */
  enum Stream {
    /** From the client to the upstream (requests). */
    UPSTREAM,
    /** From the upstream back to the client (responses), Toxiproxy's default. */
    DOWNSTREAM
  }

  /** Which connections a {@link Reset} hits. */
  enum ResetScope {
    /** Connections accepted while the toxic is in force are reset at once. */
    NEW_CONNECTIONS,
    /** Also every connection open when the toxic is added. */
    ALL_CONNECTIONS
  }

  /** {@code latency} added to responses, no jitter. */
  static Latency latency(Duration latency) {
    return new Latency(latency, Duration.ZERO, Stream.DOWNSTREAM);
  }

  /** {@code latency} plus a uniform draw in {@code [0, jitter]} added to responses. */
  static Latency latency(Duration latency, Duration jitter) {
    return new Latency(latency, jitter, Stream.DOWNSTREAM);
  }

  /** Responses capped at {@code bytesPerSecond}. */
  static Bandwidth bandwidth(long bytesPerSecond) {
    return new Bandwidth(bytesPerSecond, Stream.DOWNSTREAM);
  }

  /** Every connection, open or new, reset (TCP RST). */
  static Reset reset() {
    return new Reset(ResetScope.ALL_CONNECTIONS);
  }

  /** Connections accepted and never forwarded: the client times out. */
  static Blackhole blackhole() {
    return new Blackhole();
  }

  /**
   * Each chunk flowing in {@code stream} is delayed by {@code latency} plus a uniform draw in
   * {@code [0, jitter]} from the proxy's seeded random source; order is kept, so a chunk never
   * overtakes an earlier one. The delay is never less than {@code latency}.
   *
   * @param latency the fixed part, {@code >= 0}
   * @param jitter the random extra, {@code >= 0}
   * @param stream which way
   */
  record Latency(Duration latency, Duration jitter, Stream stream) implements Toxic {
    /** Checks non-negative durations, not both zero. */
    public Latency {
      checkNonNegative("latency", latency);
      checkNonNegative("jitter", jitter);
      Objects.requireNonNull(stream, "stream");
      if (latency.isZero() && jitter.isZero()) {
        throw new IllegalArgumentException("latency: 0s with jitter 0s (expected: one > 0)");
      }
    }

    @Override
    public String description() {
      return "latency "
          + latency.toMillis()
          + "ms"
          + (jitter.isZero() ? "" : " +0-" + jitter.toMillis() + "ms")
          + " "
          + stream.name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Bytes flowing in {@code stream} are released no faster than {@code bytesPerSecond} per
   * connection.
   *
   * @param bytesPerSecond the cap, {@code >= 1}
   * @param stream which way
   */
  record Bandwidth(long bytesPerSecond, Stream stream) implements Toxic {
    /** Checks a positive rate. */
    public Bandwidth {
      if (bytesPerSecond < 1) {
        throw new IllegalArgumentException(
            "bytesPerSecond: " + bytesPerSecond + " (expected: >= 1)");
      }
      Objects.requireNonNull(stream, "stream");
    }

    @Override
    public String description() {
      return "bandwidth "
          + bytesPerSecond
          + " B/s "
          + stream.name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Connections are closed with a TCP RST (SO_LINGER 0): the client sees "connection reset", Envoy
   * reports UC/UF.
   *
   * @param scope new connections only, or also the open ones
   */
  record Reset(ResetScope scope) implements Toxic {
    /** Checks the scope. */
    public Reset {
      Objects.requireNonNull(scope, "scope");
    }

    @Override
    public String description() {
      return "reset " + scope.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  /**
   * Bytes in both directions are dropped: connections are accepted and stay open, nothing is
   * forwarded, so the client (or Envoy's route timeout, UT) times out.
   */
  record Blackhole() implements Toxic {
    @Override
    public String description() {
      return "blackhole";
    }
  }

  private static void checkNonNegative(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: >= 0)");
    }
  }
}
