package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code spec} of a Sidecar, validated as Istio's webhook does: egress hosts written as {@code
 * namespace/dnsName} ({@code .} for the Sidecar's namespace, {@code *} or {@code ~} for any), at
 * least one egress listener when {@code egress} is written, and a known outbound traffic policy.
 */
final class SidecarParser {
  private SidecarParser() {}

  static Sidecar parse(ResourceMeta meta, YamlMapping spec) {
    Map<String, String> selector =
        spec.mapping("workloadSelector")
            .map(
                s -> {
                  Map<String, String> labels = s.stringMap("labels");
                  s.finish();
                  return labels;
                })
            .orElse(Map.of());
    List<Sidecar.Egress> egress = spec.mappings("egress", SidecarParser::egress);
    Optional<YamlMapping> trafficPolicy = spec.mapping("outboundTrafficPolicy");
    // A written outboundTrafficPolicy replaces the mesh's whole (istiod's ConvertToSidecarScope),
    // so an omitted mode is the proto's zero value, REGISTRY_ONLY.
    Optional<OutboundTrafficPolicy> policy =
        trafficPolicy.map(
            p ->
                p.oneOf("mode", ServiceEntryParser.names(OutboundTrafficPolicy.values()))
                    .map(OutboundTrafficPolicy::valueOf)
                    .orElse(OutboundTrafficPolicy.REGISTRY_ONLY));
    Optional<Destination> egressProxy =
        trafficPolicy.flatMap(p -> egressProxy(p, policy.orElseThrow()));
    trafficPolicy.ifPresent(YamlMapping::finish);
    spec.notYetSupported("ingress");
    spec.notYetSupported("inboundConnectionPool");
    spec.finish();
    return new Sidecar(meta, selector, egress, policy, egressProxy);
  }

  /**
   * {@code outboundTrafficPolicy.egressProxy}, validated as the webhook's {@code
   * validateSidecarOutboundTrafficPolicy} (pkg/config/validation/validation.go): only with mode
   * ALLOW_ANY (an unset mode is ALLOW_ANY, the enum's zero value), a host, and a port number.
   */
  private static Optional<Destination> egressProxy(YamlMapping p, OutboundTrafficPolicy mode) {
    Optional<YamlMapping> written = p.mapping("egressProxy");
    if (written.isEmpty()) {
      return Optional.empty();
    }
    YamlMapping m = written.get();
    if (mode != OutboundTrafficPolicy.ALLOW_ANY) {
      p.problem(
          p.value("egressProxy").orElseThrow(),
          p.child("egressProxy"),
          "egressProxy must be set only with ALLOW_ANY outbound_traffic_policy mode (found: mode "
              + mode
              + "; expected: mode ALLOW_ANY, or no egressProxy)");
    }
    Destination destination = VirtualServiceParser.destination(m);
    if (!destination.host().isEmpty() && destination.port().isEmpty()) {
      m.problem(
          m.value("port").orElse(m.node()),
          m.child("port"),
          "egress_proxy port must be non-nil (expected: port: {number: <1..65535>})");
    }
    return Optional.of(destination);
  }

  private static Sidecar.Egress egress(YamlMapping e) {
    OptionalInt port =
        e.mapping("port")
            .map(
                p -> {
                  OptionalInt number = p.integer("number", 1, 65535);
                  p.string("protocol");
                  p.string("name");
                  p.integer("targetPort", 1, 65535);
                  p.finish();
                  return number;
                })
            .orElse(OptionalInt.empty());
    List<String> hosts = e.stringList("hosts");
    if (hosts.isEmpty()) {
      e.problem(
          e.value("hosts").orElse(e.node()),
          e.child("hosts"),
          "required field is missing or empty (expected: hosts as namespace/dnsName, e.g."
              + " ./* or istio-system/*)");
    }
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      int slash = host.indexOf('/');
      if (slash <= 0 || slash == host.length() - 1 || host.indexOf('/', slash + 1) >= 0) {
        e.problem(
            e.value("hosts").orElseThrow(),
            e.child("hosts") + "[" + i + "]",
            "\""
                + host
                + "\" is not namespace/dnsName (expected: e.g. ./*, */reviews.default"
                + ".svc.cluster.local or istio-system/*)");
      }
    }
    e.notYetSupported("bind");
    e.has("port"); // read above; a port-scoped egress listener is not supported yet
    e.notYetSupported("port");
    e.oneOf("captureMode", List.of("DEFAULT", "IPTABLES", "NONE"))
        .filter(mode -> !mode.equals("DEFAULT"))
        .ifPresent(
            mode ->
                e.problem(
                    e.value("captureMode").orElseThrow(),
                    e.child("captureMode"),
                    "captureMode "
                        + mode
                        + " is valid Istio, but not supported by Meshproof yet (supported:"
                        + " DEFAULT)"));
    e.finish();
    return new Sidecar.Egress(port, hosts);
  }
}
