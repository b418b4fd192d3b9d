package dev.meshproof.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshproof.scenario.result.ScenarioResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes a {@link ConformanceReport} to a directory:
 *
 * <pre>
 * directory/
 *   report.html                                   self-contained: inline CSS, SVG and one script
 *   conformance-report.yaml                       a strictly valid Gateway API ConformanceReport
 *   conformance-report.json                       the same tree as the YAML
 *   meshproof-report.json                         every test's evidence on every target
 *   meshproof-report.schema.json                  the JSON Schema of meshproof-report.json
 *   attachments/&lt;test-id&gt;/&lt;target&gt;/&lt;name&gt;.json   e.g. config dumps, referenced by relative path
 * </pre>
 *
 * <p>Output is deterministic: the same report gives byte-identical files, so reports can be diffed
 * between runs. Existing files of the same names are replaced; an existing {@code
 * meshproof-report.json} is first read as the previous run, and the new report shows which verdicts
 * changed since (see {@link RunHistory}).
 *
 * @see <a href="https://gateway-api.sigs.k8s.io/concepts/conformance/#conformance-reports">Gateway
 *     API conformance reports</a>
 */
public final class ReportWriter {

  /** File name of the HTML report. */
  public static final String HTML = "report.html";

  /** File name of the JSON report. */
  public static final String JSON = "conformance-report.json";

  /** File name of the YAML report. */
  public static final String YAML = "conformance-report.yaml";

  /** File name of the evidence report, the companion of the Gateway API–shaped one. */
  public static final String EVIDENCE = "meshproof-report.json";

  /** File name of the JSON Schema of {@link #EVIDENCE}, written beside it. */
  public static final String SCHEMA = "meshproof-report.schema.json";

  // "\n" rather than the platform separator, so a report written on Windows diffs cleanly.
  private static final ObjectWriter JSON_WRITER =
      new ObjectMapper()
          .writer(
              new DefaultPrettyPrinter(
                      Separators.createDefaultInstance()
                          .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                  .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                  .withArrayIndenter(new DefaultIndenter("  ", "\n")));

  private static final ObjectMapper YAML_MAPPER =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              // Every string stays quoted: unquoted, a YAML 1.1 reader (PyYAML, go-yaml) turns
              // dates into timestamps and "1.24" into a number, and the YAML would no longer say
              // what the JSON says.
              .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
              .build());

  private ReportWriter() {}

  /**
   * Writes the HTML, JSON and YAML reports and every attachment under {@code directory}, creating
   * it if needed.
   *
   * @return the paths written
   * @throws IOException if a file cannot be written
   */
  public static ReportFiles write(ConformanceReport report, Path directory) throws IOException {
    return write(report, directory, directory == null ? null : directory.resolve(EVIDENCE));
  }

  /**
   * As {@link #write(ConformanceReport, Path)}, comparing verdicts with the previous run's {@code
   * meshproof-report.json} at {@code previousEvidence} (ignored when no such file exists).
   */
  public static ReportFiles write(ConformanceReport report, Path directory, Path previousEvidence)
      throws IOException {
    if (report == null) {
      throw new IllegalArgumentException("report: null (expected: a ConformanceReport)");
    }
    if (directory == null) {
      throw new IllegalArgumentException("directory: null (expected: a directory path)");
    }
    Files.createDirectories(directory);
    AttachmentLayout layout = new AttachmentLayout(report);
    Optional<RunHistory> history = RunHistory.compare(report, previousEvidence);

    List<Path> attachmentFiles = new ArrayList<>();
    for (AttachmentLayout.Entry a : layout.all()) {
      Path file = directory.resolve(a.relativePath());
      Files.createDirectories(file.getParent());
      Files.writeString(file, a.content(), StandardCharsets.UTF_8);
      attachmentFiles.add(file);
    }

    ObjectNode gateway = GatewayReportDocument.of(report);
    Path json = writeString(directory.resolve(JSON), toJson(gateway));
    Path yaml = writeString(directory.resolve(YAML), toYaml(gateway));
    Path evidence =
        writeString(
            directory.resolve(EVIDENCE), toJson(ReportDocument.of(report, layout, history)));
    Path schema = writeString(directory.resolve(SCHEMA), schema());
    Path html = writeString(directory.resolve(HTML), HtmlReport.render(report, layout, history));
    return new ReportFiles(html, json, yaml, evidence, schema, attachmentFiles);
  }

  /** The Gateway API–shaped report as JSON. */
  public static String toJson(ConformanceReport report) {
    return toJson(GatewayReportDocument.of(report));
  }

  /** The Gateway API–shaped report as YAML. */
  public static String toYaml(ConformanceReport report) {
    return toYaml(GatewayReportDocument.of(report));
  }

  /** The evidence report ({@link #EVIDENCE}) as a string, without writing attachments. */
  public static String toEvidenceJson(ConformanceReport report) {
    return toJson(ReportDocument.of(report, new AttachmentLayout(report), Optional.empty()));
  }

  /** The HTML report as a string, without writing attachments. */
  public static String toHtml(ConformanceReport report) {
    return HtmlReport.render(report, new AttachmentLayout(report), Optional.empty());
  }

  /**
   * One run's evidence as JSON, shaped as an element of {@code tests[].targets} in {@link
   * #EVIDENCE} (without attachment paths), for tools that attach evidence per test, such as Allure.
   */
  public static String runEvidenceJson(ScenarioResult result) {
    return toJson(ReportDocument.run(result, List.of()));
  }

  /** One run's evidence as a self-contained HTML page with its charts (see {@link #toHtml}). */
  public static String runHtml(ScenarioResult result) {
    return HtmlReport.runPage(result);
  }

  /** The JSON Schema of {@link #EVIDENCE} (draft 2020-12). */
  public static String schema() {
    return ReportResources.text(SCHEMA);
  }

  private static String toJson(ObjectNode document) {
    try {
      return JSON_WRITER.writeValueAsString(document) + "\n";
    } catch (JsonProcessingException e) {
      // A tree of plain nodes always serialises; failing here is a bug in this module.
      throw new IllegalStateException("cannot serialise the conformance report as JSON", e);
    }
  }

  private static String toYaml(ObjectNode document) {
    try {
      return YAML_MAPPER.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the conformance report as YAML", e);
    }
  }

  private static Path writeString(Path file, String content) throws IOException {
    return Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
