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
 * @param failedRequests the first requests that did not succeed (at most {@link
 *     #MAX_FAILED_REQUESTS}), each explained; their total is in {@link #traffic()}
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
    Map<String, String> attachments,
    List<FailedRequest> failedRequests) {

  /** How many failed requests a result keeps as evidence; the rest are only counted. */
  public static final int MAX_FAILED_REQUESTS = 20;

  public ScenarioResult {
    expectations = List.copyOf(expectations);
    failedRequests =
        List.copyOf(
            failedRequests.subList(0, Math.min(MAX_FAILED_REQUESTS, failedRequests.size())));
    attachments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attachments));
  }

  /** A result without per-request failure evidence (a skipped or aborted run, a test fixture). */
  public ScenarioResult(
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
    this(
        scenario,
        target,
        seed,
        status,
        started,
        duration,
        traffic,
        expectations,
        failure,
        attachments,
        List.of());
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
    if (!failedRequests.isEmpty() && status == Status.FAILED) {
      out.append("\n  first failed requests:");
      for (FailedRequest r : failedRequests) {
        out.append("\n    #")
            .append(r.index())
            .append(" (")
            .append(r.traffic())
            .append(") ")
            .append(r.url())
            .append(": ")
            .append(r.outcome())
            .append(r.status() > 0 ? " " + r.status() : "")
            .append(r.servedBy().isEmpty() ? "" : " from " + r.servedBy())
            .append(r.detail().isEmpty() ? "" : ": " + r.detail());
      }
    }
    return out.toString();
  }
}
