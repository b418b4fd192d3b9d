package dev.meshproof.scenario.targets;

import dev.meshproof.scenario.traffic.Observations;
import java.util.List;
import java.util.Map;

/**
 * What a target observed running a scenario, evidence to attach (config dumps, logs) and the
 * analyzer's warnings and infos ({@code CODE level resource file:line message}).
 */
public record TargetRun(
    Observations observations, Map<String, String> attachments, List<String> findings) {
  public TargetRun {
    attachments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attachments));
    findings = List.copyOf(findings);
  }
}
