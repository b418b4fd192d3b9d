package dev.meshproof.runtime.analyze;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Istio's {@code service.PortNameAnalyzer}: a Service port whose name does not start with a
 * protocol ({@code http}, {@code http-web}, {@code grpc}, ...) and that sets no {@code appProtocol}
 * is treated as opaque TCP. Kubernetes system namespaces and Istio's own services are skipped.
 */
final class ServicePortNameCheck {
  private ServicePortNameCheck() {}

  /** Istio's protocol names ({@code pkg/config/protocol}). */
  private static final Set<String> PROTOCOLS =
      Set.of(
          "grpc",
          "grpc-web",
          "http",
          "http_proxy",
          "http2",
          "https",
          "tcp",
          "tls",
          "udp",
          "mongo",
          "redis",
          "mysql");

  private static final Set<String> SYSTEM_NAMESPACES =
      Set.of("kube-system", "kube-public", "kube-node-lease", "local-path-storage");

  static void run(AnalysisInput input, List<Finding> out) {
    for (RawResource service : input.ofKind("Service")) {
      Map<String, String> labels = service.labels();
      if (SYSTEM_NAMESPACES.contains(service.namespace())
          || labels.containsKey("istio")
          || "istio".equals(labels.get("release"))) {
        continue;
      }
      for (Node port : RawResource.items(service.root(), "spec", "ports")) {
        String name = RawResource.text(port, "name").orElse("");
        if (RawResource.text(port, "appProtocol").isPresent() || namesProtocol(name)) {
          continue;
        }
        out.add(
            new Finding(
                MessageCode.PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION,
                service.displayName(),
                service.source(),
                RawResource.line(port),
                "Port name "
                    + name
                    + " (port: "
                    + RawResource.text(port, "port").orElse("")
                    + ", targetPort: "
                    + RawResource.text(port, "targetPort").orElse("")
                    + ") doesn't follow the naming convention of Istio port."));
      }
    }
  }

  private static boolean namesProtocol(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return PROTOCOLS.stream().anyMatch(p -> lower.equals(p) || lower.startsWith(p + "-"));
  }
}
