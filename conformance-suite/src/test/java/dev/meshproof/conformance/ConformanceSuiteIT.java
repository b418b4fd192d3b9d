package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.reports.ConformanceReport;
import dev.meshproof.reports.ConformanceTestResult;
import dev.meshproof.reports.Implementation;
import dev.meshproof.reports.ReportFiles;
import dev.meshproof.reports.ReportWriter;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.compare.TargetComparison;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.Targets;
import io.qameta.allure.Allure;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the whole conformance catalogue on every target and writes the conformance report (HTML,
 * Gateway API YAML/JSON, evidence JSON) to {@code conformance-suite/target/meshproof/} and Allure
 * results to {@code conformance-suite/target/allure-results/}. One JUnit test per catalogue entry
 * and target; an unavailable target is a skip with its reason.
 *
 * <p>System properties: {@code meshproof.catalogue.only} (a regular expression over test ids) runs
 * part of the catalogue; {@code meshproof.catalogue.parallelism} (default 2) is how many runs go at
 * once; {@code meshproof.report.previous} names the previous run's {@code meshproof-report.json}
 * (default: the one already in the report directory), whose verdicts the new report compares with;
 * {@code meshproof.implementation.url} and {@code meshproof.implementation.contact}
 * (comma-separated) fill the report's implementation block.
 */
class ConformanceSuiteIT {
  /** The targets of every run (embedded, and envoy where installed): the budget's family. */
  private static final Set<String> DEFAULT_TARGETS =
      Set.of(Targets.embedded().name(), Targets.envoy().name());

  private static final Map<String, List<ScenarioResult>> RESULTS = new LinkedHashMap<>();

  /** The Istio profile of every scenario that ran (most run CURRENT, some an older release). */
  private static final Set<String> PROFILES =
      java.util.Collections.synchronizedSet(new TreeSet<>());

  private static final double COMPARISON_ALPHA = FalseAlarmBudget.VERDICT_ALPHA;

  private static final Pattern ONLY =
      Pattern.compile(System.getProperty("meshproof.catalogue.only", ".*"));

  private static List<ConformanceTest> catalogueToRun() {
    return Catalogue.all().stream().filter(t -> ONLY.matcher(t.id()).matches()).toList();
  }

  /**
   * How many scenario runs go at once: 2 by default, since a run mostly waits (for sync, delays,
   * timeouts and chaos timelines) and every run has its own mesh on ephemeral ports; 1 runs the
   * catalogue one entry at a time. Verdicts stay independent of it: split and count verdicts do not
   * depend on timing, and the latency windows of the timeout entries leave a second or more.
   */
  private static final int PARALLELISM = Integer.getInteger("meshproof.catalogue.parallelism", 2);

  /** Runs the scenarios in catalogue order, {@link #PARALLELISM} at a time, ahead of the tests. */
  private static final ExecutorService RUNNER =
      Executors.newFixedThreadPool(
          PARALLELISM,
          r -> {
            Thread t = new Thread(r, "catalogue-runner");
            t.setDaemon(true);
            return t;
          });

  /** Each (entry, target) run, keyed {@code id@target}; its dynamic test takes and awaits it. */
  private static final Map<String, CompletableFuture<ScenarioResult>> AHEAD =
      new ConcurrentHashMap<>();

  @TestFactory
  Stream<DynamicNode> catalogue() {
    for (ConformanceTest test : catalogueToRun()) {
      for (Target target : ConformanceTargets.all()) {
        AHEAD.put(
            test.id() + "@" + target.name(),
            CompletableFuture.supplyAsync(
                () -> withManifest(ScenarioRunner.run(test.buildScenario(), target), test),
                RUNNER));
      }
    }
    Stream<DynamicNode> tests =
        catalogueToRun().stream()
            .map(
                test ->
                    DynamicContainer.dynamicContainer(
                        test.feature() + " / " + test.id(),
                        Stream.concat(
                            ConformanceTargets.all().stream().map(target -> run(test, target)),
                            Stream.of(compareTargets(test)))));
    return Stream.concat(tests, Stream.of(falseAlarmBudget()));
  }

