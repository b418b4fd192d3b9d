package dev.meshproof.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshproof.scenario.result.DistributionRow;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.FailedRequest;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.result.Topology;
import dev.meshproof.scenario.result.TrafficSummary;
import dev.meshproof.scenario.result.TrafficTimeline;
import dev.meshproof.scenario.result.UpstreamAttempt;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The evidence report {@code meshproof-report.json} as one Jackson tree: every test's result on
 * every target with its seed, traffic, expectations, failed requests and attachments, and the
 * verdicts changed since the previous run. Its layout is documented by the JSON Schema {@code
 * meshproof-report.schema.json} (a resource beside this class, written beside the report). Built by
 * hand rather than by bean serialisation: the layout is a public format and must not move when a
 * Java record gains a component.
 */
final class ReportDocument {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ReportDocument() {}

  /** The evidence report's own API version and kind, distinct from Gateway API's. */
  static final String API_VERSION = "meshproof.dev/v1alpha1";

  static final String KIND = "MeshproofReport";

  static ObjectNode of(
      ConformanceReport report, AttachmentLayout attachments, Optional<RunHistory> history) {
    ObjectNode root = NODES.objectNode();
    root.put("$schema", ReportWriter.SCHEMA);
    root.put("apiVersion", API_VERSION);
    root.put("kind", KIND);
    root.put("date", iso(report.date()));
    root.put("meshproofVersion", report.meshproofVersion());
    root.put("istioVersion", report.istioVersion());
    root.set("implementation", implementation(report.implementation()));
    root.put("mode", report.mode());
    root.set("summary", summary(report));
    root.set("profiles", NODES.arrayNode().add(profile(report)));
    ArrayNode tests = root.putArray("tests");
    for (ConformanceTestResult test : report.tests()) {
      tests.add(test(test, attachments));
    }
    history.ifPresent(h -> root.set("changesSincePrevious", history(h)));
    return root;
  }

  private static ObjectNode history(RunHistory history) {
    ObjectNode node = NODES.objectNode();
    node.put("previousDate", history.previousDate());
    ArrayNode changes = node.putArray("changes");
    for (RunHistory.Change c : history.changes()) {
      ObjectNode change = changes.addObject();
      change.put("test", c.testId());
      change.put("target", c.target());
      change.put("before", c.before());
      change.put("after", c.after());
    }
    return node;
  }

  private static ObjectNode implementation(Implementation implementation) {
    ObjectNode node = NODES.objectNode();
    node.put("organization", implementation.organization());
    node.put("project", implementation.project());
    implementation.url().ifPresent(u -> node.put("url", u.toString()));
    node.put("version", implementation.version());
    node.set("contact", strings(implementation.contact()));
    return node;
  }

  private static ObjectNode summary(ConformanceReport report) {
    ObjectNode node = NODES.objectNode();
    Statistics all = report.statistics();
    node.put("result", all.result());
    node.set("statistics", statistics(all));
    ArrayNode targets = node.putArray("targets");
    for (String target : report.targets()) {
      Statistics stats = report.statistics(target);
      ObjectNode t = targets.addObject();
      t.put("name", target);
      t.put("result", stats.result());
      t.set("statistics", statistics(stats));
      t.set("supportedFeatures", strings(report.supportedFeatures(target)));
    }
    return node;
  }

  private static ObjectNode profile(ConformanceReport report) {
    ObjectNode node = NODES.objectNode();
    node.put("name", report.conformanceProfile());
    for (SupportLevel level : SupportLevel.values()) {
      // As in Gateway API, a support level with no tests is left out rather than reported as a
      // vacuous success.
      if (!report.tests(level).isEmpty()) {
        node.set(level.id(), level(report, level));
      }
    }
    node.set("supportedFeatures", strings(report.supportedFeatures()));
    node.set("unsupportedFeatures", strings(report.unsupportedFeatures()));
    return node;
  }

  private static ObjectNode level(ConformanceReport report, SupportLevel level) {
    Statistics stats = report.statistics(level);
    ObjectNode node = NODES.objectNode();
    node.put("result", stats.result());
    node.set("statistics", statistics(stats));
    node.set("skippedTests", strings(report.testIds(level, Status.SKIPPED)));
    node.set("failedTests", strings(report.testIds(level, Status.FAILED)));
    ObjectNode targets = node.putObject("targets");
    for (String target : report.targets()) {
      targets.set(target, statistics(report.statistics(target, level)));
    }
    return node;
  }

