package dev.meshproof.reports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshproof.scenario.result.Status;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * {@code conformance-report.yaml}: a strictly valid Gateway API {@code ConformanceReport} (the Go
 * type {@code sigs.k8s.io/gateway-api/conformance/apis/v1.ConformanceReport} of {@value
 * #GATEWAY_API_VERSION}), carrying exactly that type's fields and nothing else, so a reader that
 * rejects unknown fields accepts it. Everything Meshproof knows beyond that (targets, seeds,
 * evidence) is in the companion {@code meshproof-report.json} ({@link ReportDocument}).
 *
 * <p>The profile and feature names are Meshproof's own ({@link ConformanceReport#PROFILE}): the
 * tests exercise Istio resources, so they claim no Gateway API conformance.
 */
final class GatewayReportDocument {

  /** The Gateway API release whose {@code ConformanceReport} type this file follows. */
  static final String GATEWAY_API_VERSION = "v1.6.3";

  /** The Gateway API release channel of that type. */
  static final String GATEWAY_API_CHANNEL = "standard";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private GatewayReportDocument() {}

  static ObjectNode of(ConformanceReport report) {
    ObjectNode root = NODES.objectNode();
    root.put("apiVersion", ConformanceReport.API_VERSION);
    root.put("kind", ConformanceReport.KIND);
    Implementation impl = report.implementation();
    ObjectNode implementation = root.putObject("implementation");
    implementation.put("organization", impl.organization());
    implementation.put("project", impl.project());
    implementation.put("url", impl.url().map(Object::toString).orElse(""));
    implementation.put("version", impl.version());
    ArrayNode contact = implementation.putArray("contact");
    impl.contact().forEach(contact::add);
    root.put("date", rfc3339(report.date()));
    root.put("gatewayAPIVersion", GATEWAY_API_VERSION);
    root.put("mode", report.mode());
    root.put("gatewayAPIChannel", GATEWAY_API_CHANNEL);
    ArrayNode profiles = root.putArray("profiles");
    ObjectNode profile = profiles.addObject();
    profile.put("name", report.conformanceProfile());
    profile.put("summary", summary(report));
    profile.set("core", status(report, SupportLevel.CORE));
    // As in Gateway API, an extended level with no tests is left out (the Go field is omitempty).
    if (!report.tests(SupportLevel.EXTENDED).isEmpty()) {
      ObjectNode extended = status(report, SupportLevel.EXTENDED);
      List<String> supported = report.supportedFeatures(SupportLevel.EXTENDED);
      List<String> unsupported = report.unsupportedFeatures(SupportLevel.EXTENDED);
      strings(extended, "supportedFeatures", supported);
      strings(extended, "unsupportedFeatures", unsupported);
      profile.set("extended", extended);
    }
    return root;
  }

  /** One line a person reads first: the verdict, the counts, what was emulated and where. */
  static String summary(ConformanceReport report) {
    Statistics all = report.statistics();
    return String.format(
        "Istio %s behaviour checked by Meshproof %s on %s: %d passed, %d failed, %d skipped (%s)."
            + " Profile and features are Meshproof's own, not Gateway API's; the evidence is in"
            + " %s.",
        report.istioVersion(),
        report.meshproofVersion(),
        report.targets().isEmpty() ? "no target" : String.join(", ", report.targets()),
        all.passed(),
        all.failed(),
        all.skipped(),
        all.result(),
        ReportWriter.EVIDENCE);
  }

  private static ObjectNode status(ConformanceReport report, SupportLevel level) {
    Statistics stats = report.statistics(level);
    ObjectNode node = NODES.objectNode();
    node.put("result", stats.result());
    ObjectNode statistics = node.putObject("statistics");
    // Go's encoding/json writes the untagged fields of Statistics under their Go names.
    statistics.put("Passed", stats.passed());
    statistics.put("Skipped", stats.skipped());
    statistics.put("Failed", stats.failed());
    strings(node, "skippedTests", report.testIds(level, Status.SKIPPED));
    strings(node, "failedTests", report.testIds(level, Status.FAILED));
    return node;
  }

  private static void strings(ObjectNode node, String field, List<String> values) {
    // The Go fields are omitempty: an empty list is left out.
    if (!values.isEmpty()) {
      ArrayNode array = node.putArray(field);
      values.forEach(array::add);
    }
  }

  /** RFC 3339 in UTC without fractions, as Gateway API's reporter writes it. */
  static String rfc3339(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }
}
