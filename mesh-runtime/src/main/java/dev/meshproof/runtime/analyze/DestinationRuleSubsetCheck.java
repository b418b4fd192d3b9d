package dev.meshproof.runtime.analyze;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Istio's {@code destinationrule.SubsetSelectPodAnalyzer} ({@code
 * pkg/config/analysis/analyzers/destinationrule/subset.go}): a DestinationRule whose host matches
 * no service visible from its namespace (IST0174, looked up as {@code util.GetDestinationHost},
 * {@link DestinationChecks#lookup}), and each subset whose labels, merged over the host's workload
 * selector, select no pod (IST0173; a label selector never matches a pod lacking the key, even for
 * an empty value). The pods are {@link AnalysisInput#pods()}; node topology labels are not added
 * (no pod here runs on a node).
 */
final class DestinationRuleSubsetCheck {
  private DestinationRuleSubsetCheck() {}

  static void run(AnalysisInput input, List<Finding> out) {
    Map<String, DestinationChecks.HostEntry> hosts = DestinationChecks.hostMap(input);
    List<AnalysisInput.Pod> pods = input.pods();
    Map<String, Map<String, String>> nodeLabels = new TreeMap<>();
    for (RawResource node : input.ofKind("Node")) {
      nodeLabels.put(node.name(), node.labels());
    }
    for (RawResource rule : input.ofKind("DestinationRule")) {
      String host = RawResource.text(rule.root(), "spec", "host").orElse("");
      List<String> exportTo = RawResource.strings(rule.root(), "spec", "exportTo");
      Optional<DestinationChecks.HostEntry> entry =
          DestinationChecks.lookup(rule.namespace(), exportTo, host, hosts);
      if (entry.isEmpty()) {
        out.add(
            new Finding(
                MessageCode.UNKNOWN_DESTINATION_RULE_HOST,
                rule.displayName(),
                rule.source(),
                RawResource.line(RawResource.at(rule.root(), "spec", "host").orElse(rule.root())),
                "The host "
                    + host
                    + " defined in the DestinationRule does not match any services in the mesh."));
        continue;
      }
      for (Node subset : RawResource.items(rule.root(), "spec", "subsets")) {
        Map<String, String> selector = new TreeMap<>(entry.get().selector());
        selector.putAll(DestinationChecks.stringMap(subset, "labels"));
        boolean selects = pods.stream().anyMatch(p -> matches(selector, augmented(p, nodeLabels)));
        if (!selects) {
          out.add(
              new Finding(
                  MessageCode.DESTINATION_RULE_SUBSET_NOT_SELECT_PODS,
                  rule.displayName(),
                  rule.source(),
                  RawResource.line(subset),
                  "The Subset "
                      + RawResource.text(subset, "name").orElse("")
                      + " defined in the DestinationRule does not select any pods. Which may lead"
                      + " to 503 UH (NoHealthyUpstream)."));
        }
      }
    }
  }

  /**
   * istiod's {@code label.AugmentLabels} for a {@code Pod} document: its node's region, zone and
   * subzone labels when non-empty, and {@code kubernetes.io/hostname} = {@code spec.nodeName}.
   */
  private static Map<String, String> augmented(
      AnalysisInput.Pod pod, Map<String, Map<String, String>> nodeLabels) {
    if (pod.resource().isEmpty()) {
      return pod.labels();
    }
    Map<String, String> out = new TreeMap<>(pod.labels());
    Optional<String> nodeName = RawResource.text(pod.resource().get().root(), "spec", "nodeName");
    if (nodeName.isPresent() && !nodeName.get().isEmpty()) {
      Map<String, String> node = nodeLabels.getOrDefault(nodeName.get(), Map.of());
      for (String key :
          List.of(
              "topology.kubernetes.io/region",
              "topology.kubernetes.io/zone",
              "topology.istio.io/subzone")) {
        String value = node.getOrDefault(key, "");
        if (!value.isEmpty()) {
          out.put(key, value);
        }
      }
      out.put("kubernetes.io/hostname", nodeName.get());
    }
    return out;
  }

  /** A Kubernetes equality selector: every key present with the value (an absent key fails). */
  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector.entrySet().stream()
        .allMatch(
            e -> labels.containsKey(e.getKey()) && labels.get(e.getKey()).equals(e.getValue()));
  }
}
