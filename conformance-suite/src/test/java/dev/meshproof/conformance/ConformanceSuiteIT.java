package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.reports.ConformanceReport;
import dev.meshproof.reports.ConformanceTestResult;
import dev.meshproof.reports.Implementation;
import dev.meshproof.reports.ReportFiles;
import dev.meshproof.reports.ReportWriter;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.compare.TargetComparison;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the whole conformance catalogue on every target and writes the conformance report (HTML,
 * JSON, YAML) to {@code conformance-suite/target/meshproof/}. One JUnit test per catalogue entry
 * and target; an unavailable target is a skip with its reason.
 */
class ConformanceSuiteIT {
  private static final Map<String, List<ScenarioResult>> RESULTS = new LinkedHashMap<>();
  private static final double COMPARISON_ALPHA = 0.001;

  @TestFactory
  Stream<DynamicContainer> catalogue() {
    return Catalogue.all().stream()
        .map(
            test ->
                DynamicContainer.dynamicContainer(
                    test.feature() + " / " + test.id(),
                    Stream.concat(
                        ConformanceTargets.all().stream().map(target -> run(test, target)),
                        Stream.of(compareTargets(test)))));
  }

  /**
   * The same scenario on two data planes must behave alike: each observed distribution is tested
   * for homogeneity across targets. Runs after the targets' tests of the same container.
   */
  private static DynamicTest compareTargets(ConformanceTest test) {
    return DynamicTest.dynamicTest(
        "across targets",
        () -> {
          List<ExpectationResult> comparisons = comparisons(test);
          assumeTrue(!comparisons.isEmpty(), "fewer than two targets ran this test");
          assertThat(comparisons)
              .allSatisfy(
                  c -> assertThat(c.passed()).as(c.description() + ": " + c.message()).isTrue());
        });
  }

  private static List<ExpectationResult> comparisons(ConformanceTest test) {
    List<ScenarioResult> runs;
    synchronized (RESULTS) {
      runs = List.copyOf(RESULTS.getOrDefault(test.id(), List.of()));
    }
    List<ExpectationResult> out = new ArrayList<>();
    for (int i = 1; i < runs.size(); i++) {
      out.addAll(TargetComparison.compare(runs.get(0), runs.get(i), COMPARISON_ALPHA));
    }
    return out;
  }

  private static DynamicTest run(ConformanceTest test, Target target) {
    return DynamicTest.dynamicTest(
        target.name(),
        () -> {
          ScenarioResult result = ScenarioRunner.run(test.buildScenario(), target);
          synchronized (RESULTS) {
            RESULTS.computeIfAbsent(test.id(), k -> new ArrayList<>()).add(result);
          }
          assumeTrue(result.status() != Status.SKIPPED, () -> result.failure().orElse("skipped"));
          assertThat(result.status()).as(result::failureSummary).isEqualTo(Status.PASSED);
        });
  }

  @AfterAll
  static void writeReport() throws IOException {
    ConformanceReport.Builder report =
        ConformanceReport.builder()
            .implementation(Implementation.of("meshproof", "meshproof", MeshproofVersion.VERSION))
            .meshproofVersion(MeshproofVersion.VERSION)
            .istioVersion(IstioVersion.CURRENT.toString())
            .date(Instant.now())
            .mode("default");
    for (ConformanceTest test : Catalogue.all()) {
      ConformanceTestResult.Builder result =
          ConformanceTestResult.builder(test.id())
              .feature(test.feature().name())
              .supportLevel(test.feature().supportLevel())
              .description(test.description())
              .specReference(test.specReference());
      RESULTS.getOrDefault(test.id(), List.of()).forEach(result::result);
      result.comparisons(comparisons(test));
      report.test(result.build());
    }
    Path directory = Path.of(System.getProperty("meshproof.report.dir", "target/meshproof"));
    ReportFiles files = ReportWriter.write(report.build(), directory);
    System.out.println("Meshproof conformance report: " + files);
  }
}
