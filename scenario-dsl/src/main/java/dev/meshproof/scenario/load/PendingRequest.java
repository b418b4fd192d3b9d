package dev.meshproof.scenario.load;

import java.util.List;
import java.util.Map;

/**
 * One request on its way: the phase it counts in, its sequence number and content, when it was
 * meant to start (latency is measured from there) and when it actually went on the wire (timeouts
 * are measured from there); the connection fills in the answer.
 */
final class PendingRequest {
  final PhaseRun run;
  final long index;
  final LoadRequest request;
  final long intendedStartNanos;
  long sentNanos;
  int status;
  Map<String, List<String>> headers = Map.of();
  byte[] body = new byte[0];

  /**
   * When the answer's first body bytes arrived, on the wall clock (nanoseconds since the epoch, to
   * compare with a time the service wrote in its answer); 0 before any did, or when the phase does
   * not keep answers.
   */
  long firstBodyUnixNanos;

  PendingRequest(PhaseRun run, long index, LoadRequest request, long intendedStartNanos) {
    this.run = run;
    this.index = index;
    this.request = request;
    this.intendedStartNanos = intendedStartNanos;
  }
}
