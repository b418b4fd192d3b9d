package dev.meshproof.scenario.targets;

import dev.meshproof.scenario.result.TrafficTimeline;
import dev.meshproof.scenario.traffic.Observations;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a target observed running a scenario, evidence to attach (config dumps, logs), the
 * analyzer's warnings and infos ({@code CODE level resource file:line message}), for a chaos
 * experiment what its hypothesis, method and rollbacks did, and the windows in which chaos faults
 * were in force.
 */
public record TargetRun(
    Observations observations,
    Map<String, String> attachments,
    List<String> findings,
    Optional<ExperimentRun> experiment,
    List<TrafficTimeline.FaultWindow> faultWindows) {
  public TargetRun {
    attachments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attachments));
    findings = List.copyOf(findings);
    Objects.requireNonNull(experiment, "experiment");
    faultWindows = List.copyOf(faultWindows);
  }

  /** A run of a scenario that is no experiment, without chaos. */
  public TargetRun(
      Observations observations, Map<String, String> attachments, List<String> findings) {
    this(observations, attachments, findings, Optional.empty(), List.of());
  }

  /** A run of a scenario that is no experiment. */
  public TargetRun(
      Observations observations,
      Map<String, String> attachments,
      List<String> findings,
      List<TrafficTimeline.FaultWindow> faultWindows) {
    this(observations, attachments, findings, Optional.empty(), faultWindows);
  }

  /** A run of an experiment, without fault windows. */
  public TargetRun(
      Observations observations,
      Map<String, String> attachments,
      List<String> findings,
      Optional<ExperimentRun> experiment) {
    this(observations, attachments, findings, experiment, List.of());
  }
}
