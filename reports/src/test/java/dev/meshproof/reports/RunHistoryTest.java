package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.scenario.result.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunHistoryTest {

  @TempDir Path dir;

  @Test
  void aRerunInTheSameDirectoryShowsTheVerdictsThatChanged() throws Exception {
    ConformanceReport before = SampleReports.sample();
    ReportWriter.write(before, dir);
    ConformanceTestResult fixed =
        ConformanceTestResult.builder("MeshRetries-5xx")
            .feature("MeshRetries")
            .description("Retries on 5xx stop after attempts=2.")
            .specReference("https://istio.io/latest/docs/")
            .result(
                SampleReports.failingRetriesOnEmbedded().toBuilder().status(Status.PASSED).build())
            .build();
    ConformanceReport after =
        ConformanceReport.builder()
            .implementation(before.implementation())
            .meshproofVersion(before.meshproofVersion())
            .istioVersion(before.istioVersion())
            .date(before.date().plusSeconds(3600))
            .test(before.tests().get(0))
            .test(fixed)
            .build();

    ReportFiles files = ReportWriter.write(after, dir);

    RunHistory history = RunHistory.compare(after, files.evidence()).orElseThrow();
    assertThat(history.changes()).isEmpty();
    String html = Files.readString(files.html());
    assertThat(html)
        .contains("<h2 id=\"changes\">Changed since the previous run</h2>")
        .contains("Previous run: <time>2025-06-01T12:00:00Z</time>. 4 verdicts changed.")
        .contains(
            "<tr><th scope=\"row\">MeshRetries-5xx</th><td>all targets</td>"
                + "<td class=\"failed\">failed</td><td class=\"passed\">passed \u2190 was failed</td>")
        .contains("<td>embedded</td><td class=\"failed\">failed</td><td class=\"passed\">")
        .contains("<td>envoy</td><td class=\"skipped\">skipped</td><td class=\"none\">none")
        .contains(
            "<th scope=\"row\">MeshOutlierDetection-eject</th><td>all targets</td>"
                + "<td class=\"skipped\">skipped</td><td class=\"none\">none");
    assertThat(Files.readString(files.evidence()))
        .contains("\"previousDate\": \"2025-06-01T12:00:00Z\"");
  }

  @Test
  void noPreviousRunMeansNoHistory() throws Exception {
    assertThat(RunHistory.compare(SampleReports.sample(), dir.resolve("absent.json"))).isEmpty();
  }

  @Test
  void aPreviousFileThatIsNotAMeshproofReportIsNamedInTheError() throws Exception {
    Path wrong = Files.writeString(dir.resolve("meshproof-report.json"), "{\"kind\": \"x\"}");

    assertThatThrownBy(() -> RunHistory.compare(SampleReports.sample(), wrong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("meshproof-report.json: tests: missing");
  }
}