  /**
   * Runs last: the verdicts of this run whose outcome the seed does not fix (every target but the
   * seeded embedded one, and the cross-target comparisons) may together fail a correct mesh at most
   * {@link FalseAlarmBudget#FAMILY_ALPHA} of the time (Bonferroni: the sum of their alphas). A
   * target the user opted in to (kubernetes) is a family of its own: its verdicts and its
   * comparisons with embedded are summed and printed separately, so that the default run's bound
   * holds whatever else ran, and the opted-in run states its own.
   */
  private static DynamicTest falseAlarmBudget() {
    return DynamicTest.dynamicTest(
        "false-alarm budget of the whole run",
        () -> {
          Allure.epic(ConformanceReport.PROFILE);
          Allure.feature("false-alarm budget");
          Map<String, List<ExpectationResult>> unseededByTarget = new LinkedHashMap<>();
          synchronized (RESULTS) {
            for (ConformanceTest test : catalogueToRun()) {
              List<ScenarioResult> runs = RESULTS.getOrDefault(test.id(), List.of());
              for (ScenarioResult result : runs) {
                if (!result.target().equals(Targets.embedded().name())) {
                  List<ExpectationResult> verdicts =
                      unseededByTarget.computeIfAbsent(result.target(), t -> new ArrayList<>());
                  verdicts.addAll(result.expectations());
                  // A chaos experiment's steady-state hypotheses are verdicts too.
                  result
                      .experiment()
                      .ifPresent(
                          e -> {
                            verdicts.addAll(e.hypothesisBefore());
                            verdicts.addAll(e.hypothesisAfter());
                          });
                }
              }
              for (int i = 1; i < runs.size(); i++) {
                unseededByTarget
                    .computeIfAbsent(runs.get(i).target(), t -> new ArrayList<>())
                    .addAll(TargetComparison.compare(runs.get(0), runs.get(i), COMPARISON_ALPHA));
              }
            }
          }
          List<ExpectationResult> unseeded = new ArrayList<>();
          unseededByTarget.forEach(
              (target, verdicts) -> {
                if (DEFAULT_TARGETS.contains(target)) {
                  unseeded.addAll(verdicts);
                } else {
                  System.out.printf(
                      "Meshproof false-alarm chance of the opted-in %s run: %d unseeded verdicts,"
                          + " sum of alphas %.2g%n",
                      target, verdicts.size(), FalseAlarmBudget.spent(verdicts));
                }
              });
          double spent = FalseAlarmBudget.spent(unseeded);
          System.out.printf(
              "Meshproof false-alarm budget: %d unseeded verdicts, sum of alphas %.2g (budget %s)%n",
              unseeded.size(), spent, FalseAlarmBudget.FAMILY_ALPHA);
          assertThat(spent)
              .as(
                  "sum of the alphas of %d verdicts not fixed by the seed (lower"
                      + " FalseAlarmBudget.VERDICT_ALPHA or set an expectation's alpha)",
                  unseeded.size())
              .isLessThanOrEqualTo(FalseAlarmBudget.FAMILY_ALPHA);
        });
  }

