package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A kind of evidence the report's core does not know is drawn by a renderer registered through
 * {@link java.util.ServiceLoader} (this test's {@code META-INF/services}), without touching the
 * core.
 */
class EvidenceRendererRegistryTest {

  /** Draws a chaos window stated in an expectation's statistics, as a chaos feature might. */
  public static final class ChaosWindowRenderer implements EvidenceRenderer {
    @Override
    public String drawExpectation(ExpectationResult e, EvidenceHtml html) {
      String window = e.statistics().get("chaos window");
      return window == null
          ? ""
          : "<p class=\"chaos\">Chaos window: " + html.escape(window) + "</p>";
    }

    @Override
    public String drawRun(ScenarioResult run, EvidenceHtml html) {
      return "<p class=\"chaos-run\">" + html.escape(run.target()) + "</p>";
    }
  }

  @Test
  void builtInRenderersComeFirstThenThoseFoundByServiceLoader() {
    assertThat(EvidenceRenderers.all())
        .extracting(r -> r.getClass().getSimpleName())
        .containsExactly(
            "SplitEvidence",
            "ReachabilityEvidence",
            "TrafficEvidence",
            "TopologyEvidence",
            "TimelineEvidence",
            "FailedRequestEvidence",
            "AnalysisEvidence",
            "ChaosWindowRenderer");
  }

  @Test
  void aRegisteredRendererDrawsItsEvidenceInTheReport() {
    ScenarioResult run =
        SampleReports.weightedSplitOnEmbedded().toBuilder()
            .expectations(
                List.of(
                    new ExpectationResult(
                        "success rate during the fault",
                        true,
                        "ok",
                        Map.of("chaos window", "10s..20s <abort 50%>"),
                        List.of())))
            .build();
    ConformanceReport report =
        ConformanceReport.builder()
            .implementation(Implementation.of("meshproof", "meshproof", "0.1.0"))
            .meshproofVersion("0.1.0")
            .istioVersion("1.32")
            .date(SampleReports.DATE)
            .test(
                ConformanceTestResult.builder("T-1")
                    .feature("MeshproofChaos")
                    .description("d")
                    .specReference("https://istio.io/latest/docs/")
                    .result(run)
                    .build())
            .build();

    assertThat(ReportWriter.toHtml(report))
        .contains("<p class=\"chaos\">Chaos window: 10s..20s &lt;abort 50%&gt;</p>")
        .contains("<p class=\"chaos-run\">embedded</p>");
  }
}
