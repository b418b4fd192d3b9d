package dev.meshproof.scenario.traffic;

/**
 * When a gRPC server stream's messages moved, on the wall clock (nanoseconds since the epoch): when
 * the first message's bytes reached the client, and when the gRPC echo says it sent the last one
 * ({@code EchoResponse.sent_unix_nanos}). Proxies that forward the stream as it arrives let the
 * first message arrive before the last was sent whenever the echo pauses between messages; a proxy
 * that collects the whole answer first cannot. Both clocks are the same machine's on the embedded
 * and Envoy targets (a cluster's nodes agree only as closely as their time sync).
 *
 * @param messages the answers the call received
 */
public record StreamTiming(int messages, long firstArrivedUnixNanos, long lastSentUnixNanos) {
  /** Whether the first message arrived before the last one was sent. */
  public boolean firstArrivedBeforeLastSent() {
    return firstArrivedUnixNanos < lastSentUnixNanos;
  }
}
