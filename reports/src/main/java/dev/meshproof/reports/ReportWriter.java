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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link ConformanceReport} to a directory:
 *
 * <pre>
 * directory/
 *   report.html                                   self-contained: inline CSS and SVG, no script
 *   conformance-report.json                       Gateway API–shaped report plus per-test evidence
 *   conformance-report.yaml                       the same tree as the JSON
 *   attachments/&lt;test-id&gt;/&lt;target&gt;/&lt;name&gt;.json   e.g. config dumps, referenced by relative path
 * </pre>
 *
 * <p>Output is deterministic: the same report gives byte-identical files, so reports can be diffed
 * between runs. Existing files of the same names are replaced.
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
    if (report == null) {
      throw new IllegalArgumentException("report: null (expected: a ConformanceReport)");
    }
    if (directory == null) {
      throw new IllegalArgumentException("directory: null (expected: a directory path)");
    }
    Files.createDirectories(directory);
    AttachmentLayout layout = new AttachmentLayout(report);

    List<Path> attachmentFiles = new ArrayList<>();
    for (AttachmentLayout.Entry a : layout.all()) {
      Path file = directory.resolve(a.relativePath());
      Files.createDirectories(file.getParent());
      Files.writeString(file, a.content(), StandardCharsets.UTF_8);
      attachmentFiles.add(file);
    }

    ObjectNode document = ReportDocument.of(report, layout);
    Path json = writeString(directory.resolve(JSON), toJson(document));
    Path yaml = writeString(directory.resolve(YAML), toYaml(document));
    Path html = writeString(directory.resolve(HTML), HtmlReport.render(report, layout));
    return new ReportFiles(html, json, yaml, attachmentFiles);
  }

  /** The JSON report as a string, without writing attachments. */
  public static String toJson(ConformanceReport report) {
    return toJson(ReportDocument.of(report, new AttachmentLayout(report)));
  }

  /** The YAML report as a string, without writing attachments. */
  public static String toYaml(ConformanceReport report) {
    return toYaml(ReportDocument.of(report, new AttachmentLayout(report)));
  }

  /** The HTML report as a string, without writing attachments. */
  public static String toHtml(ConformanceReport report) {
    return HtmlReport.render(report, new AttachmentLayout(report));
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
