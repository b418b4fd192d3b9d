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
    String portName = "";
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
      portName = p.string("name").orElse("");
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
    String upper = protocol.toUpperCase(java.util.Locale.ROOT);
    boolean tlsProtocol = upper.equals("HTTPS") || upper.equals("TLS");
    List<Optional<Gateway.ServerTls>> serverTls = new java.util.ArrayList<>();
    Optional<String> tlsMode =
        s.mapping("tls")
            .flatMap(
                t -> {
                  Optional<String> mode = t.oneOf("mode", TLS_MODES);
                  httpsRedirect[0] = t.bool("httpsRedirect", false);
                  if (tlsProtocol) {
                    serverTls.add(serverTls(t, mode, upper));
                  } else {
                    boolean onlyRedirect = mode.isEmpty();
                    for (String f : TLS_FIELDS) {
                      // every field read, so none is also reported as unknown
                      onlyRedirect &= t.value(f).isEmpty() || f.equals("httpsRedirect");
                    }
                    if (!(onlyRedirect && upper.equals("HTTP"))) {
                      // istiod serves such a server as plain text (HTTP) or opaque TCP: the
                      // settings would be silently ignored.
                      s.notYetSupported("tls");
                    }
                  }
                  t.finish();
                  return mode;
                });
    if (tlsProtocol && !s.has("tls")) {
      // The webhook's validateServer: "server must have TLS settings for HTTPS/TLS protocols".
      s.problem(
          s.node(),
          s.child("tls"),
          "server must have TLS settings for HTTPS/TLS protocols (expected: tls with mode SIMPLE,"
              + " MUTUAL or PASSTHROUGH)");
    }
    String name = s.string("name").orElse("");
    s.notYetSupported("bind");
    s.notYetSupported("defaultEndpoint");
    if (!protocol.isEmpty()
        && PROTOCOLS.contains(upper)
        && !upper.equals("HTTP")
        && !upper.equals("TCP")
        && !tlsProtocol) {
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
                      + " (expected: HTTP, HTTPS, TLS or TCP)"));
    }
    s.finish();
    Optional<Gateway.ServerTls> tls = serverTls.isEmpty() ? Optional.empty() : serverTls.get(0);
    return new Gateway.Server(
        name,
        number,
        protocol,
        hosts,
        tls.map(Gateway.ServerTls::mode).or(() -> tlsMode),
        httpsRedirect[0],
        tls,
        portName);
  }

  /** The TLS modes Meshproof serves on an HTTPS or TLS server. */
  private static final List<String> SERVED_MODES = List.of("SIMPLE", "MUTUAL", "PASSTHROUGH");

  /**
   * The {@code tls} of an HTTPS or TLS server, validated as the webhook's {@code
   * validateTLSOptions} (pkg/config/validation): SIMPLE needs a certificate and key unless {@code
   * credentialName} names a Secret, MUTUAL also a CA bundle; {@code mode} unset is PASSTHROUGH (the
   * enum's zero value). SIMPLE and MUTUAL are served on HTTPS servers, PASSTHROUGH on HTTPS and TLS
   * servers; other modes and fields are refused as not supported yet rather than ignored.
   */
  private static Optional<Gateway.ServerTls> serverTls(
      YamlMapping t, Optional<String> written, String protocol) {
    String mode = written.orElse("PASSTHROUGH");
    Optional<String> certificate = t.string("serverCertificate");
    Optional<String> key = t.string("privateKey");
    Optional<String> ca = t.string("caCertificates");
    Optional<String> credential = t.string("credentialName").filter(c -> !c.isEmpty());
    List<String> sans = t.stringList("subjectAltNames");
    for (String unserved :
        List.of(
            "caCrl",
            "credentialNames",
            "tlsCertificates",
            "verifyCertificateSpki",
            "verifyCertificateHash",
            "minProtocolVersion",
            "maxProtocolVersion",
            "cipherSuites")) {
      t.notYetSupported(unserved);
    }
    if (t.bool("httpsRedirect", false)) {
      t.notYetSupported("httpsRedirect");
    }
    if (!SERVED_MODES.contains(mode) || (protocol.equals("TLS") && !mode.equals("PASSTHROUGH"))) {
      t.problem(
          t.value("mode").orElse(t.node()),
          t.child("mode"),
          "\""
              + mode
              + "\" on a "
              + protocol
              + " server is valid Istio, but not supported by Meshproof yet (expected: "
              + (protocol.equals("TLS") ? "PASSTHROUGH" : "SIMPLE, MUTUAL or PASSTHROUGH")
              + ")");
      return Optional.empty();
    }
    if (mode.equals("PASSTHROUGH")) {
      for (String field :
          List.of(
              "serverCertificate",
              "privateKey",
              "caCertificates",
              "credentialName",
              "subjectAltNames")) {
        if (t.has(field)) {
          t.problem(
              t.value(field).orElseThrow(),
              t.child(field),
              "has no effect with mode PASSTHROUGH (the backend terminates TLS; expected: no"
                  + " certificate settings)");
        }
      }
      return Optional.of(
          new Gateway.ServerTls(
              mode,
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              List.of()));
    }
    if (mode.equals("SIMPLE") && !sans.isEmpty()) {
      // istiod puts them in a validation context without roots: no client certificate is asked
      // for, so nothing would check them.
      t.problem(
          t.value("subjectAltNames").orElseThrow(),
          t.child("subjectAltNames"),
          "with mode SIMPLE is valid Istio, but not supported by Meshproof yet (no client"
              + " certificate is requested; expected: mode MUTUAL to verify client certificates)");
    }
    if (credential.isEmpty()) {
      if (certificate.isEmpty()) {
        t.problem(
            t.node(),
            t.child("serverCertificate"),
            mode
                + " TLS requires a server certificate (expected: serverCertificate, or"
                + " credentialName naming a Secret)");
      }
      if (key.isEmpty()) {
        t.problem(
            t.node(),
            t.child("privateKey"),
            mode
                + " TLS requires a private key (expected: privateKey, or credentialName naming a"
                + " Secret)");
      }
      if (mode.equals("MUTUAL") && ca.isEmpty()) {
        t.problem(
            t.node(),
            t.child("caCertificates"),
            "MUTUAL TLS requires a client CA bundle (expected: caCertificates, or credentialName"
                + " naming a Secret with ca.crt)");
      }
    }
    return Optional.of(new Gateway.ServerTls(mode, certificate, key, ca, credential, sans));
  }
}
