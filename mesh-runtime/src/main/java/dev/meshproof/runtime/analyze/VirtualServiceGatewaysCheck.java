package dev.meshproof.runtime.analyze;

import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Istio's {@code virtualservice.GatewayAnalyzer} ({@code
 * pkg/config/analysis/analyzers/virtualservice/gateways.go}) for Istio Gateways: each entry of a
 * VirtualService's {@code gateways} other than {@code mesh}, resolved in the VirtualService's
 * namespace when it names no namespace, must be a Gateway (IST0101 otherwise), and at least one of
 * the VirtualService's hosts must overlap a host of that Gateway's servers (IST0132 otherwise, also
 * for a missing Gateway, as Istio reports both). Server hosts are read as {@code vsHostInGateway}
 * does: {@code ./h} in the Gateway's namespace, {@code * /h} as {@code h}, {@code * / *} as {@code
 * *}, and a {@code ns/h} only for a VirtualService in {@code ns}. Kubernetes Gateways and internal
 * gateway references (IST0165) are out of scope: Meshproof serves neither.
 */
final class VirtualServiceGatewaysCheck {
  private static final String MESH = "mesh";

  private VirtualServiceGatewaysCheck() {}

  static void run(AnalysisInput input, List<Finding> out) {
    List<RawResource> gateways = input.ofKind("Gateway");
    for (RawResource vs : input.ofKind("VirtualService")) {
      List<String> vsHosts = RawResource.strings(vs.root(), "spec", "hosts");
      List<Node> entries = RawResource.items(vs.root(), "spec", "gateways");
      for (Node entry : entries) {
        String name = RawResource.text(entry).orElse("");
        if (name.isEmpty() || name.equals(MESH)) {
          continue;
        }
        String full = name.contains("/") ? name : vs.namespace() + "/" + name;
        RawResource gateway =
            gateways.stream()
                .filter(g -> (g.namespace() + "/" + g.name()).equals(full))
                .findFirst()
                .orElse(null);
        int line = RawResource.line(entry);
        if (gateway == null) {
          out.add(
              new Finding(
                  MessageCode.REFERENCED_RESOURCE_NOT_FOUND,
                  vs.displayName(),
                  vs.source(),
                  line,
                  "Referenced gateway not found: \"" + name + "\""));
        }
        List<String> gatewayHosts =
            gateway == null ? List.of() : namesForNamespace(serverHosts(gateway), vs.namespace());
        boolean matches =
            gatewayHosts.stream().anyMatch(g -> vsHosts.stream().anyMatch(h -> overlap(g, h)));
        if (!matches) {
          out.add(
              new Finding(
                  MessageCode.VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY,
                  vs.displayName(),
                  vs.source(),
                  line,
                  "one or more host ["
                      + String.join(" ", vsHosts)
                      + "] defined in VirtualService "
                      + vs.namespace()
                      + "/"
                      + vs.name()
                      + " not found in Gateway "
                      + full
                      + "."));
        }
      }
    }
  }

  /** Every server's hosts, as {@code sanitizeServerHostNamespace} rewrites them. */
  private static List<String> serverHosts(RawResource gateway) {
    List<String> hosts = new ArrayList<>();
    for (Node server : RawResource.items(gateway.root(), "spec", "servers")) {
      List<String> serverHosts = new ArrayList<>();
      for (String h : RawResource.strings(server, "hosts")) {
        int slash = h.indexOf('/');
        if (slash < 0) {
          serverHosts.add(h);
          continue;
        }
        String ns = h.substring(0, slash);
        String host = h.substring(slash + 1);
        if (ns.equals(".")) {
          serverHosts.add(gateway.namespace() + "/" + host);
        } else if (ns.equals("*")) {
          if (host.equals("*")) {
            serverHosts = new ArrayList<>(List.of("*"));
            break;
          }
          serverHosts.add(host);
        } else {
          serverHosts.add(h);
        }
      }
      hosts.addAll(serverHosts);
    }
    return hosts;
  }

  /**
   * {@code host.NamesForNamespace}: {@code ns/h} kept as {@code h} only when {@code ns} is the
   * VirtualService's namespace or {@code *}.
   */
  private static List<String> namesForNamespace(List<String> hosts, String namespace) {
    List<String> names = new ArrayList<>();
    for (String h : hosts) {
      int slash = h.indexOf('/');
      if (slash >= 0) {
        String ns = h.substring(0, slash);
        if (!ns.equals(namespace) && !ns.equals("*")) {
          continue;
        }
        h = h.substring(slash + 1);
      }
      names.add(h);
    }
    return names;
  }

  /** {@code host.Name.Matches}: equal names, or a wildcard whose suffix covers the other. */
  static boolean overlap(String a, String b) {
    boolean aWild = a.startsWith("*");
    boolean bWild = b.startsWith("*");
    if (aWild && bWild) {
      return a.length() < b.length()
          ? b.substring(1).endsWith(a.substring(1))
          : a.substring(1).endsWith(b.substring(1));
    }
    if (aWild) {
      return b.endsWith(a.substring(1));
    }
    if (bWild) {
      return a.endsWith(b.substring(1));
    }
    return a.equals(b);
  }
}
