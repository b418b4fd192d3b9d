package dev.meshproof.runtime.config;

import dev.meshproof.runtime.policy.lb.LbPolicy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code spec} of a DestinationRule, read field by field: fields we do not implement yet are
 * reported as not yet supported rather than dropped. Registered in {@link IstioKinds}.
 */
final class DestinationRuleParser {
  private DestinationRuleParser() {}

  static DestinationRule parse(ResourceMeta meta, YamlMapping spec) {
    String host = spec.requiredString("host", "a service host such as catalog");
    Policy policy =
        spec.mapping("trafficPolicy").map(DestinationRuleParser::trafficPolicy).orElse(Policy.NONE);
    List<DestinationRule.Subset> subsets =
        spec.list(
            "subsets",
            (node, path) -> {
              YamlMapping s = YamlMapping.of(spec.source(), path, node, spec.problems());
              String name = s.requiredString("name", "a subset name such as v1");
              Map<String, String> labels = s.stringMap("labels");
              Policy subsetPolicy =
                  s.mapping("trafficPolicy")
                      .map(DestinationRuleParser::trafficPolicy)
                      .orElse(Policy.NONE);
              s.finish();
              return Optional.of(
                  new DestinationRule.Subset(
                      name,
                      labels,
                      subsetPolicy.lb(),
                      subsetPolicy.connectionPool(),
                      subsetPolicy.outlierDetection()));
            });
    spec.notYetSupported("exportTo");
    spec.notYetSupported("workloadSelector");
    spec.finish();
    return new DestinationRule(
        meta, host, policy.lb(), subsets, policy.connectionPool(), policy.outlierDetection());
  }

  /** The parts of one {@code trafficPolicy} block. */
  private record Policy(
      Optional<LbPolicy> lb,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection) {
    static final Policy NONE = new Policy(Optional.empty(), Optional.empty(), Optional.empty());
  }

  private static Policy trafficPolicy(YamlMapping policy) {
    Optional<LbPolicy> lb =
        policy
            .mapping("loadBalancer")
            .flatMap(
                l -> {
                  Optional<String> simple = l.string("simple");
                  for (String field :
                      List.of(
                          "consistentHash", "localityLbSetting", "warmupDurationSecs", "warmup")) {
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
    Optional<ConnectionPoolSettings> pool =
        policy.mapping("connectionPool").flatMap(TrafficPolicyParser::connectionPool);
    Optional<OutlierDetectionSettings> outlier =
        policy.mapping("outlierDetection").flatMap(TrafficPolicyParser::outlierDetection);
    for (String field : List.of("tls", "portLevelSettings", "tunnel", "proxyProtocol")) {
      policy.notYetSupported(field);
    }
    policy.finish();
    return new Policy(lb, pool, outlier);
  }
}
