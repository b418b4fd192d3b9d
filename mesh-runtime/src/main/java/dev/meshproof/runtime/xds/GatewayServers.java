package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.config.Gateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The servers of a gateway proxy's Gateways merged by the port they listen on, as istiod's {@code
 * MergeGateways} (pilot/pkg/model/gateway.go) merges them (TLS servers, HTTPS or PASSTHROUGH, merge
 * on one port unless a host repeats): each server's port is resolved through the gateway's Service
 * ({@link ProxyNode#resolveGatewayPort}: server port 80 listens on the pod's 8080); on one listener
 * port the first server (oldest Gateway, then server order) decides the protocol, later HTTP
 * servers merge into it, and a server that cannot merge (TCP beside HTTP, or a second TCP server,
 * which has no route name to tell it apart) is skipped, as istiod skips it ("conflict with existing
 * server"). Only ports the gateway pod exposes ({@link ProxyNode#gatewayListeners}) get a listener:
 * a deliberate difference, since istiod also emits a listener for a port no Service port maps to
 * (Envoy binds it inside the pod, where no client outside reaches it); on loopback there is no
 * address to give it, and nothing answers either way.
 */
final class GatewayServers {
  /**
   * What listens on a resolved port: plain HTTP servers, one opaque TCP server, or TLS servers
   * (HTTPS terminated with SIMPLE or MUTUAL, and PASSTHROUGH), each its own filter chains told
   * apart by SNI.
   */
  enum Kind {
    HTTP,
    TCP,
    TLS
  }

  /** A server with the Gateway ({@code <namespace>/<name>}) it belongs to. */
  record Bound(Gateway gateway, Gateway.Server server) {
    String gatewayName() {
      return gateway.meta().namespace() + "/" + gateway.meta().name();
    }

    /** True when the gateway terminates this server's TLS (HTTPS with SIMPLE or MUTUAL). */
    boolean terminatesTls() {
      return server.tls().map(Gateway.ServerTls::terminates).orElse(false);
    }

    /**
     * The route configuration of a TLS-terminating HTTPS server, as istiod's {@code
     * gatewayRDSRouteName} names it: {@code https.<server port>.<port name>.<gateway>.<namespace>}
     * (the webhook makes port names unique among a Gateway's servers).
     */
    String httpsRouteName() {
      return "https."
          + server.port()
          + "."
          + server.portName()
          + "."
          + gateway.meta().name()
          + "."
          + gateway.meta().namespace();
    }

    /**
     * The SNI names of a TLS server's filter chain, as istiod's {@code getSNIHostsForServer}: its
     * hosts without a {@code namespace/} prefix, deduplicated and sorted.
     */
    List<String> sniHosts() {
      java.util.TreeSet<String> hosts = new java.util.TreeSet<>();
      for (String host : server.hosts()) {
        hosts.add(host.contains("/") ? host.substring(host.indexOf('/') + 1) : host);
      }
      return List.copyOf(hosts);
    }
  }

  /** The merged servers on one listener port. */
  record Merged(int listenerPort, Kind kind, List<Bound> servers) {}

  private GatewayServers() {}

  /** The merged servers of {@code input}'s gateway proxy, by listener port. */
  static SortedMap<Integer, Merged> of(TranslationInput input) {
    SortedMap<Integer, Merged> merged = new TreeMap<>();
    for (Gateway gateway : input.selectedGateways()) {
      for (Gateway.Server server : gateway.servers()) {
        Kind kind = kind(server);
        if (kind == null) {
          continue;
        }
        int port = input.proxy().resolveGatewayPort(server.port());
        if (!input.proxy().gatewayListeners().containsKey(port)) {
          continue;
        }
        Merged current = merged.get(port);
        if (current == null) {
          List<Bound> servers = new ArrayList<>();
          servers.add(new Bound(gateway, server));
          merged.put(port, new Merged(port, kind, servers));
        } else if (current.kind() == Kind.HTTP && kind == Kind.HTTP) {
          current.servers().add(new Bound(gateway, server));
        } else if (current.kind() == Kind.TLS && kind == Kind.TLS) {
          Bound bound = new Bound(gateway, server);
          // istiod's MergeGateways (CheckDuplicates): a TLS server repeating a host of an earlier
          // one on the port is skipped ("duplicate host names"), since Envoy would reject two
          // filter chains with the same server names; so is one whose route configuration name
          // repeats (a port name the webhook's uniqueness check would have refused).
          boolean duplicate =
              current.servers().stream()
                  .anyMatch(
                      b ->
                          !java.util.Collections.disjoint(b.sniHosts(), bound.sniHosts())
                              || (b.terminatesTls()
                                  && bound.terminatesTls()
                                  && b.httpsRouteName().equals(bound.httpsRouteName())));
          if (!duplicate) {
            current.servers().add(bound);
          }
        }
      }
    }
    return merged;
  }

  private static Kind kind(Gateway.Server server) {
    if (server.tls().isPresent()) {
      return Kind.TLS;
    }
    if (server.tlsMode().isPresent()) {
      return null;
    }
    return switch (server.protocol().toUpperCase(Locale.ROOT)) {
      case "HTTP" -> Kind.HTTP;
      case "TCP" -> Kind.TCP;
      default -> null;
    };
  }
}
