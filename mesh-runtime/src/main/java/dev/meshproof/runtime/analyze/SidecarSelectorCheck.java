package dev.meshproof.runtime.analyze;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Istio's {@code sidecar.SelectorAnalyzer} ({@code
 * pkg/config/analysis/analyzers/sidecar/selector.go}): a Sidecar whose {@code workloadSelector}
 * selects no pod of its namespace (IST0101), two Sidecars selecting one pod (IST0110, on each), two
 * Sidecars without selector in one namespace (IST0111, on each), and a Sidecar that selects an
 * ambient pod or lives in an ambient namespace (IST0167: a sidecar policy has no effect there).
 */
final class SidecarSelectorCheck {
  private SidecarSelectorCheck() {}

  private static final String AMBIENT_REDIRECTION = "ambient.istio.io/redirection";
  private static final String DATAPLANE_MODE = "istio.io/dataplane-mode";

  static void run(AnalysisInput input, List<Finding> out) {
    List<AnalysisInput.Pod> pods = input.pods();
    Map<AnalysisInput.Pod, List<RawResource>> podsToSidecars = new LinkedHashMap<>();
    Map<String, List<RawResource>> namespacesToSidecars = new LinkedHashMap<>();
    for (RawResource sidecar : input.ofKind("Sidecar")) {
      Map<String, String> selector =
          DestinationChecks.stringMap(sidecar.root(), "spec", "workloadSelector", "labels");
      if (selector.isEmpty()) {
        namespacesToSidecars
            .computeIfAbsent(sidecar.namespace(), k -> new ArrayList<>())
            .add(sidecar);
        continue;
      }
      boolean found = false;
      for (AnalysisInput.Pod pod : pods) {
        if (pod.namespace().equals(sidecar.namespace())
            && DestinationRuleSubsetCheck.matches(selector, pod.labels())) {
          found = true;
          podsToSidecars.computeIfAbsent(pod, k -> new ArrayList<>()).add(sidecar);
        }
      }
      if (!found) {
        out.add(
            new Finding(
                MessageCode.REFERENCED_RESOURCE_NOT_FOUND,
                sidecar.displayName(),
                sidecar.source(),
                RawResource.line(
                    RawResource.at(sidecar.root(), "spec", "workloadSelector")
                        .orElse(sidecar.root())),
                "Referenced selector not found: \"" + selectorString(selector) + "\""));
      }
    }
    Set<String> reported = new LinkedHashSet<>();
    for (Map.Entry<AnalysisInput.Pod, List<RawResource>> e : podsToSidecars.entrySet()) {
      AnalysisInput.Pod pod = e.getKey();
      boolean ambient = "enabled".equals(pod.annotations().get(AMBIENT_REDIRECTION));
      if (e.getValue().size() == 1 && !ambient) {
        continue;
      }
      String names = names(e.getValue());
      for (RawResource sidecar : e.getValue()) {
        if (ambient) {
          if (reported.add(ServiceEntryChecks.fullName(sidecar))) {
            out.add(ineffective(sidecar, "selected workload is in ambient mode"));
          }
          continue;
        }
        out.add(
            new Finding(
                MessageCode.CONFLICTING_SIDECAR_WORKLOAD_SELECTORS,
                sidecar.displayName(),
                sidecar.source(),
                sidecar.line(),
                "The Sidecars "
                    + names
                    + " in namespace \""
                    + pod.namespace()
                    + "\" select the same workload pod \""
                    + pod.name()
                    + "\", which can lead to undefined behavior."));
      }
    }
    Map<String, Map<String, String>> namespaceLabels = new LinkedHashMap<>();
    for (RawResource ns : input.ofKind("Namespace")) {
      namespaceLabels.put(ns.name(), ns.labels());
    }
    for (Map.Entry<String, List<RawResource>> e : namespacesToSidecars.entrySet()) {
      if (ambientNamespace(namespaceLabels.getOrDefault(e.getKey(), Map.of()))) {
        for (RawResource sidecar : e.getValue()) {
          if (reported.add(ServiceEntryChecks.fullName(sidecar))) {
            out.add(ineffective(sidecar, "namespace is in ambient mode"));
          }
        }
        continue;
      }
      if (e.getValue().size() > 1) {
        String names = names(e.getValue());
        for (RawResource sidecar : e.getValue()) {
          out.add(
              new Finding(
                  MessageCode.MULTIPLE_SIDECARS_WITHOUT_WORKLOAD_SELECTORS,
                  sidecar.displayName(),
                  sidecar.source(),
                  sidecar.line(),
                  "The Sidecars "
                      + names
                      + " in namespace \""
                      + e.getKey()
                      + "\" have no workload selector, which can lead to undefined behavior."));
        }
      }
    }
  }

  /**
   * istiod's {@code NamespaceInAmbientMode}: {@code istio.io/dataplane-mode: ambient}, unless the
   * namespace asks for sidecar injection or a revision.
   */
  private static boolean ambientNamespace(Map<String, String> labels) {
    if ("enabled".equals(labels.get("istio-injection"))) {
      return false;
    }
    if (!labels.getOrDefault("istio.io/rev", "").isEmpty()) {
      return false;
    }
    return "ambient".equals(labels.get(DATAPLANE_MODE));
  }

  private static Finding ineffective(RawResource sidecar, String why) {
    return new Finding(
        MessageCode.INEFFECTIVE_POLICY,
        sidecar.displayName(),
        sidecar.source(),
        sidecar.line(),
        "The policy has no impact: " + why + ", the policy has no impact.");
  }

  /** {@code getNames}: the Sidecars' names, sorted, as {@code [a b]} (Go's %v of a slice). */
  private static String names(List<RawResource> sidecars) {
    Set<String> names = new TreeSet<>();
    sidecars.forEach(s -> names.add(s.name()));
    return "[" + String.join(" ", names) + "]";
  }

  /** A selector as Kubernetes prints it: {@code app=foo,version=v1}. */
  private static String selectorString(Map<String, String> selector) {
    List<String> parts = new ArrayList<>();
    new java.util.TreeMap<>(selector).forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }
}