  private static ObjectNode statistics(Statistics stats) {
    // Capitalised as in Gateway API's reports, so existing tooling reads them.
    ObjectNode node = NODES.objectNode();
    node.put("Passed", stats.passed());
    node.put("Failed", stats.failed());
    node.put("Skipped", stats.skipped());
    return node;
  }

  private static ObjectNode test(ConformanceTestResult test, AttachmentLayout attachments) {
    ObjectNode node = NODES.objectNode();
    node.put("id", test.id());
    node.put("feature", test.feature());
    node.put("supportLevel", test.supportLevel().id());
    node.put("description", test.description());
    node.put("specReference", test.specReference().toString());
    node.put("result", status(test.result()));
    ArrayNode targets = node.putArray("targets");
    for (ScenarioResult result : test.results()) {
      targets.add(run(result, attachments.entries(test.id(), result.target())));
    }
    ArrayNode comparisons = node.putArray("comparisons");
    test.comparisons().forEach(c -> comparisons.add(expectation(c)));
    return node;
  }

  static ObjectNode run(ScenarioResult result, Collection<AttachmentLayout.Entry> attachments) {
    ObjectNode node = NODES.objectNode();
    node.put("target", result.target());
    if (result.scenario() != null) {
      node.put("scenario", result.scenario());
    }
    node.put("status", status(result.status()));
    node.put("seed", result.seed());
    node.put("replay", replayHint(result.seed()));
    if (result.started() != null) {
      node.put("started", iso(result.started()));
    }
    if (result.duration() != null) {
      node.put("durationMillis", result.duration().toMillis());
    }
    failure(result).ifPresent(f -> node.put("failure", f));
    if (result.traffic() != null) {
      node.set("traffic", traffic(result.traffic()));
    }
    ArrayNode expectations = node.putArray("expectations");
    for (ExpectationResult e : result.expectations()) {
      expectations.add(expectation(e));
    }
    ArrayNode failed = node.putArray("failedRequests");
    for (FailedRequest r : result.failedRequests()) {
      ObjectNode f = failed.addObject();
      f.put("index", r.index());
      f.put("traffic", r.traffic());
      f.put("url", r.url());
      f.put("outcome", r.outcome());
      f.put("status", r.status());
      f.put("servedBy", r.servedBy());
      putFinite(f, "latencyMillis", r.latencyMillis());
      f.put("detail", r.detail());
      f.put("requestId", r.requestId());
      r.proxy()
          .ifPresent(
              p -> {
                ObjectNode proxy = f.putObject("proxy");
                proxy.put("route", p.route());
                proxy.put("upstreamCluster", p.upstreamCluster());
                proxy.put("upstreamHost", p.upstreamHost());
                proxy.put("responseFlags", p.responseFlags());
              });
      f.set("attempts", attempts(r.attempts()));
      f.set("mirrors", attempts(r.mirrors()));
    }
    if (result.findings() != null) {
      node.set("findings", strings(result.findings()));
    }
    if (result.timeline() != null
        && !(result.timeline().buckets().isEmpty() && result.timeline().faults().isEmpty())) {
      node.set("timeline", timeline(result.timeline()));
    }
    if (result.topology() != null && !result.topology().edges().isEmpty()) {
      node.set("topology", topology(result.topology()));
    }
    ArrayNode files = node.putArray("attachments");
    for (AttachmentLayout.Entry a : attachments) {
      ObjectNode file = files.addObject();
      file.put("name", a.name());
      file.put("path", a.relativePath());
    }
    return node;
  }

  private static ArrayNode attempts(List<UpstreamAttempt> attempts) {
    ArrayNode array = NODES.arrayNode();
    for (UpstreamAttempt a : attempts) {
      ObjectNode node = array.addObject();
      node.put("instance", a.instance());
      node.put("status", a.status());
      node.put("envoyAttemptCount", a.envoyAttemptCount());
      putFinite(node, "offsetMillis", a.offsetMillis());
      putFinite(node, "serviceMillis", a.serviceMillis());
      node.put("authority", a.authority());
      if (!a.callerIdentity().isEmpty()) {
        node.put("callerIdentity", a.callerIdentity());
      }
    }
    return array;
  }

