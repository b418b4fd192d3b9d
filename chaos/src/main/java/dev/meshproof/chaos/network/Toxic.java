package dev.meshproof.chaos.network;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link ToxicProxy} does to the bytes it relays, after <a
 * href="https://github.com/Shopify/toxiproxy#toxics">Toxiproxy's toxics</a>: added latency, a
 * bandwidth cap, connection resets, a blackhole, a timeout, a slow close, a slicer or a data limit.
 * Several toxics can be in force at once; each relayed chunk reads the current set, so changes
 * apply immediately. Each toxic acts on one {@link Stream} (a reset acts on the whole connection);
 * its toxicity, the fraction of connections it applies to, is given when it is added ({@link
 * ToxicProxy#addToxic(Toxic, double)}).
 */
public sealed interface Toxic
    permits Toxic.Latency,
        Toxic.Bandwidth,
        Toxic.Reset,
        Toxic.Blackhole,
        Toxic.Timeout,
        Toxic.SlowClose,
        Toxic.Slicer,
        Toxic.LimitData {

  /** For the event log, e.g. {@code "latency 200ms +0-50ms downstream"}. */
  String description();

  /**
   * The one way this toxic acts on; empty for a reset (the whole connection) and a blackhole of
   * both ways.
   */
  default java.util.Optional<Stream> direction() {
    if (this instanceof Latency l) {
      return java.util.Optional.of(l.stream());
    } else if (this instanceof Bandwidth b) {
      return java.util.Optional.of(b.stream());
    } else if (this instanceof Timeout t) {
      return java.util.Optional.of(t.stream());
    } else if (this instanceof Slicer s) {
      return java.util.Optional.of(s.stream());
    } else if (this instanceof LimitData l) {
      return java.util.Optional.of(l.stream());
    } else if (this instanceof SlowClose s) {
      return java.util.Optional.of(s.stream());
    } else if (this instanceof Blackhole b && b.streams().size() == 1) {
      return java.util.Optional.of(b.streams().iterator().next());
    }
    return java.util.Optional.empty();
  }

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
   * Bytes flowing in {@code streams} are dropped: connections are accepted and stay open, nothing
   * is forwarded, so the client (or Envoy's route timeout, UT) times out. Toxiproxy's {@code
   * timeout} toxic with timeout 0.
   *
   * @param streams which ways, at least one
   */
  record Blackhole(java.util.Set<Stream> streams) implements Toxic {
    /** Checks at least one stream. */
    public Blackhole {
      streams = java.util.Set.copyOf(streams);
      if (streams.isEmpty()) {
        throw new IllegalArgumentException("streams: [] (expected: upstream, downstream or both)");
      }
    }

    /** Both ways. */
    public Blackhole() {
      this(java.util.Set.of(Stream.UPSTREAM, Stream.DOWNSTREAM));
    }

    @Override
    public String description() {
      return "blackhole"
          + (streams.size() == 2
              ? ""
              : " " + streams.iterator().next().name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  /**
   * Bytes flowing in {@code stream} are dropped, and the connection is closed {@code timeout} after
   * the first dropped chunk, as Toxiproxy's {@code timeout} toxic: the caller sees its request
   * answered by a close (Envoy: UC) after the timeout.
   *
   * @param timeout how long the connection hangs before it is closed, {@code > 0}
   * @param stream which way
   */
  record Timeout(Duration timeout, Stream stream) implements Toxic {
    /** Checks a positive timeout (a zero timeout is a {@link Blackhole}). */
    public Timeout {
      checkPositive("timeout", timeout);
      Objects.requireNonNull(stream, "stream");
    }

    @Override
    public String description() {
      return "timeout " + timeout.toMillis() + "ms " + lower(stream);
    }
  }

  /**
   * When the side that sends in {@code stream} closes, the close reaches the other side {@code
   * delay} later, as Toxiproxy's {@code slow_close}: the connection lingers half-dead.
   *
   * @param delay how long the close is held, {@code > 0}
   * @param stream which way the close travels
   */
  record SlowClose(Duration delay, Stream stream) implements Toxic {
    /** Checks a positive delay. */
    public SlowClose {
      checkPositive("delay", delay);
      Objects.requireNonNull(stream, "stream");
    }

    @Override
    public String description() {
      return "slow close " + delay.toMillis() + "ms " + lower(stream);
    }
  }

  /**
   * Bytes flowing in {@code stream} are cut into pieces of {@code averageSize} plus or minus a
   * uniform draw up to {@code sizeVariation} bytes, each released {@code delay} after the previous,
   * as Toxiproxy's {@code slicer}: the peer's parser sees many small reads.
   *
   * @param averageSize mean piece size in bytes, {@code >= 1}
   * @param sizeVariation maximal deviation in bytes, {@code 0 <= v < averageSize}
   * @param delay pause between pieces, {@code >= 0}
   * @param stream which way
   */
  record Slicer(int averageSize, int sizeVariation, Duration delay, Stream stream)
      implements Toxic {
    /** Checks the sizes and the delay. */
    public Slicer {
      if (averageSize < 1) {
        throw new IllegalArgumentException("averageSize: " + averageSize + " (expected: >= 1)");
      }
      if (sizeVariation < 0 || sizeVariation >= averageSize) {
        throw new IllegalArgumentException(
            "sizeVariation: "
                + sizeVariation
                + " (expected: >= 0 and < averageSize "
                + averageSize
                + ")");
      }
      checkNonNegative("delay", delay);
      Objects.requireNonNull(stream, "stream");
    }

    @Override
    public String description() {
      return "slicer "
          + averageSize
          + "B"
          + (sizeVariation == 0 ? "" : " +-" + sizeVariation + "B")
          + " every "
          + delay.toMillis()
          + "ms "
          + lower(stream);
    }
  }

  /**
   * The connection is closed once {@code bytes} have flowed in {@code stream} on it, as Toxiproxy's
   * {@code limit_data}: a response cut short (Envoy: UC, or a truncated body).
   *
   * @param bytes how many bytes pass, {@code >= 0}
   * @param stream which way
   */
  record LimitData(long bytes, Stream stream) implements Toxic {
    /** Checks a non-negative limit. */
    public LimitData {
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
      }
      Objects.requireNonNull(stream, "stream");
    }

    @Override
    public String description() {
      return "limit data " + bytes + "B " + lower(stream);
    }
  }

  private static String lower(Stream stream) {
    return stream.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static void checkPositive(String field, Duration d) {
    checkNonNegative(field, d);
    if (d.isZero()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: > 0)");
    }
  }

  private static void checkNonNegative(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: >= 0)");
    }
  }
}
