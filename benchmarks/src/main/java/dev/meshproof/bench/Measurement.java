package dev.meshproof.bench;

import dev.meshproof.scenario.load.HttpProtocol;
import dev.meshproof.scenario.load.LoadPhase;
import dev.meshproof.scenario.load.LoadResult;
import java.util.List;
import java.util.Optional;

/**
 * One measured phase of one path in one round: which data plane ({@code direct} when no proxy is in
 * the way), how many proxy hops, the protocol, the load's tally, what each proxy process spent,
 * what this JVM (load generator and echo) spent, and the machine's load average when the phase
 * ended. A path the data plane cannot serve has no result, only the reason.
 */
record Measurement(
    int round,
    String dataPlane,
    int hops,
    HttpProtocol protocol,
    LoadPhase.Kind kind,
    Optional<LoadResult> result,
    List<ProxyCost> proxies,
    double benchJvmCpuSeconds,
    double loadAverage,
    String note) {

  /** What one proxy process spent during the phase. */
  record ProxyCost(String role, long pid, double cpuSeconds, long rssBytes) {}

  static Measurement notApplicable(
      int round,
      String dataPlane,
      int hops,
      HttpProtocol protocol,
      LoadPhase.Kind kind,
      String reason) {
    return new Measurement(
        round, dataPlane, hops, protocol, kind, Optional.empty(), List.of(), 0, 0, reason);
  }

  boolean is(
      int inRound, String plane, int hopCount, HttpProtocol proto, LoadPhase.Kind phaseKind) {
    return round == inRound
        && dataPlane.equals(plane)
        && hops == hopCount
        && protocol == proto
        && kind == phaseKind;
  }
}
