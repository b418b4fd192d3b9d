package dev.meshproof.scenario.result;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * @param findings the warnings and infos of the analyzer that ran before the scenario ({@code
 *     runtime.analyze.Analyzer}), each as {@code CODE level resource file:line message}; an error
 *     fails the run instead, with the findings as its failure
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
    List<FailedRequest> failedRequests,
    List<String> findings) {

  /** How many failed requests a result keeps as evidence; the rest are only counted. */
  public static final int MAX_FAILED_REQUESTS = 20;

  public ScenarioResult {
    expectations = List.copyOf(expectations);
    failedRequests =
        List.copyOf(
            failedRequests.subList(0, Math.min(MAX_FAILED_REQUESTS, failedRequests.size())));
    attachments = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attachments));
    findings = List.copyOf(findings);
  }

  /** Starts a result of {@code scenario} on {@code target}, run with {@code seed}. */
  public static Builder builder(String scenario, String target, long seed) {
    return new Builder(scenario, target, seed);
  }

  /** A builder holding this result's fields, to derive a changed copy. */
  public Builder toBuilder() {
    return builder(scenario, target, seed)
        .status(status)
        .started(started)
        .duration(duration)
        .traffic(traffic)
        .expectations(expectations)
        .failure(failure)
        .attachments(attachments)
        .failedRequests(failedRequests)
        .findings(findings);
  }

  /**
   * Builds a {@link ScenarioResult}: status and start time are required; a run that sent no
   * traffic, judged nothing, attached nothing and failed no request needs no more.
   */
  public static final class Builder {
    private final String scenario;
    private final String target;
    private final long seed;
    private Status status;
    private Instant started;
    private Duration duration = Duration.ZERO;
    private TrafficSummary traffic = TrafficSummary.none();
    private List<ExpectationResult> expectations = List.of();
    private Optional<String> failure = Optional.empty();
    private Map<String, String> attachments = Map.of();
    private List<FailedRequest> failedRequests = List.of();
    private List<String> findings = List.of();

    private Builder(String scenario, String target, long seed) {
      if (scenario == null || scenario.isBlank()) {
        throw new IllegalArgumentException("scenario: blank (expected: the scenario's name)");
      }
      if (target == null || target.isBlank()) {
        throw new IllegalArgumentException("target: blank (expected: a target name)");
      }
      this.scenario = scenario;
      this.target = target;
      this.seed = seed;
    }

    public Builder status(Status status) {
      this.status = Objects.requireNonNull(status, "status");
      return this;
    }

    public Builder started(Instant started) {
      this.started = Objects.requireNonNull(started, "started");
      return this;
    }

    public Builder duration(Duration duration) {
      Objects.requireNonNull(duration, "duration");
      if (duration.isNegative()) {
        throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0)");
      }
      this.duration = duration;
      return this;
    }

    public Builder traffic(TrafficSummary traffic) {
      this.traffic = Objects.requireNonNull(traffic, "traffic");
      return this;
    }

    public Builder expectations(List<ExpectationResult> expectations) {
      this.expectations = Objects.requireNonNull(expectations, "expectations");
      return this;
    }

    /** Why the run failed or was skipped without reaching its expectations. */
    public Builder failure(Optional<String> failure) {
      this.failure = Objects.requireNonNull(failure, "failure");
      return this;
    }

    /** See {@link #failure(Optional)}. */
    public Builder failure(String failure) {
      return failure(Optional.of(failure));
    }

    public Builder attachments(Map<String, String> attachments) {
      this.attachments = Objects.requireNonNull(attachments, "attachments");
      return this;
    }

    /** The analyzer's findings, {@code CODE level resource file:line message} each. */
    public Builder findings(List<String> findings) {
      this.findings = Objects.requireNonNull(findings, "findings");
      return this;
    }

    /** The failed requests kept as evidence; only the first {@link #MAX_FAILED_REQUESTS} stay. */
    public Builder failedRequests(List<FailedRequest> failedRequests) {
      this.failedRequests = Objects.requireNonNull(failedRequests, "failedRequests");
      return this;
    }

    public ScenarioResult build() {
      if (status == null) {
        throw new IllegalArgumentException(
            "status: missing (expected: one of "
                + java.util.Arrays.toString(Status.values())
                + ")");
      }
      if (started == null) {
        throw new IllegalArgumentException("started: missing (expected: when the run started)");
      }
      return new ScenarioResult(
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
          failedRequests,
          findings);
    }
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
            .append(r.detail().isEmpty() ? "" : ": " + r.detail())
            .append(r.proxy().map(p -> " [proxy " + p + "]").orElse(""));
      }
    }
    return out.toString();
  }
}
