package dev.meshproof.scenario.targets;

import dev.meshproof.scenario.traffic.Observations;
import java.util.Map;

/** What a target observed running a scenario, and evidence to attach (config dumps, logs). */
public record TargetRun(Observations observations, Map<String, String> attachments) {
  public TargetRun {
    attachments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attachments));
  }
}
