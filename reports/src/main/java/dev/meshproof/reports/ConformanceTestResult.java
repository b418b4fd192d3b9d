package dev.meshproof.reports;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One conformance test (a catalogue entry, as in Gateway API's conformance suite) and how it ran on
 * each target: a short name, the mesh feature it proves, its support level, the Istio or Envoy
 * document it encodes, and one {@link ScenarioResult} per target ({@code embedded}, {@code envoy},
 * ...).
 *
 * @param id short name, unique in a report, e.g. {@code MeshHTTPRouteWeight-90-10}; letters,
 *     digits, {@code . _ -} so it can name a directory and an HTML anchor unchanged
 * @param feature the feature it proves, e.g. {@code MeshHTTPRouteWeight}
 * @param supportLevel core or extended
 * @param description one or two sentences on the behaviour under test
 * @param specReference the Istio/Envoy documentation the test encodes (http or https)
 * @param results one per target, in the order the targets should be shown
 * @param comparisons the same observations compared across targets (e.g. embedded against Envoy),
 *     each with its stated test; a failed comparison is a finding and fails the test
 */
public record ConformanceTestResult(
    String id,
    String feature,
    SupportLevel supportLevel,
    String description,
    URI specReference,
    List<ScenarioResult> results,
    List<ExpectationResult> comparisons) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  public ConformanceTestResult {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "id: "
              + (id == null ? "null" : "'" + id + "'")
              + " (expected: letters, digits, '.', '_' or '-', starting with a letter or digit)");
    }
    Implementation.requireText("feature", feature);
    if (supportLevel == null) {
      throw new IllegalArgumentException("supportLevel: null (expected: CORE or EXTENDED)");
    }
    Implementation.requireText("description", description);
    requireWebUrl("specReference", specReference);
    if (results == null || results.isEmpty()) {
      throw new IllegalArgumentException(
          "results of " + id + ": " + results + " (expected: at least one target's result)");
    }
    Set<String> targets = new HashSet<>();
    for (ScenarioResult r : results) {
      if (r == null) {
        throw new IllegalArgumentException("results of " + id + ": contains null");
      }
      Implementation.requireText("results[].target of " + id, r.target());
      if (r.status() == null) {
        throw new IllegalArgumentException(
            "results[target="
                + r.target()
                + "].status of "
                + id
                + ": null (expected: "
                + List.of(Status.values())
                + ")");
      }
      if (!targets.add(r.target())) {
        throw new IllegalArgumentException(
            "results of "
                + id
                + ": target '"
                + r.target()
                + "' appears twice (expected: one"
                + " result per target)");
      }
    }
    results = List.copyOf(results);
    comparisons = comparisons == null ? List.of() : List.copyOf(comparisons);
  }

  /** Starts a builder for the test with the given short name. */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /**
   * The test's verdict across targets: {@code FAILED} if any target failed, {@code SKIPPED} if
   * every target skipped, otherwise {@code PASSED} (a target that is not available does not hide
   * the others' success).
   */
  public Status result() {
    if (comparisons.stream().anyMatch(c -> !c.passed())) {
      return Status.FAILED;
    }
    boolean anyPassed = false;
    for (ScenarioResult r : results) {
      if (r.status() == Status.FAILED) {
        return Status.FAILED;
      }
      anyPassed |= r.status() == Status.PASSED;
    }
    return anyPassed ? Status.PASSED : Status.SKIPPED;
  }

  /** The target names, in result order. */
  public List<String> targets() {
    return results.stream().map(ScenarioResult::target).toList();
  }

  /** The result on one target, if the test ran (or was skipped) there. */
  public Optional<ScenarioResult> resultOn(String target) {
    return results.stream().filter(r -> r.target().equals(target)).findFirst();
  }

  static void requireWebUrl(String field, URI url) {
    // Only web links may reach the HTML's href: a javascript: or file: URL would run or leak.
    if (url == null
        || !url.isAbsolute()
        || !("https".equalsIgnoreCase(url.getScheme()) || "http".equalsIgnoreCase(url.getScheme()))
        || url.getHost() == null) {
      throw new IllegalArgumentException(
          field + ": " + url + " (expected: an absolute http or https URL)");
    }
  }

  /** Builds a {@link ConformanceTestResult}; {@link #build()} validates every field. */
  public static final class Builder {
    private final String id;
    private String feature;
    private SupportLevel supportLevel = SupportLevel.CORE;
    private String description;
    private URI specReference;
    private final List<ScenarioResult> results = new ArrayList<>();
    private final List<ExpectationResult> comparisons = new ArrayList<>();

    private Builder(String id) {
      this.id = id;
    }

    /** The feature the test proves, e.g. {@code MeshHTTPRouteWeight}. */
    public Builder feature(String feature) {
      this.feature = feature;
      return this;
    }

    /** Core (the default) or extended. */
    public Builder supportLevel(SupportLevel supportLevel) {
      this.supportLevel = supportLevel;
      return this;
    }

    /** What behaviour the test proves. */
    public Builder description(String description) {
      this.description = description;
      return this;
    }

    /** The Istio/Envoy document the test encodes. */
    public Builder specReference(String specReference) {
      try {
        this.specReference = URI.create(specReference);
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException(
            "specReference: " + specReference + " (expected: an absolute http or https URL)", e);
      }
      return this;
    }

    /** The Istio/Envoy document the test encodes. */
    public Builder specReference(URI specReference) {
      this.specReference = specReference;
      return this;
    }

    /** Adds the result on one target. */
    public Builder result(ScenarioResult result) {
      results.add(result);
      return this;
    }

    /** Adds results, one per target. */
    public Builder results(List<ScenarioResult> results) {
      this.results.addAll(results);
      return this;
    }

    /** Adds comparisons of the targets' observations (see {@link ConformanceTestResult}). */
    public Builder comparisons(List<ExpectationResult> comparisons) {
      this.comparisons.addAll(comparisons);
      return this;
    }

    /**
     * Returns the test result.
     *
     * @throws IllegalArgumentException naming the first invalid field
     */
    public ConformanceTestResult build() {
      return new ConformanceTestResult(
          id, feature, supportLevel, description, specReference, results, comparisons);
    }
  }
}