  /**
   * The same scenario on two data planes must behave alike: each observed distribution is tested
   * for homogeneity across targets. Runs after the targets' tests of the same container.
   */
  private static DynamicTest compareTargets(ConformanceTest test) {
    return DynamicTest.dynamicTest(
        "across targets",
        () -> {
          AllureEvidence.label(test, "across targets");
          long ran;
          synchronized (RESULTS) {
            ran =
                RESULTS.getOrDefault(test.id(), List.of()).stream()
                    .filter(r -> r.status() != Status.SKIPPED)
                    .count();
          }
          assumeTrue(ran >= 2, () -> ran + " target(s) ran this test: nothing to compare");
          List<ExpectationResult> comparisons = comparisons(test);
          // Only observed distributions are compared (split, ejection, ...); a test whose
          // expectations are all exact (statuses, headers, counts) has none, and its targets'
          // verdicts already say whether they agree.
          assumeTrue(
              !comparisons.isEmpty(),
              "no distribution to compare: this test's expectations are exact on every target");
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
    return TargetComparison.againstFirst(runs, COMPARISON_ALPHA);
  }

  private static DynamicTest run(ConformanceTest test, Target target) {
    return DynamicTest.dynamicTest(
        target.name(),
        () -> {
          AllureEvidence.label(test, target.name());
          Scenario scenario = test.buildScenario();
          PROFILES.add(
              IstioVersionProfile.of(scenario.istioVersion(), scenario.compatibilityVersion())
                  .describe());
          ScenarioResult result;
          try {
            result = AHEAD.remove(test.id() + "@" + target.name()).join();
          } catch (CompletionException e) {
            throw e.getCause();
          }
          AllureEvidence.record(result);
          synchronized (RESULTS) {
            RESULTS.computeIfAbsent(test.id(), k -> new ArrayList<>()).add(result);
          }
          assumeTrue(result.status() != Status.SKIPPED, () -> result.failure().orElse("skipped"));
          assertThat(result.status()).as(result::failureSummary).isEqualTo(Status.PASSED);
        });
  }

  /** The Istio YAML the test applied, kept with the run so the report shows it. */
  private static ScenarioResult withManifest(ScenarioResult result, ConformanceTest test) {
    Map<String, String> attachments = new LinkedHashMap<>();
    attachments.put(AllureEvidence.MANIFEST, test.manifest());
    attachments.putAll(result.attachments());
    return result.toBuilder().attachments(attachments).build();
  }

  private static Implementation implementation() {
    return Implementation.of("meshproof", "meshproof", MeshproofVersion.VERSION)
        .withUrl(
            URI.create(System.getProperty("meshproof.implementation.url", "https://meshproof.dev")))
        .withContact(
            System.getProperty("meshproof.implementation.contact", "@meshproof/maintainers")
                .split(","));
  }

  @AfterAll
  static void writeReport() throws IOException {
    RUNNER.shutdownNow();
    ConformanceReport.Builder report =
        ConformanceReport.builder()
            .implementation(implementation())
            .meshproofVersion(MeshproofVersion.VERSION)
            .istioVersion(IstioVersionProfile.current().describe())
            .date(Instant.now())
            .mode("default");
    Set<String> targets = new LinkedHashSet<>();
    Set<Long> seeds = new TreeSet<>();
    for (ConformanceTest test : catalogueToRun()) {
      for (ScenarioResult run : RESULTS.getOrDefault(test.id(), List.of())) {
        targets.add(run.target());
        seeds.add(run.seed());
      }
      ConformanceTestResult.Builder result =
          ConformanceTestResult.builder(test.id())
              .feature(test.feature().reportName())
              .supportLevel(test.feature().supportLevel())
              .description(test.description())
              .specReference(test.specReference());
      RESULTS.getOrDefault(test.id(), List.of()).forEach(result::result);
      result.comparisons(comparisons(test));
      report.test(result.build());
    }
    Path directory = Path.of(System.getProperty("meshproof.report.dir", "target/meshproof"));
    String previous = System.getProperty("meshproof.report.previous");
    ReportFiles files =
        ReportWriter.write(
            report.build(),
            directory,
            previous == null ? directory.resolve(ReportWriter.EVIDENCE) : Path.of(previous));
    List<String> profiles;
    synchronized (PROFILES) {
      profiles = List.copyOf(PROFILES);
    }
    AllureEvidence.writeEnvironment(
        AllureEvidence.RESULTS, IstioVersionProfile.current(), profiles, targets, seeds);
    System.out.println("Meshproof conformance report: " + files);
  }
}
