package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/networking/gateway/">Gateway</a>:
 * the servers (port, hosts, TLS mode) a gateway workload selected by labels exposes. Parsed and
 * validated; plain HTTP, opaque TCP, HTTPS terminated with SIMPLE or MUTUAL TLS and TLS PASSTHROUGH
 * servers are served by the ingress gateway; the other TLS modes are rejected as not supported yet.
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
   * HTTP server whose virtual hosts send a 301 to https); {@code tls} its TLS settings when the
   * server terminates or passes through TLS.
   */
  public record Server(
      String name,
      int port,
      String protocol,
      List<String> hosts,
      Optional<String> tlsMode,
      boolean httpsRedirect,
      Optional<ServerTls> tls,
      /** {@code port.name}, which names an HTTPS server's route configuration. */
      String portName) {
    public Server {
      hosts = List.copyOf(hosts);
    }

    /** A server whose port has no name. */
    public Server(
        String name,
        int port,
        String protocol,
        List<String> hosts,
        Optional<String> tlsMode,
        boolean httpsRedirect,
        Optional<ServerTls> tls) {
      this(name, port, protocol, hosts, tlsMode, httpsRedirect, tls, "");
    }

    /** A server without TLS settings other than its mode and {@code httpsRedirect}. */
    public Server(
        String name,
        int port,
        String protocol,
        List<String> hosts,
        Optional<String> tlsMode,
        boolean httpsRedirect) {
      this(name, port, protocol, hosts, tlsMode, httpsRedirect, Optional.empty());
    }

    /** A server without {@code httpsRedirect}. */
    public Server(
        String name, int port, String protocol, List<String> hosts, Optional<String> tlsMode) {
      this(name, port, protocol, hosts, tlsMode, false);
    }
  }

  /**
   * A server's {@code tls} (Istio's {@code ServerTLSSettings}) as Meshproof serves it: {@code mode}
   * SIMPLE, MUTUAL or PASSTHROUGH; the certificate either from files mounted in the gateway proxy
   * ({@code serverCertificate}, {@code privateKey}, {@code caCertificates}) or from the Kubernetes
   * Secret {@code credentialName} in the gateway's namespace; {@code subjectAltNames} a client
   * certificate must carry (MUTUAL).
   */
  public record ServerTls(
      String mode,
      Optional<String> serverCertificate,
      Optional<String> privateKey,
      Optional<String> caCertificates,
      Optional<String> credentialName,
      List<String> subjectAltNames) {
    public ServerTls {
      subjectAltNames = List.copyOf(subjectAltNames);
    }

    /** True for SIMPLE and MUTUAL: the gateway terminates TLS. */
    public boolean terminates() {
      return mode.equals("SIMPLE") || mode.equals("MUTUAL");
    }

    /** True for MUTUAL: a client certificate is required and verified. */
    public boolean mutual() {
      return mode.equals("MUTUAL");
    }
  }
}
