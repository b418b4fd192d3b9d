package dev.meshproof.conformance;

import dev.meshproof.reports.ConformanceReport;
import dev.meshproof.reports.ReportWriter;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.result.TrafficSummary;
import io.qameta.allure.Allure;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.model.StatusDetails;
import io.qameta.allure.model.StepResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The catalogue's Allure results (allure-junit5): each test labelled epic = profile, feature =
 * Meshproof feature, story = catalogue test; one step per scenario phase (deploy and configure,
 * traffic, expectations) as the result records them; the evidence attached (Istio YAML, the run's
 * evidence JSON and charts, config dumps); and, once per run, the environment (Istio release
 * emulated with its profile, the profiles the scenarios used, targets, seeds) and the categories
 * that sort failures.
 *
 * @see <a href="https://allurereport.org/docs/junit5/">Allure JUnit 5</a>
 */
final class AllureEvidence {

  /** Where allure-junit5 writes, as it resolves it: the system property, else its default. */
  static final Path RESULTS =
      Path.of(System.getProperty("allure.results.directory", "allure-results"));

  /**
   * Failed tests are product defects (the mesh did not do what Istio promises), broken ones test
   * defects (the test threw), skipped ones a target that does not support the feature (the reason
   * is the skip message).
   */
  static final String CATEGORIES =
      """
      [
        {"name": "Product defect", "matchedStatuses": ["failed"],
         "description": "The mesh did not behave as the Istio documentation promises."},
        {"name": "Test defect", "matchedStatuses": ["broken"],
         "description": "The test itself threw: a bug in the catalogue or in Meshproof."},
        {"name": "Target does not support", "matchedStatuses": ["skipped"],
         "description": "The target cannot run this test; the skip says why."}
      ]
      """;

  /** The name under which a run carries the Istio YAML it applied. */
  static final String MANIFEST = "Istio YAML applied";

  private AllureEvidence() {}

  /** Labels the running test and states what it proves. */
  static void label(ConformanceTest test, String target) {
    Allure.epic(ConformanceReport.PROFILE);
    Allure.feature(test.feature().reportName());
    Allure.story(test.id());
    Allure.description(test.description());
    Allure.link("spec", test.specReference());
    Allure.parameter("target", target);
  }

  /** Records the run's phases as steps and attaches its evidence to the running test. */
  static void record(ScenarioResult result) {
    Allure.parameter("seed", result.seed());
    TrafficSummary traffic = result.traffic();
    boolean reachedTraffic = traffic != null && traffic.sent() > 0;
    String failure = result.failure() == null ? null : result.failure().orElse(null);
    step(
        "deploy and configure (Istio YAML applied, sidecars ACKed)",
        !reachedTraffic && failure != null ? result.status() : Status.PASSED,
        !reachedTraffic ? failure : null);
    if (reachedTraffic) {
      step(
          "traffic: "
              + traffic.sent()
              + " requests, statuses "
              + new TreeMap<>(traffic.statusCounts())
              + ", p99 "
              + traffic.p99Millis()
              + " ms",
          Status.PASSED,
          null);
    }
    if (!result.expectations().isEmpty()) {
      AllureLifecycle lifecycle = Allure.getLifecycle();
      String uuid = UUID.randomUUID().toString();
      boolean allPassed = result.expectations().stream().allMatch(ExpectationResult::passed);
      lifecycle.startStep(
          uuid, new StepResult().setName("expectations").setStatus(allureStatus(allPassed)));
      for (ExpectationResult e : result.expectations()) {
        step(e.description(), e.passed() ? Status.PASSED : Status.FAILED, e.message());
      }
      lifecycle.stopStep(uuid);
    }
    String manifest = result.attachments().get(MANIFEST);
    if (manifest != null) {
      attach(MANIFEST, "text/yaml", ".yaml", manifest);
    }
    attach("evidence (charts)", "text/html", ".html", ReportWriter.runHtml(result));
    attach("evidence", "application/json", ".json", ReportWriter.runEvidenceJson(result));
    for (Map.Entry<String, String> a : result.attachments().entrySet()) {
      if (a.getKey().equals(MANIFEST)) {
        continue;
      }
      boolean json = a.getValue().stripLeading().startsWith("{");
      attach(
          a.getKey(),
          json ? "application/json" : "text/plain",
          json ? ".json" : ".txt",
          a.getValue());
    }
  }

  /**
   * Writes {@code environment.properties} and {@code categories.json} to {@code results}: the
   * emulated Istio release with the profile whose defaults it takes ({@link
   * IstioVersionProfile#describe()}), and every profile a scenario of the run used.
   */
  static void writeEnvironment(
      Path results,
      IstioVersionProfile profile,
      Collection<String> scenarioProfiles,
      Collection<String> targets,
      Collection<Long> seeds)
      throws IOException {
    Files.createDirectories(results);
    Properties environment = new Properties();
    environment.setProperty("Istio.version.emulated", profile.describe());
    environment.setProperty(
        "Istio.profiles.run",
        scenarioProfiles.isEmpty() ? profile.describe() : String.join(", ", scenarioProfiles));
    environment.setProperty("Meshproof.version", MeshproofVersion.VERSION);
    environment.setProperty("Targets", String.join(", ", targets));
    environment.setProperty(
        "Seeds", String.join(", ", seeds.stream().map(String::valueOf).toList()));
    environment.setProperty("Replay", "-Dmeshproof.seed=<seed>");
    try (var out = Files.newBufferedWriter(results.resolve("environment.properties"))) {
      environment.store(out, "Meshproof conformance run");
    }
    Files.writeString(results.resolve("categories.json"), CATEGORIES, StandardCharsets.UTF_8);
  }

  private static void step(String name, Status status, String message) {
    String uuid = UUID.randomUUID().toString();
    StepResult step =
        new StepResult().setName(name).setStatus(allureStatus(status != Status.FAILED));
    if (status == Status.SKIPPED) {
      step.setStatus(io.qameta.allure.model.Status.SKIPPED);
    }
    if (message != null && !message.isEmpty()) {
      step.setStatusDetails(new StatusDetails().setMessage(message));
    }
    Allure.getLifecycle().startStep(uuid, step);
    Allure.getLifecycle().stopStep(uuid);
  }

  private static io.qameta.allure.model.Status allureStatus(boolean passed) {
    return passed ? io.qameta.allure.model.Status.PASSED : io.qameta.allure.model.Status.FAILED;
  }

  private static void attach(String name, String type, String extension, String content) {
    Allure.addAttachment(name, type, content, extension);
  }
}
