package dev.meshproof.reports;

import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The outcome of a conformance run, shaped like Gateway API's {@code ConformanceReport}: which
 * implementation was tested, which Istio version it emulates, when, and every test's result on
 * every target. Summaries (statistics per support level and per target, supported features) are
 * derived, never stored, so they cannot disagree with the tests.
 *
 * @param implementation who made the mesh under test
 * @param meshproofVersion the Meshproof version that ran the suite (stands in for Gateway API's
 *     {@code gatewayAPIVersion})
 * @param istioVersion the Istio version whose behaviour is emulated and checked, e.g. {@code 1.24}
 * @param date when the run finished
 * @param mode Gateway API's conformance mode; {@code default} unless a target runs in a special
 *     configuration
 * @param conformanceProfile the profile claimed, e.g. {@link #PROFILE}
 * @param tests the tests in catalogue order
 * @see <a href="https://gateway-api.sigs.k8s.io/concepts/conformance/#conformance-reports">Gateway
 *     API conformance reports</a>
 */
public record ConformanceReport(
    Implementation implementation,
    String meshproofVersion,
    String istioVersion,
    Instant date,
    String mode,
    String conformanceProfile,
    List<ConformanceTestResult> tests) {

  /** The Gateway API version whose report layout this one follows. */
  public static final String API_VERSION = "gateway.networking.k8s.io/v1";

  /** The Gateway API kind of this report. */
  public static final String KIND = "ConformanceReport";

  /**
   * Meshproof's own conformance profile: Istio's HTTP traffic management on a mesh, checked on
   * every target. Not a Gateway API profile: the tests apply Istio resources, not Gateway API ones.
   */
  public static final String PROFILE = "MESHPROOF-ISTIO-HTTP";

  public ConformanceReport {
    if (implementation == null) {
      throw new IllegalArgumentException("implementation: null (expected: an Implementation)");
    }
    Implementation.requireText("meshproofVersion", meshproofVersion);
    Implementation.requireText("istioVersion", istioVersion);
    if (date == null) {
      throw new IllegalArgumentException("date: null (expected: when the run finished)");
    }
    Implementation.requireText("mode", mode);
    Implementation.requireText("conformanceProfile", conformanceProfile);
    if (tests == null) {
      throw new IllegalArgumentException("tests: null (expected: a list, possibly empty)");
    }
    Set<String> ids = new HashSet<>();
    for (ConformanceTestResult test : tests) {
      if (test == null) {
        throw new IllegalArgumentException("tests: contains null");
      }
      // Case-insensitive: the id names an attachments directory, and some file systems fold case.
      if (!ids.add(test.id().toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException(
            "tests: id '" + test.id() + "' appears twice (expected: unique ids, ignoring case)");
      }
    }
    tests = List.copyOf(tests);
  }

  /**
   * Starts a builder; {@code mode} defaults to {@code default}, the profile to {@link #PROFILE}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Every target that appears in any test, in order of first appearance. */
  public List<String> targets() {
    Set<String> targets = new LinkedHashSet<>();
    for (ConformanceTestResult test : tests) {
      targets.addAll(test.targets());
    }
    return List.copyOf(targets);
  }

  /** Every feature that has a test, in catalogue order. */
  public List<String> features() {
    Set<String> features = new LinkedHashSet<>();
    for (ConformanceTestResult test : tests) {
      features.add(test.feature());
    }
    return List.copyOf(features);
  }

  /** The tests at one support level, in catalogue order. */
  public List<ConformanceTestResult> tests(SupportLevel level) {
    return tests.stream().filter(t -> t.supportLevel() == level).toList();
  }

  /** Test verdicts across targets (see {@link ConformanceTestResult#result()}). */
  public Statistics statistics() {
    return Statistics.of(tests.stream().map(ConformanceTestResult::result).toList());
  }

  /** Test verdicts across targets, at one support level. */
  public Statistics statistics(SupportLevel level) {
    return Statistics.of(tests(level).stream().map(ConformanceTestResult::result).toList());
  }

  /** Runs on one target; tests that did not run there are not counted. */
  public Statistics statistics(String target) {
    return statistics(target, t -> true);
  }

  /** Runs on one target at one support level. */
  public Statistics statistics(String target, SupportLevel level) {
    return statistics(target, t -> t.supportLevel() == level);
  }

  private Statistics statistics(String target, Predicate<ConformanceTestResult> which) {
    return Statistics.of(
        tests.stream()
            .filter(which)
            .flatMap(t -> t.resultOn(target).stream())
            .map(ScenarioResult::status)
            .toList());
  }

  /** Ids of the tests at one level whose verdict across targets is the given status. */
  public List<String> testIds(SupportLevel level, Status status) {
    return tests(level).stream()
        .filter(t -> t.result() == status)
        .map(ConformanceTestResult::id)
        .toList();
  }

  /**
   * Features the implementation supports: at least one test passed and none failed, across targets.
   * A feature whose tests were all skipped is not claimed: nothing proved it.
   */
  public List<String> supportedFeatures() {
    return features().stream()
        .filter(
            f ->
                aggregate(tests(f).stream().map(ConformanceTestResult::result).toList())
                    == Status.PASSED)
        .toList();
  }

  /** The supported features (see {@link #supportedFeatures()}) at one support level. */
  public List<String> supportedFeatures(SupportLevel level) {
    List<String> atLevel = features(level);
    return supportedFeatures().stream().filter(atLevel::contains).toList();
  }

  /** The unsupported features (see {@link #unsupportedFeatures()}) at one support level. */
  public List<String> unsupportedFeatures(SupportLevel level) {
    List<String> atLevel = features(level);
    return unsupportedFeatures().stream().filter(atLevel::contains).toList();
  }

  private List<String> features(SupportLevel level) {
    return tests(level).stream().map(ConformanceTestResult::feature).distinct().toList();
  }

  /** Features with a failed test, or with every test skipped, across targets. */
  public List<String> unsupportedFeatures() {
    List<String> supported = supportedFeatures();
    return features().stream().filter(f -> !supported.contains(f)).toList();
  }

  /** Features one target supports: at least one run passed there and none failed. */
  public List<String> supportedFeatures(String target) {
    return features().stream().filter(f -> featureStatus(f, target) == Status.PASSED).toList();
  }

  /**
   * One cell of the feature matrix: {@code FAILED} if any test of the feature failed on the target,
   * {@code PASSED} if at least one passed and none failed, otherwise {@code SKIPPED} (including
   * when no test of the feature ran on that target).
   */
  public Status featureStatus(String feature, String target) {
    List<Status> statuses = new ArrayList<>();
    for (ConformanceTestResult test : tests(feature)) {
      test.resultOn(target).ifPresent(r -> statuses.add(r.status()));
    }
    return aggregate(statuses);
  }

  /** Runs of one feature's tests on one target. */
  public Statistics featureStatistics(String feature, String target) {
    return Statistics.of(
        tests(feature).stream()
            .flatMap(t -> t.resultOn(target).stream())
            .map(ScenarioResult::status)
            .toList());
  }

  /** The tests that prove one feature, in catalogue order. */
  public List<ConformanceTestResult> tests(String feature) {
    return tests.stream().filter(t -> t.feature().equals(feature)).toList();
  }

  private static Status aggregate(List<Status> statuses) {
    if (statuses.contains(Status.FAILED)) {
      return Status.FAILED;
    }
    return statuses.contains(Status.PASSED) ? Status.PASSED : Status.SKIPPED;
  }

  /** Builds a {@link ConformanceReport}; {@link #build()} validates every field. */
  public static final class Builder {
    private Implementation implementation;
    private String meshproofVersion;
    private String istioVersion;
    private Instant date;
    private String mode = "default";
    private String conformanceProfile = PROFILE;
    private final List<ConformanceTestResult> tests = new ArrayList<>();

    private Builder() {}

    /** Who made the mesh under test. */
    public Builder implementation(Implementation implementation) {
      this.implementation = implementation;
      return this;
    }

    /** The Meshproof version that ran the suite. */
    public Builder meshproofVersion(String meshproofVersion) {
      this.meshproofVersion = meshproofVersion;
      return this;
    }

    /** The Istio version whose behaviour is emulated, e.g. {@code 1.24}. */
    public Builder istioVersion(String istioVersion) {
      this.istioVersion = istioVersion;
      return this;
    }

    /** When the run finished. */
    public Builder date(Instant date) {
      this.date = date;
      return this;
    }

    /** Gateway API's conformance mode; {@code default} unless set. */
    public Builder mode(String mode) {
      this.mode = mode;
      return this;
    }

    /** The conformance profile claimed; {@link ConformanceReport#PROFILE} unless set. */
    public Builder conformanceProfile(String conformanceProfile) {
      this.conformanceProfile = conformanceProfile;
      return this;
    }

    /** Adds one test, after those already added. */
    public Builder test(ConformanceTestResult test) {
      tests.add(test);
      return this;
    }

    /** Adds tests in order. */
    public Builder tests(List<ConformanceTestResult> tests) {
      this.tests.addAll(tests);
      return this;
    }

    /**
     * Returns the report.
     *
     * @throws IllegalArgumentException naming the first invalid field
     */
    public ConformanceReport build() {
      return new ConformanceReport(
          implementation, meshproofVersion, istioVersion, date, mode, conformanceProfile, tests);
    }
  }
}
