package dev.meshproof.runtime.analyze;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Istio's {@code gateway.IngressGatewayPortAnalyzer} ({@code
 * pkg/config/analysis/analyzers/gateway/gateway.go}): a Gateway whose selector matches no pod gets
 * IST0101 ({@code Referenced selector not found}); otherwise each server port that no Service
 * selecting one of those pods (in the pod's namespace) exposes as a TCP port or numeric target port
 * gets IST0162. Both point at the line of the selector's label, as Istio's {@code
 * util.GatewaySelector} does.
 *
 * <p>The pods are {@link AnalysisInput#pods()}: {@code Pod} documents, Deployment pod templates,
 * WorkloadEntries and the scenario's own pods. As {@code istioctl analyze} on files ({@code
 * local/defaults.go}, {@code AddDefaultResources}), the demo profile's ingress gateway is always
 * there: a pod labelled {@code istio: ingressgateway} and its Service {@code istio-ingressgateway}
 * in {@code istio-system} with ports 80, 443, 31400 and 15443 (targeting themselves; the Service
 * ports of Meshproof's own ingress gateway, {@code WorkloadSpec.INGRESS_GATEWAY_SERVICE_PORTS}). So
 * the checks fire only on what the input declares: a Gateway for the default gateway is judged
 * against the demo ports, a Gateway selecting other pods against the pods and Services the files
 * (or the scenario's topology) give. Deliberate difference: a Service port without {@code protocol}
 * counts as TCP, the default the API server writes (Istio reads the file as written and would skip
 * it).
 */
final class GatewayPortCheck {
  private GatewayPortCheck() {}

  /** {@code istioctl}'s default ingress gateway pod's labels and namespace. */
  private static final Map<String, String> DEFAULT_GATEWAY_LABELS =
      Map.of("istio", "ingressgateway");

  private static final String ISTIO_SYSTEM = "istio-system";

  /** The default ingress gateway Service's ports ({@code defaultIstioIngressGateway}). */
  private static final List<Integer> DEFAULT_GATEWAY_PORTS = List.of(80, 443, 31400, 15443);

  private record Service(String namespace, Map<String, String> selector, Set<Integer> tcpPorts) {}

  private record PodRef(String namespace, Map<String, String> labels) {}

  static void run(AnalysisInput input, List<Finding> out) {
    List<PodRef> pods = new ArrayList<>();
    pods.add(new PodRef(ISTIO_SYSTEM, DEFAULT_GATEWAY_LABELS));
    input.pods().forEach(p -> pods.add(new PodRef(p.namespace(), p.labels())));
    List<Service> services = new ArrayList<>();
    services.add(
        new Service(ISTIO_SYSTEM, DEFAULT_GATEWAY_LABELS, new TreeSet<>(DEFAULT_GATEWAY_PORTS)));
    for (RawResource service : input.ofKind("Service")) {
      Set<Integer> ports = new TreeSet<>();
      for (Node port : RawResource.items(service.root(), "spec", "ports")) {
        if (RawResource.text(port, "protocol").orElse("TCP").equals("TCP")) {
          // The Service port and its numeric target port both count: a Gateway server may name
          // either (istiod's resolvePorts translates a Service port to the pod port it targets).
          RawResource.text(port, "port").flatMap(GatewayPortCheck::number).ifPresent(ports::add);
          RawResource.text(port, "targetPort")
              .flatMap(GatewayPortCheck::number)
              .ifPresent(ports::add);
        }
      }
      services.add(
          new Service(
              service.namespace(),
              DestinationChecks.stringMap(service.root(), "spec", "selector"),
              ports));
    }
    for (RawResource gateway : input.ofKind("Gateway")) {
      Map<String, String> selector =
          new TreeMap<>(DestinationChecks.stringMap(gateway.root(), "spec", "selector"));
      Set<Integer> exposed = new TreeSet<>();
      int matched = 0;
      for (PodRef pod : pods) {
        if (!DestinationRuleSubsetCheck.matches(selector, pod.labels())) {
          continue;
        }
        matched++;
        for (Service service : services) {
          // A Service selects pods of its own namespace only; an empty selector selects none
          // (Kubernetes manages no endpoints for it).
          if (service.namespace().equals(pod.namespace())
              && !service.selector().isEmpty()
              && DestinationRuleSubsetCheck.matches(service.selector(), pod.labels())) {
            exposed.addAll(service.tcpPorts());
          }
        }
      }
      String printed = printed(selector);
      int line = selectorLine(gateway, selector);
      if (matched == 0) {
        out.add(
            new Finding(
                MessageCode.REFERENCED_RESOURCE_NOT_FOUND,
                gateway.displayName(),
                gateway.source(),
                line,
                "Referenced selector not found: \"" + printed + "\""));
        continue;
      }
      for (Node server : RawResource.items(gateway.root(), "spec", "servers")) {
        RawResource.text(server, "port", "number")
            .flatMap(GatewayPortCheck::number)
            .filter(port -> !exposed.contains(port))
            .ifPresent(
                port ->
                    out.add(
                        new Finding(
                            MessageCode.GATEWAY_PORT_NOT_DEFINED_ON_SERVICE,
                            gateway.displayName(),
                            gateway.source(),
                            line,
                            "The gateway refers to a port that is not exposed on the workload"
                                + " (pod selector "
                                + printed
                                + "; port "
                                + port
                                + "); exposed: "
                                + (exposed.isEmpty() ? "none" : exposed))));
      }
    }
  }

  /** {@code labels.SelectorFromSet(...).String()}: {@code k=v} sorted by key, comma-joined. */
  private static String printed(Map<String, String> selector) {
    List<String> parts = new ArrayList<>();
    selector.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }

  /** The line of the selector's first label, else of the Gateway. */
  private static int selectorLine(RawResource gateway, Map<String, String> selector) {
    return selector.keySet().stream()
        .findFirst()
        .flatMap(label -> RawResource.at(gateway.root(), "spec", "selector", label))
        .map(RawResource::line)
        .orElse(gateway.line());
  }

  private static java.util.Optional<Integer> number(String text) {
    try {
      return java.util.Optional.of(Integer.parseInt(text));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }
}
