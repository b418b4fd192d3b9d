package dev.meshproof.scenario.targets;

import dev.meshproof.scenario.result.TrafficTimeline;
import dev.meshproof.scenario.traffic.Observations;
import java.util.List;
import java.util.Map;

/**
 * What a target observed running a scenario, evidence to attach (config dumps, logs) and the
 * analyzer's warnings and infos ({@code CODE level resource file:line message}) and the windows in
 * which chaos faults were in force.
 */
public record TargetRun(
    Observations observations,
    Map<String, String> attachments,
    List<String> findings,
    List<TrafficTimeline.FaultWindow> faultWindows) {
  public TargetRun {
    attachments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attachments));
    findings = List.copyOf(findings);
    faultWindows = List.copyOf(faultWindows);
  }

  /** A run without chaos. */
  public TargetRun(
      Observations observations, Map<String, String> attachments, List<String> findings) {
    this(observations, attachments, findings, List.of());
  }
}
