package dev.meshproof.bench.load;

/**
 * One request on its way: the phase it counts in, when it was meant to start (latency is measured
 * from there) and when it actually went on the wire (timeouts are measured from there).
 */
final class PendingRequest {
  final PhaseRun run;
  final long intendedStartNanos;
  long sentNanos;
  int status;

  PendingRequest(PhaseRun run, long intendedStartNanos) {
    this.run = run;
    this.intendedStartNanos = intendedStartNanos;
  }
}
