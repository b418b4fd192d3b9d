package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code spec} of a Gateway, validated as Istio's webhook does: at least one server, each with
 * a port (number 1-65535, protocol, name) and at least one host, and a known TLS mode.
 */
final class GatewayParser {
  static final List<String> PROTOCOLS =
      List.of("HTTP", "HTTPS", "GRPC", "GRPC-WEB", "HTTP2", "MONGO", "TCP", "TLS");
  private static final List<String> TLS_MODES =
      List.of(
          "PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL");
  private static final List<String> TLS_FIELDS =
      List.of(
          "httpsRedirect",
          "serverCertificate",
          "privateKey",
          "caCertificates",
          "caCrl",
          "credentialName",
          "credentialNames",
          "tlsCertificates",
          "subjectAltNames",
          "verifyCertificateSpki",
          "verifyCertificateHash",
          "minProtocolVersion",
          "maxProtocolVersion",
          "cipherSuites");

  private GatewayParser() {}

  static Gateway parse(ResourceMeta meta, YamlMapping spec) {
    Map<String, String> selector = spec.stringMap("selector");
    List<Gateway.Server> servers = spec.mappings("servers", GatewayParser::server);
    if (servers.isEmpty()) {
      spec.problem(
          spec.value("servers").orElse(spec.node()),
          spec.child("servers"),
          "required field is missing or empty (expected: at least one server)");
    }
    spec.finish();
    return new Gateway(meta, selector, servers);
  }

  private static Gateway.Server server(YamlMapping s) {
    int number = 0;
    String protocol = "";
    Optional<YamlMapping> port = s.mapping("port");
    if (port.isEmpty()) {
      s.problem(
          s.node(),
          s.child("port"),
          "required field is missing (expected: number," + " protocol, name)");
    } else {
      YamlMapping p = port.get();
      number = p.integer("number", 1, 65535).orElse(0);
      if (!p.has("number")) {
        p.problem(p.node(), p.child("number"), "required field is missing (expected: 1-65535)");
      }
      protocol = p.string("protocol").orElse("");
      if (protocol.isEmpty()) {
        p.problem(
            p.node(),
            p.child("protocol"),
            "required field is missing (expected one of: " + String.join(", ", PROTOCOLS) + ")");
      } else if (!PROTOCOLS.contains(protocol.toUpperCase(java.util.Locale.ROOT))) {
        p.problem(
            p.value("protocol").orElseThrow(),
            p.child("protocol"),
            "\""
                + protocol
                + "\" is not allowed (expected one of: "
                + String.join(", ", PROTOCOLS)
                + ")");
      }
      p.string("name");
      // Deprecated and unused by istiod's gateway listeners: rejected rather than ignored.
      p.notYetSupported("targetPort");
      p.finish();
    }
    List<String> hosts = s.stringList("hosts");
    if (hosts.isEmpty()) {
      s.problem(
          s.value("hosts").orElse(s.node()),
          s.child("hosts"),
          "required field is missing or empty (expected: at least one host, e.g. \"*\")");
    }
    boolean[] httpsRedirect = {false};
    boolean[] onlyRedirect = {true};
    Optional<String> tlsMode =
        s.mapping("tls")
            .flatMap(
                t -> {
                  Optional<String> mode = t.oneOf("mode", TLS_MODES);
                  httpsRedirect[0] = t.bool("httpsRedirect", false);
                  TLS_FIELDS.forEach(
                      f -> {
                        if (t.value(f).isPresent() && !f.equals("httpsRedirect")) {
                          onlyRedirect[0] = false;
                        }
                      });
                  onlyRedirect[0] &= mode.isEmpty();
                  t.finish();
                  return mode;
                });
    String name = s.string("name").orElse("");
    s.notYetSupported("bind");
    s.notYetSupported("defaultEndpoint");
    // Validated above as the webhook does; served only as plain HTTP (with httpsRedirect, which
    // istiod treats as a plain-text server) or opaque TCP for now (TLS modes and HTTPS/TLS servers
    // would be silently ignored otherwise).
    if (s.has("tls") && !(onlyRedirect[0] && protocol.equalsIgnoreCase("HTTP"))) {
      s.notYetSupported("tls");
    }
    if (!protocol.isEmpty()
        && PROTOCOLS.contains(protocol.toUpperCase(java.util.Locale.ROOT))
        && !protocol.equalsIgnoreCase("HTTP")
        && !protocol.equalsIgnoreCase("TCP")) {
      String written = protocol;
      Optional<YamlMapping> p = s.mapping("port");
      p.ifPresent(
          m ->
              m.problem(
                  m.value("protocol").orElse(m.node()),
                  m.child("protocol"),
                  "\""
                      + written
                      + "\" on a Gateway server is valid Istio, but not supported by Meshproof yet"
                      + " (expected: HTTP or TCP)"));
    }
    s.finish();
    return new Gateway.Server(name, number, protocol, hosts, tlsMode, httpsRedirect[0]);
  }
}
