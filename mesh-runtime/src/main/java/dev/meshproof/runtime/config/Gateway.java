package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/networking/gateway/">Gateway</a>:
 * the servers (port, hosts, TLS mode) a gateway workload selected by labels exposes. Parsed and
 * validated; plain HTTP and opaque TCP servers are served by the ingress gateway, TLS is rejected
 * as not supported yet.
 */
public record Gateway(ResourceMeta meta, Map<String, String> selector, List<Server> servers)
    implements IstioResource {

  public Gateway {
    selector = Map.copyOf(selector);
    servers = List.copyOf(servers);
  }

  @Override
  public Gateway withMeta(ResourceMeta newMeta) {
    return new Gateway(newMeta, selector, servers);
  }

  /**
   * One {@code spec.servers} entry; {@code httpsRedirect} is its {@code tls.httpsRedirect} (a plain
   * HTTP server whose virtual hosts send a 301 to https).
   */
  public record Server(
      String name,
      int port,
      String protocol,
      List<String> hosts,
      Optional<String> tlsMode,
      boolean httpsRedirect) {
    public Server {
      hosts = List.copyOf(hosts);
    }

    /** A server without {@code httpsRedirect}. */
    public Server(
        String name, int port, String protocol, List<String> hosts, Optional<String> tlsMode) {
      this(name, port, protocol, hosts, tlsMode, false);
    }
  }
}
