package dev.meshproof.runtime.xds;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which hosts a gateway server serves for a VirtualService, as istiod computes them in {@code
 * buildGatewayHTTPRouteConfig} (pilot/pkg/networking/core/gateway.go): the server's hosts that
 * apply to the VirtualService's namespace ({@code host.NamesForNamespace}), intersected with the
 * VirtualService's hosts ({@code host.Names.Intersection}: of two hosts where one is a subset of
 * the other, the more specific one). Each resulting host is a virtual host of the gateway.
 */
final class GatewayHosts {
  private GatewayHosts() {}

  /**
   * The server's hosts visible to a VirtualService in {@code vsNamespace}: a host under namespace
   * {@code *} and a bare {@code host} for every namespace, {@code ./host} for the Gateway's own
   * namespace, {@code ns/host} for {@code ns} only (istiod's {@code NamesForNamespace} after {@code
   * MergeGateways} resolved {@code .}).
   */
  static List<String> serverHostsFor(
      List<String> serverHosts, String gatewayNamespace, String vsNamespace) {
    List<String> out = new ArrayList<>();
    for (String written : serverHosts) {
      int slash = written.indexOf('/');
      if (slash < 0) {
        out.add(written);
        continue;
      }
      String namespace = written.substring(0, slash);
      if (namespace.equals(".")) {
        namespace = gatewayNamespace;
      }
      if (namespace.equals("*") || namespace.equals(vsNamespace)) {
        out.add(written.substring(slash + 1));
      }
    }
    return out;
  }

  /** istiod's {@code Names.Intersection}, lower-cased: the more specific of each related pair. */
  static List<String> intersection(List<String> serverHosts, List<String> vsHosts) {
    List<String> out = new ArrayList<>();
    for (String server : serverHosts) {
      String s = server.toLowerCase(Locale.ROOT);
      for (String vs : vsHosts) {
        String v = vs.toLowerCase(Locale.ROOT);
        String picked = subsetOf(s, v) ? s : subsetOf(v, s) ? v : null;
        if (picked != null && !out.contains(picked)) {
          out.add(picked);
        }
      }
    }
    return out;
  }

  /**
   * istiod's {@code Name.SubsetOf}: {@code n} names the same hosts as {@code o} or fewer ({@code *}
   * covers everything, {@code *.foo.com} every name ending {@code .foo.com}, itself included).
   */
  static boolean subsetOf(String n, String o) {
    if (o.equals("*")) {
      return true;
    }
    if (o.startsWith("*.")) {
      if (n.equals("*")) {
        return false;
      }
      return n.endsWith(o.substring(1));
    }
    return !n.startsWith("*") && n.equals(o);
  }
}
