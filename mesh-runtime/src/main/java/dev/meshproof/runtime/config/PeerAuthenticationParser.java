package dev.meshproof.runtime.config;

import dev.meshproof.runtime.policy.authn.PeerAuthenticationMode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The {@code spec} of a PeerAuthentication, validated as Istio's webhook does ({@code
 * ValidatePeerAuthentication}): a mode from the enum, port-level modes only with a non-empty
 * selector, ports 1-65535. Registered in {@link IstioKinds}.
 */
final class PeerAuthenticationParser {
  private static final List<String> MODES =
      Arrays.stream(PeerAuthenticationMode.values()).map(Enum::name).toList();

  private PeerAuthenticationParser() {}

  static PeerAuthentication parse(ResourceMeta meta, YamlMapping spec) {
    Optional<Map<String, String>> selector =
        spec.mapping("selector")
            .map(
                s -> {
                  Map<String, String> labels = s.stringMap("matchLabels");
                  s.finish();
                  return labels;
                })
            .filter(labels -> !labels.isEmpty());
    PeerAuthenticationMode mode =
        spec.mapping("mtls")
            .map(PeerAuthenticationParser::mtls)
            .orElse(PeerAuthenticationMode.UNSET);
    Map<Integer, PeerAuthenticationMode> ports = new LinkedHashMap<>();
    spec.mapping("portLevelMtls")
        .ifPresent(
            p -> {
              Map<String, Node> fields = p.fields();
              if (fields.isEmpty()) {
                spec.problem(
                    spec.value("portLevelMtls").orElseThrow(),
                    spec.child("portLevelMtls"),
                    "is empty (expected: at least one port, or no portLevelMtls)");
              }
              if (selector.isEmpty()) {
                spec.problem(
                    spec.value("portLevelMtls").orElseThrow(),
                    spec.child("portLevelMtls"),
                    "a mesh-wide or namespace PeerAuthentication cannot have port level mTLS"
                        + " (expected: a selector with matchLabels)");
              }
              fields.forEach(
                  (key, value) -> {
                    int port;
                    try {
                      port = Integer.parseInt(key);
                    } catch (NumberFormatException e) {
                      port = -1;
                    }
                    if (port < 1 || port > 65535) {
                      p.problem(
                          value,
                          p.child(key),
                          "port '" + key + "' is not a port number (expected: 1-65535)");
                      return;
                    }
                    YamlMapping portSpec =
                        YamlMapping.of(p.source(), p.child(key), value, p.problems());
                    ports.put(port, mtls(portSpec));
                  });
            });
    spec.finish();
    return new PeerAuthentication(meta, selector, mode, ports);
  }

  private static PeerAuthenticationMode mtls(YamlMapping mtls) {
    Optional<String> mode = mtls.oneOf("mode", MODES);
    mtls.finish();
    return mode.map(PeerAuthenticationMode::valueOf).orElse(PeerAuthenticationMode.UNSET);
  }
}
