package dev.meshproof.scenario.result;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One scenario run on one target: its status, the seed that replays it, timings, what the traffic
 * did, every expectation's verdict and evidence, and attachments such as proxy config dumps.
 *
 * @param failure why the run failed or was skipped without reaching its expectations (invalid YAML
 *     with file and line, a NACK with the proxy's detail, a missing Envoy binary)
 * @param attachments named evidence, e.g. {@code config_dump client-0} to its JSON
 */
public record ScenarioResult(
    String scenario,
    String target,
    long seed,
    Status status,
    Instant started,
    Duration duration,
    TrafficSummary traffic,
    List<ExpectationResult> expectations,
    Optional<String> failure,
    Map<String, String> attachments) {

  public ScenarioResult {
    expectations = List.copyOf(expectations);
    attachments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attachments));
  }

  /** A readable account of what failed, for test failure messages. */
  public String failureSummary() {
    StringBuilder out = new StringBuilder();
    out.append(scenario)
        .append(" on ")
        .append(target)
        .append(" (seed ")
        .append(seed)
        .append("): ")
        .append(status);
    failure.ifPresent(f -> out.append("\n  ").append(f.replace("\n", "\n  ")));
    for (ExpectationResult e : expectations) {
      if (!e.passed()) {
        out.append("\n  expectation failed: ")
            .append(e.description())
            .append("\n    ")
            .append(e.message());
      }
    }
    return out.toString();
  }
}
