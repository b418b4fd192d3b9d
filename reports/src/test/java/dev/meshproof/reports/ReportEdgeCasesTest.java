package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshproof.scenario.result.DistributionRow;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportEdgeCasesTest {

  @TempDir Path dir;

  @Test
  void largeAttachmentsAreCutInTheHtmlButWrittenWholeToTheirFile() throws IOException {
    String dump = "{\"x\":\"" + "a".repeat(HtmlReport.MAX_INLINE_ATTACHMENT_CHARS) + "\"}";
    ReportFiles files = ReportWriter.write(report(withAttachment(dump)), dir);

    assertThat(Files.readString(files.attachments().get(0))).isEqualTo(dump);
    String html = Files.readString(files.html());
    assertThat(html).contains("KiB; the file above holds all of it.").doesNotContain(dump);
  }

  @Test
  void undefinedFiguresAreLeftOutOfJsonAndShownAsADashInHtml() throws IOException {
    ScenarioResult base = SampleReports.weightedSplitOnEmbedded();
    ExpectationResult unexpectedCategory =
        new ExpectationResult(
            "status mix",
            false,
            "a status nobody expected",
            Map.of(),
            List.of(new DistributionRow("418", 3, 0.0015, Double.NaN, Double.NaN)));
    ScenarioResult run = copy(base, List.of(unexpectedCategory), Map.of());
    ReportFiles files = ReportWriter.write(report(run), dir);

    JsonNode row =
        new ObjectMapper()
            .readTree(files.evidence().toFile())
            .at("/tests/0/targets/0/expectations/0/distribution/0");
    assertThat(row.get("observed").asLong()).isEqualTo(3);
    assertThat(row.has("expectedFraction")).isFalse();
    assertThat(row.has("expectedCount")).isFalse();
    assertThat(Files.readString(files.html()))
        .contains("<th scope=\"row\">418</th><td class=\"num\">3</td>")
        .contains("<td class=\"num\">\u2014</td>")
        .contains("no expected figure");
  }

  @Test
  void chartAxisEndsAtTheLargestFractionRoundedUpToATenth() {
    assertThat(DistributionChart.scaleMax(List.of(new DistributionRow("v1", 9, 0.9, 0.9, 9))))
        .isEqualTo(0.9);
    assertThat(DistributionChart.scaleMax(List.of(new DistributionRow("a", 1, 0.34, 0.33, 1))))
        .isEqualTo(0.4);
    assertThat(DistributionChart.scaleMax(List.of(new DistributionRow("a", 0, 0, 0, 0))))
        .isEqualTo(0.1);
  }

  private static ScenarioResult withAttachment(String content) {
    ScenarioResult base = SampleReports.weightedSplitOnEmbedded();
    return copy(base, base.expectations(), Map.of("config_dump client-0", content));
  }

  private static ScenarioResult copy(
      ScenarioResult base, List<ExpectationResult> expectations, Map<String, String> attachments) {
    return ScenarioResult.builder(base.scenario(), base.target(), base.seed())
        .status(base.status())
        .started(base.started())
        .duration(base.duration())
        .traffic(base.traffic())
        .expectations(expectations)
        .failure(base.failure())
        .attachments(attachments)
        .build();
  }

  private static ConformanceReport report(ScenarioResult run) {
    return ConformanceReport.builder()
        .implementation(Implementation.of("meshproof", "meshproof-embedded-mesh", "0.1.0"))
        .meshproofVersion("0.1.0")
        .istioVersion("1.24")
        .date(SampleReports.DATE)
        .test(
            ConformanceTestResult.builder("T-1")
                .feature("MeshHTTPRouteWeight")
                .description("d")
                .specReference("https://istio.io/latest/docs/")
                .result(run)
                .build())
        .build();
  }
}
