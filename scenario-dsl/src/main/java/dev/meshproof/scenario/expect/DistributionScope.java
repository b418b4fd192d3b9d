package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The requests a distribution expectation (a {@link SplitExpectation}, a {@link ShareExpectation})
 * judges, and who served each: the requests of one traffic block (or of all), sent inside one
 * window of that block (or at any time), each attributed to the version or instance of {@code
 * service} that answered it.
 */
record DistributionScope(
    String service,
    SplitExpectation.Dimension dimension,
    Optional<String> traffic,
    Optional<TrafficWindow> during) {

  /**
   * The requests in scope, counted per version or instance (in name order), and those in scope that
   * no response of {@code service} attributes (a failure, another service's answer).
   */
  record Tally(Map<String, Long> counts, long unattributed) {
    /** How many responses in scope named who served them. */
    long attributed() {
      return counts.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Counts the requests of {@code observations} that are in scope. */
  Tally tally(Observations observations) {
    Map<String, Long> counts = new TreeMap<>();
    long unattributed = 0;
    for (RequestObservation r : observations.requests()) {
      if (!inScope(r)) {
        continue;
      }
      Optional<String> category = dimension.of(r);
      if (r.service().map(service::equals).orElse(false) && category.isPresent()) {
        counts.merge(category.get(), 1L, Long::sum);
      } else {
        unattributed++;
      }
    }
    return new Tally(counts, unattributed);
  }

  private boolean inScope(RequestObservation r) {
    return traffic.map(t -> t.equals(r.traffic())).orElse(true)
        && during.map(w -> w.contains(r)).orElse(true);
  }

  /** Writes {@code traffic} and {@code during} where set, as a scenario file does. */
  void addTo(Map<String, Object> fields) {
    traffic.ifPresent(t -> fields.put("traffic", t));
    during.ifPresent(w -> fields.put("during", w.toYaml()));
  }

  /** How a description names the traffic, after {@code preposition} (as "for"), and the window. */
  String describe(String preposition) {
    return traffic.map(t -> " " + preposition + " traffic " + t).orElse("")
        + during.map(w -> " " + w.describe()).orElse("");
  }
}
