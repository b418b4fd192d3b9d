package dev.meshproof.runtime.analyze;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Istio's {@code gateway.ConflictingGatewayAnalyzer} ({@code
 * pkg/config/analysis/analyzers/gateway/conflictinggateway.go}): Gateways are grouped by selector
 * (as Kubernetes prints it, {@code k=v,...} sorted) and server port number; a Gateway whose server
 * shares a host (with the same {@code bind}) with a server of another Gateway on that port whose
 * selector is the same, or contains or is contained in its own and selects a common pod, gets
 * IST0145 (one per server, naming the others). A Gateway with a selector that no group holds gets
 * IST0101 (in practice one without servers). Deliberate difference: Istio's {@code CheckDuplicates}
 * also records the checked server's hosts into the other Gateway's set while it compares (so a
 * later comparison can see hosts of a third Gateway, in Go's random map order); here the sets are
 * compared unchanged.
 */
final class ConflictingGatewaysCheck {
  private ConflictingGatewaysCheck() {}

  static void run(AnalysisInput input, List<Finding> out) {
    List<RawResource> gateways = input.ofKind("Gateway");
    // selector~port -> Gateway -> the hosts of its last server on that port (as Istio's map keeps)
    Map<String, Map<String, Map<String, String>>> groups = new LinkedHashMap<>();
    for (RawResource gateway : gateways) {
      String selector = selector(gateway);
      for (Node server : RawResource.items(gateway.root(), "spec", "servers")) {
        Map<String, String> hostsBind = new LinkedHashMap<>();
        String bind = RawResource.text(server, "bind").orElse("");
        RawResource.strings(server, "hosts").forEach(h -> hostsBind.put(h, bind));
        groups
            .computeIfAbsent(selector + "~" + port(server), k -> new LinkedHashMap<>())
            .put(fullName(gateway), hostsBind);
      }
    }
    List<AnalysisInput.Pod> pods =
        input.pods().stream().filter(p -> p.resource().isPresent()).toList();
    for (RawResource gateway : gateways) {
      String selector = selector(gateway);
      Map<String, String> own = selectorMap(gateway);
      List<String> hit = new ArrayList<>();
      for (String key : groups.keySet()) {
        String other = key.substring(0, key.lastIndexOf('~'));
        boolean matched = other.equals(selector);
        if (!matched && (other.contains(selector) || selector.contains(other))) {
          Map<String, String> otherMap = parseSelector(other);
          matched =
              pods.stream()
                  .anyMatch(
                      p ->
                          DestinationRuleSubsetCheck.matches(own, p.labels())
                              && DestinationRuleSubsetCheck.matches(otherMap, p.labels()));
        }
        if (matched) {
          hit.add(key);
        }
      }
      if (!selector.isEmpty() && hit.isEmpty()) {
        out.add(
            new Finding(
                MessageCode.REFERENCED_RESOURCE_NOT_FOUND,
                gateway.displayName(),
                gateway.source(),
                RawResource.line(
                    RawResource.at(gateway.root(), "spec", "selector").orElse(gateway.root())),
                "Referenced selector not found: \"" + selector + "\""));
        continue;
      }
      String name = fullName(gateway);
      for (Node server : RawResource.items(gateway.root(), "spec", "servers")) {
        String port = port(server);
        String bind = RawResource.text(server, "bind").orElse("");
        List<String> hosts = RawResource.strings(server, "hosts");
        List<String> others = new ArrayList<>();
        for (String key : hit) {
          if (!key.substring(key.lastIndexOf('~') + 1).equals(port)) {
            continue;
          }
          for (Map.Entry<String, Map<String, String>> entry : groups.get(key).entrySet()) {
            if (!entry.getKey().equals(name)
                && hosts.stream().anyMatch(h -> bind.equals(entry.getValue().get(h)))) {
              others.add(entry.getKey());
            }
          }
        }
        if (!others.isEmpty()) {
          java.util.Collections.sort(others);
          out.add(
              new Finding(
                  MessageCode.CONFLICTING_GATEWAYS,
                  gateway.displayName(),
                  gateway.source(),
                  RawResource.line(server),
                  "Conflict with gateways "
                      + String.join(",", others)
                      + " (workload selector "
                      + selector
                      + ", port "
                      + port
                      + ", hosts "
                      + String.join(",", hosts)
                      + ")."));
        }
      }
    }
  }

  /** {@code <namespace>/<name>}, Istio's {@code FullName.String()}. */
  private static String fullName(RawResource gateway) {
    return gateway.namespace() + "/" + gateway.name();
  }

  private static String port(Node server) {
    return RawResource.text(server, "port", "number").orElse("0");
  }

  private static Map<String, String> selectorMap(RawResource gateway) {
    return new TreeMap<>(DestinationChecks.stringMap(gateway.root(), "spec", "selector"));
  }

  /**
   * {@code labels.SelectorFromSet(...).String()}: {@code k=v} pairs sorted by key, comma-joined.
   */
  private static String selector(RawResource gateway) {
    List<String> parts = new ArrayList<>();
    selectorMap(gateway).forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }

  /** {@code parseSelectorFromString}. */
  private static Map<String, String> parseSelector(String selector) {
    Map<String, String> map = new TreeMap<>();
    for (String pair : selector.split(",")) {
      String[] kv = pair.split("=");
      if (kv.length == 2) {
        map.put(kv[0], kv[1]);
      }
    }
    return map;
  }
}