  private static ObjectNode topology(Topology topology) {
    ObjectNode node = NODES.objectNode();
    node.set("clients", strings(topology.clients()));
    ArrayNode workloads = node.putArray("workloads");
    for (Topology.Workload w : topology.workloads()) {
      ObjectNode workload = workloads.addObject();
      workload.put("service", w.service());
      workload.put("version", w.version());
      workload.set("instances", strings(w.instances()));
    }
    ArrayNode edges = node.putArray("edges");
    for (Topology.Edge e : topology.edges()) {
      ObjectNode edge = edges.addObject();
      edge.put("from", e.from());
      edge.put("instance", e.instance());
      edge.put("requests", e.requests());
    }
    return node;
  }

  private static ObjectNode timeline(TrafficTimeline timeline) {
    ObjectNode node = NODES.objectNode();
    node.put("bucketMillis", timeline.bucketMillis());
    ArrayNode buckets = node.putArray("buckets");
    for (TrafficTimeline.Bucket b : timeline.buckets()) {
      ObjectNode bucket = buckets.addObject();
      bucket.put("startMillis", b.startMillis());
      bucket.put("requests", b.requests());
      bucket.put("errors", b.errors());
      putFinite(bucket, "p50Millis", b.p50Millis());
      putFinite(bucket, "p99Millis", b.p99Millis());
    }
    ArrayNode faults = node.putArray("faults");
    for (TrafficTimeline.FaultWindow f : timeline.faults()) {
      ObjectNode fault = faults.addObject();
      fault.put("fault", f.fault());
      fault.put("fromMillis", f.fromMillis());
      fault.put("toMillis", f.toMillis());
    }
    return node;
  }

  private static ObjectNode traffic(TrafficSummary traffic) {
    ObjectNode node = NODES.objectNode();
    node.put("sent", traffic.sent());
    node.put("responses", traffic.responses());
    node.put("connectFailures", traffic.connectFailures());
    node.put("resets", traffic.resets());
    node.put("timeouts", traffic.timeouts());
    ObjectNode statuses = node.putObject("statusCounts");
    sortedStatusCounts(traffic).forEach((code, count) -> statuses.put(code.toString(), count));
    ObjectNode latency = node.putObject("latencyMillis");
    putFinite(latency, "p50", traffic.p50Millis());
    putFinite(latency, "p90", traffic.p90Millis());
    putFinite(latency, "p99", traffic.p99Millis());
    putFinite(latency, "max", traffic.maxMillis());
    return node;
  }

  private static ObjectNode expectation(ExpectationResult e) {
    ObjectNode node = NODES.objectNode();
    node.put("description", e.description());
    node.put("result", e.passed() ? "passed" : "failed");
    node.put("message", e.message());
    ObjectNode stats = node.putObject("statistics");
    e.statistics().forEach(stats::put);
    if (!e.distribution().isEmpty()) {
      ArrayNode rows = node.putArray("distribution");
      for (DistributionRow row : e.distribution()) {
        ObjectNode r = rows.addObject();
        r.put("category", row.category());
        r.put("observed", row.observed());
        putFinite(r, "observedFraction", row.observedFraction());
        putFinite(r, "expectedFraction", row.expectedFraction());
        putFinite(r, "expectedCount", row.expectedCount());
      }
    }
    return node;
  }

  /** Status codes in numeric order, so the output does not depend on hash order. */
  static Map<Integer, Long> sortedStatusCounts(TrafficSummary traffic) {
    return new TreeMap<>(traffic.statusCounts());
  }

  /** The system property that replays a run with the same random draws. */
  static String replayHint(long seed) {
    return "-Dmeshproof.seed=" + seed;
  }

  static String status(Status status) {
    return status.name().toLowerCase(Locale.ROOT);
  }

  static Optional<String> failure(ScenarioResult result) {
    // A hand-built result may carry a null Optional; treat it as "no failure recorded".
    return result.failure() == null ? Optional.empty() : result.failure();
  }

  static String iso(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }

  private static void putFinite(ObjectNode node, String field, double value) {
    // NaN and infinity are not JSON numbers; an undefined figure is left out instead.
    if (Double.isFinite(value)) {
      node.put(field, value);
    }
  }

  private static JsonNode strings(Collection<String> values) {
    ArrayNode array = NODES.arrayNode();
    values.forEach(array::add);
    return array;
  }
}
