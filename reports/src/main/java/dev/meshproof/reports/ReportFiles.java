package dev.meshproof.reports;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files {@link ReportWriter} wrote.
 *
 * @param html {@code report.html}, the self-contained human-readable report
 * @param json {@code conformance-report.json}, the Gateway API {@code ConformanceReport}
 * @param yaml {@code conformance-report.yaml}, the same content as the JSON
 * @param evidence {@code meshproof-report.json}, every test's evidence on every target
 * @param schema {@code meshproof-report.schema.json}, the JSON Schema of the evidence file
 * @param attachments one file per attachment under {@code attachments/<test-id>/<target>/}
 */
public record ReportFiles(
    Path html, Path json, Path yaml, Path evidence, Path schema, List<Path> attachments) {

  public ReportFiles {
    attachments = List.copyOf(attachments);
  }

  /** Every written file: HTML, JSON, YAML, evidence, schema, then attachments. */
  public List<Path> all() {
    List<Path> all = new ArrayList<>(List.of(html, json, yaml, evidence, schema));
    all.addAll(attachments);
    return List.copyOf(all);
  }
}
