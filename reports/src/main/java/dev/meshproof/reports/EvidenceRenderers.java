package dev.meshproof.reports;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The registry of {@link EvidenceRenderer}s the HTML report asks: the built-in ones (a split's
 * observed-against-expected bars, the traffic with its status mix and latency percentiles, the
 * topology with each client's share per instance, the traffic over time with chaos windows shaded,
 * reachability matrices of who can call whom, failed requests explained one by one with their
 * attempts, the analyzer's findings and the resources not simulated), then those found by {@link
 * ServiceLoader}, ordered by class name so the report stays byte-identical from run to run.
 */
final class EvidenceRenderers {

  private EvidenceRenderers() {}

  static List<EvidenceRenderer> all() {
    List<EvidenceRenderer> all = new ArrayList<>(builtIn());
    List<EvidenceRenderer> found = new ArrayList<>();
    ServiceLoader.load(EvidenceRenderer.class, EvidenceRenderer.class.getClassLoader())
        .forEach(found::add);
    found.sort(Comparator.comparing(r -> r.getClass().getName()));
    all.addAll(found);
    return List.copyOf(all);
  }

  static List<EvidenceRenderer> builtIn() {
    return List.of(
        new SplitEvidence(),
        new ReachabilityEvidence(),
        new TrafficEvidence(),
        new TopologyEvidence(),
        new TimelineEvidence(),
        new FailedRequestEvidence(),
        new AnalysisEvidence());
  }
}
