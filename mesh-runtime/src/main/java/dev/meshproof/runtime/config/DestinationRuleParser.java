package dev.meshproof.runtime.config;

import dev.meshproof.runtime.policy.lb.LbPolicy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The {@code spec} of a DestinationRule, read field by field: fields we do not implement yet are
 * reported as not yet supported rather than dropped. Registered in {@link IstioKinds}.
 */
final class DestinationRuleParser {
  private DestinationRuleParser() {}

  static DestinationRule parse(ResourceMeta meta, YamlMapping spec) {
    String host = spec.requiredString("host", "a service host such as catalog");
    Policy policy =
        spec.mapping("trafficPolicy").map(p -> trafficPolicy(p, true)).orElse(Policy.NONE);
    List<DestinationRule.Subset> subsets =
        spec.list(
            "subsets",
            (node, path) -> {
              YamlMapping s = YamlMapping.of(spec.source(), path, node, spec.problems());
              String name = s.requiredString("name", "a subset name such as v1");
              Map<String, String> labels = s.stringMap("labels");
              Policy subsetPolicy =
                  s.mapping("trafficPolicy").map(p -> trafficPolicy(p, false)).orElse(Policy.NONE);
              s.finish();
              return Optional.of(
                  new DestinationRule.Subset(
                      name,
                      labels,
                      subsetPolicy.lb(),
                      subsetPolicy.connectionPool(),
                      subsetPolicy.outlierDetection(),
                      subsetPolicy.portLevelSettings()));
            });
    spec.notYetSupported("exportTo");
    spec.notYetSupported("workloadSelector");
    spec.finish();
    return new DestinationRule(
        meta,
        host,
        policy.lb(),
        subsets,
        policy.connectionPool(),
        policy.outlierDetection(),
        policy.portLevelSettings(),
        policy.tlsMode());
  }

  /** The parts of one {@code trafficPolicy} block. */
  private record Policy(
      Optional<LbPolicy> lb,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection,
      List<DestinationRule.PortTrafficPolicy> portLevelSettings,
      Optional<String> tlsMode) {
    static final Policy NONE =
        new Policy(
            Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty());
  }

  /** The client TLS modes of {@code trafficPolicy.tls.mode}. */
  private static final List<String> TLS_MODES =
      List.of("DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL");

  /**
   * {@code trafficPolicy.tls} of the whole DestinationRule: DISABLE and ISTIO_MUTUAL; SIMPLE and
   * MUTUAL (certificates from files or secrets) and the other fields are not simulated yet.
   */
  private static Optional<String> tls(YamlMapping policy) {
    Optional<YamlMapping> tls = policy.mapping("tls");
    if (tls.isEmpty()) {
      return Optional.empty();
    }
    YamlMapping t = tls.get();
    Optional<String> mode = t.oneOf("mode", TLS_MODES);
    if (mode.filter(m -> m.equals("SIMPLE") || m.equals("MUTUAL")).isPresent()) {
      t.problem(
          t.value("mode").orElseThrow(),
          t.child("mode"),
          mode.get()
              + " is valid Istio, but not supported by Meshproof yet (supported: DISABLE,"
              + " ISTIO_MUTUAL)");
      mode = Optional.empty();
    }
    for (String field :
        List.of(
            "clientCertificate",
            "privateKey",
            "caCertificates",
            "credentialName",
            "subjectAltNames",
            "sni",
            "insecureSkipVerify",
            "caCrl")) {
      t.notYetSupported(field);
    }
    t.finish();
    return mode;
  }

  private static Policy trafficPolicy(YamlMapping policy, boolean topLevel) {
    Optional<LbPolicy> lb = loadBalancer(policy);
    Optional<ConnectionPoolSettings> pool =
        policy.mapping("connectionPool").flatMap(TrafficPolicyParser::connectionPool);
    Optional<OutlierDetectionSettings> outlier =
        policy.mapping("outlierDetection").flatMap(TrafficPolicyParser::outlierDetection);
    List<DestinationRule.PortTrafficPolicy> portLevel =
        policy.list("portLevelSettings", (node, path) -> portTrafficPolicy(policy, node, path));
    Optional<String> tlsMode = topLevel ? tls(policy) : Optional.empty();
    for (String field :
        topLevel ? List.of("tunnel", "proxyProtocol") : List.of("tls", "tunnel", "proxyProtocol")) {
      policy.notYetSupported(field);
    }
    policy.finish();
    return new Policy(lb, pool, outlier, portLevel, tlsMode);
  }

  /**
   * One {@code portLevelSettings} entry, validated as Istio's webhook does ({@code
   * validatePortTrafficPolicies}): a port number is required and at least one policy block.
   */
  private static Optional<DestinationRule.PortTrafficPolicy> portTrafficPolicy(
      YamlMapping parent, Node node, String path) {
    YamlMapping entry = YamlMapping.of(parent.source(), path, node, parent.problems());
    OptionalInt number = OptionalInt.empty();
    Optional<YamlMapping> port = entry.mapping("port");
    if (port.isPresent()) {
      number = port.get().integer("number", 1, 65535);
      if (number.isEmpty() && port.get().value("number").isEmpty()) {
        entry.problem(node, path + ".port", "no port number (expected: port: {number: <1-65535>})");
      }
      port.get().finish();
    } else {
      entry.problem(node, path, "no port (expected: port: {number: <1-65535>})");
    }
    Optional<LbPolicy> lb = loadBalancer(entry);
    Optional<ConnectionPoolSettings> pool =
        entry.mapping("connectionPool").flatMap(TrafficPolicyParser::connectionPool);
    Optional<OutlierDetectionSettings> outlier =
        entry.mapping("outlierDetection").flatMap(TrafficPolicyParser::outlierDetection);
    boolean anyBlock =
        entry.value("loadBalancer").isPresent()
            || entry.value("connectionPool").isPresent()
            || entry.value("outlierDetection").isPresent()
            || entry.value("tls").isPresent();
    if (!anyBlock) {
      entry.problem(
          node,
          path,
          "a port traffic policy without any policy (expected at least one of: loadBalancer,"
              + " connectionPool, outlierDetection, tls)");
    }
    entry.notYetSupported("tls");
    entry.finish();
    if (number.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new DestinationRule.PortTrafficPolicy(number.getAsInt(), lb, pool, outlier));
  }

  private static Optional<LbPolicy> loadBalancer(YamlMapping policy) {
    return policy
        .mapping("loadBalancer")
        .flatMap(
            l -> {
              Optional<String> simple = l.string("simple");
              for (String field :
                  List.of("consistentHash", "localityLbSetting", "warmupDurationSecs", "warmup")) {
                l.notYetSupported(field);
              }
              l.finish();
              return simple.flatMap(
                  s -> {
                    String normalized = s.equals("LEAST_CONN") ? "LEAST_REQUEST" : s;
                    try {
                      return Optional.of(LbPolicy.valueOf(normalized));
                    } catch (IllegalArgumentException e) {
                      l.problem(
                          l.value("simple").orElseThrow(),
                          l.child("simple"),
                          "\""
                              + s
                              + "\" is not supported (expected one of: "
                              + Arrays.stream(LbPolicy.values())
                                  .map(Enum::name)
                                  .collect(Collectors.joining(", "))
                              + ", LEAST_CONN)");
                      return Optional.empty();
                    }
                  });
            });
  }
}
