package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConformanceReportTest {

  private final ConformanceReport report = SampleReports.sample();

  @Test
  void aTestFailsWhenAnyTargetFailedAndIsSkippedOnlyWhenEveryTargetSkipped() {
    assertThat(report.tests())
        .extracting(ConformanceTestResult::result)
        .containsExactly(Status.PASSED, Status.FAILED, Status.SKIPPED);
  }

  @Test
  void statisticsAreCountedPerSupportLevelAndPerTarget() {
    assertThat(report.statistics()).isEqualTo(new Statistics(1, 1, 1));
    assertThat(report.statistics(SupportLevel.CORE)).isEqualTo(new Statistics(1, 1, 0));
    assertThat(report.statistics(SupportLevel.EXTENDED)).isEqualTo(new Statistics(0, 0, 1));
    assertThat(report.statistics("embedded")).isEqualTo(new Statistics(1, 1, 1));
    assertThat(report.statistics("envoy")).isEqualTo(new Statistics(0, 0, 3));
    assertThat(report.statistics("embedded", SupportLevel.CORE)).isEqualTo(new Statistics(1, 1, 0));
    assertThat(report.targets()).containsExactly("embedded", "envoy");
  }

  @Test
  void supportedFeaturesNeedAPassAndNoFailure() {
    assertThat(report.supportedFeatures()).containsExactly("MeshHTTPRouteWeight");
    assertThat(report.unsupportedFeatures()).containsExactly("MeshRetries", "MeshOutlierDetection");
    assertThat(report.supportedFeatures("embedded")).containsExactly("MeshHTTPRouteWeight");
    assertThat(report.supportedFeatures("envoy")).isEmpty();
    assertThat(report.featureStatus("MeshRetries", "embedded")).isEqualTo(Status.FAILED);
    assertThat(report.featureStatus("MeshHTTPRouteWeight", "envoy")).isEqualTo(Status.SKIPPED);
  }

  @Test
  void profileResultFollowsGatewayApi() {
    assertThat(new Statistics(3, 0, 0).result()).isEqualTo("success");
    assertThat(new Statistics(3, 0, 1).result()).isEqualTo("partial");
    assertThat(new Statistics(3, 1, 1).result()).isEqualTo("failure");
  }

  @Test
  void testIdsMustBeUsableAsDirectoryAndAnchorNames() {
    assertThatThrownBy(() -> test("../etc").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("id: '../etc'")
        .hasMessageContaining("expected:");
  }

  @Test
  void specReferenceMustBeAWebUrl() {
    assertThatThrownBy(() -> test("T-1").specReference("javascript:alert(1)").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("specReference: javascript:alert(1)");
    assertThatThrownBy(() -> test("T-1").specReference("not a url").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("specReference: not a url");
  }

  @Test
  void aTargetAppearsOnceInATest() {
    ScenarioResult run = SampleReports.weightedSplitOnEmbedded();
    assertThatThrownBy(() -> test("T-1").result(run).result(run).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target 'embedded' appears twice");
  }

  @Test
  void aTestNeedsAResult() {
    assertThatThrownBy(
            () ->
                ConformanceTestResult.builder("T-1")
                    .feature("F")
                    .description("d")
                    .specReference("https://istio.io/")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("results of T-1");
  }

  @Test
  void reportBuilderNamesTheMissingField() {
    assertThatThrownBy(
            () ->
                ConformanceReport.builder()
                    .implementation(Implementation.of("o", "p", "1"))
                    .meshproofVersion("0.1")
                    .date(SampleReports.DATE)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("istioVersion: null");
  }

  @Test
  void testIdsAreUniqueIgnoringCase() {
    ConformanceTestResult a = test("Split").result(SampleReports.weightedSplitOnEmbedded()).build();
    ConformanceTestResult b = test("split").result(SampleReports.weightedSplitOnEmbedded()).build();
    assertThatThrownBy(
            () ->
                ConformanceReport.builder()
                    .implementation(Implementation.of("o", "p", "1"))
                    .meshproofVersion("0.1")
                    .istioVersion("1.24")
                    .date(SampleReports.DATE)
                    .tests(List.of(a, b))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'split' appears twice");
  }

  @Test
  void implementationUrlMustBeAWebUrl() {
    assertThatThrownBy(
            () -> Implementation.of("o", "p", "1").withUrl(URI.create("file:///etc/passwd")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("url: file:///etc/passwd");
  }

  private static ConformanceTestResult.Builder test(String id) {
    return ConformanceTestResult.builder(id)
        .feature("MeshHTTPRouteWeight")
        .description("weights")
        .specReference("https://istio.io/latest/docs/");
  }
}
