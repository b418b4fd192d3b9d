package dev.meshproof.runtime.config;

import dev.meshproof.runtime.policy.lb.ConsistentHash;
import dev.meshproof.runtime.policy.lb.ConsistentHashLb;
import dev.meshproof.runtime.policy.lb.HashPolicy;
import dev.meshproof.runtime.policy.lb.HashRing;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.lb.LocalityLbSetting;
import dev.meshproof.runtime.policy.lb.SlowStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
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
    Policy policy = spec.mapping("trafficPolicy").map(p -> trafficPolicy(p)).orElse(Policy.NONE);
    List<DestinationRule.Subset> subsets =
        spec.list(
            "subsets",
            (node, path) -> {
              YamlMapping s = YamlMapping.of(spec.source(), path, node, spec.problems());
              String name = s.requiredString("name", "a subset name such as v1");
              Map<String, String> labels = s.stringMap("labels");
              Policy subsetPolicy =
                  s.mapping("trafficPolicy").map(p -> trafficPolicy(p)).orElse(Policy.NONE);
              s.finish();
              return Optional.of(
                  new DestinationRule.Subset(
                      name,
                      labels,
                      subsetPolicy.lb(),
                      subsetPolicy.connectionPool(),
                      subsetPolicy.outlierDetection(),
                      subsetPolicy.portLevelSettings(),
                      subsetPolicy.consistentHash(),
                      subsetPolicy.tls(),
                      subsetPolicy.localityLb(),
                      subsetPolicy.warmup()));
            });
    List<String> exportTo = VirtualServiceParser.exportTo(spec, meta.namespace());
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
        policy.consistentHash(),
        policy.localityLb(),
        policy.tls(),
        exportTo,
        policy.warmup());
  }

  /** The parts of one {@code trafficPolicy} block. */
  private record Policy(
      Optional<LbPolicy> lb,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection,
      List<DestinationRule.PortTrafficPolicy> portLevelSettings,
      Optional<ClientTlsSettings> tls,
      Optional<ConsistentHash> consistentHash,
      Optional<LocalityLbSetting> localityLb,
      Optional<SlowStart> warmup) {
    Optional<String> tlsMode() {
      return tls.map(ClientTlsSettings::mode);
    }

    static final Policy NONE =
        new Policy(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
  }

  /** The client TLS modes of {@code trafficPolicy.tls.mode}. */
  private static final List<String> TLS_MODES =
      List.of("DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL");

  /**
   * A {@code tls} block ({@code ClientTLSSettings}), validated as Istio's webhook does ({@code
   * validation.go validateTLS}): MUTUAL needs {@code clientCertificate} and {@code privateKey};
   * {@code insecureSkipVerify} excludes {@code caCertificates} and {@code subjectAltNames}. {@code
   * credentialName} names a Kubernetes secret, which Meshproof does not model: refused, pointing at
   * the file fields. Certificate fields under ISTIO_MUTUAL are refused too: istiod would ignore
   * them (the mesh's certificates are used).
   */
  private static Optional<ClientTlsSettings> tls(YamlMapping policy) {
    Optional<YamlMapping> tls = policy.mapping("tls");
    if (tls.isEmpty()) {
      return Optional.empty();
    }
    YamlMapping t = tls.get();
    Optional<String> mode = t.oneOf("mode", TLS_MODES);
    Optional<String> ca = t.string("caCertificates").filter(v -> !v.isEmpty());
    Optional<String> cert = t.string("clientCertificate").filter(v -> !v.isEmpty());
    Optional<String> key = t.string("privateKey").filter(v -> !v.isEmpty());
    Optional<String> sni = t.string("sni").filter(v -> !v.isEmpty());
    List<String> sans = t.stringList("subjectAltNames");
    boolean insecure = t.bool("insecureSkipVerify", false);
    t.value("credentialName")
        .ifPresent(
            node ->
                t.problem(
                    node,
                    t.child("credentialName"),
                    "valid Istio, but Meshproof models no Kubernetes secrets (expected: the"
                        + " certificate files caCertificates, clientCertificate and privateKey)"));
    t.notYetSupported("caCrl");
    String m = mode.orElse("DISABLE");
    if (m.equals("MUTUAL")) {
      if (cert.isEmpty()) {
        t.problem(
            t.node(),
            t.child("clientCertificate"),
            "client certificate required for mutual tls (expected: the file of the certificate"
                + " chain the sidecar presents)");
      }
      if (key.isEmpty()) {
        t.problem(
            t.node(),
            t.child("privateKey"),
            "private key required for mutual tls (expected: the file of the certificate's key)");
      }
    }
    if (insecure
        && (m.equals("SIMPLE") || m.equals("MUTUAL"))
        && (ca.isPresent() || !sans.isEmpty())) {
      t.problem(
          t.value("insecureSkipVerify").orElseThrow(),
          t.child("insecureSkipVerify"),
          "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
    }
    if (m.equals("ISTIO_MUTUAL") || m.equals("DISABLE")) {
      for (String field : List.of("caCertificates", "clientCertificate", "privateKey")) {
        t.value(field)
            .ifPresent(
                node ->
                    t.problem(
                        node,
                        t.child(field),
                        "not read under mode "
                            + m
                            + " (istiod ignores it; expected: mode SIMPLE or MUTUAL)"));
      }
    }
    if (m.equals("SIMPLE") && (cert.isPresent() || key.isPresent())) {
      t.problem(
          t.value(cert.isPresent() ? "clientCertificate" : "privateKey").orElseThrow(),
          t.child(cert.isPresent() ? "clientCertificate" : "privateKey"),
          "not read under mode SIMPLE (istiod presents no client certificate; expected: mode"
              + " MUTUAL)");
    }
    t.finish();
    return mode.map(
        md ->
            new ClientTlsSettings(
                md,
                ca,
                cert,
                key,
                sni,
                sans,
                insecure && (md.equals("SIMPLE") || md.equals("MUTUAL"))));
  }

  private static Policy trafficPolicy(YamlMapping policy) {
    List<ConsistentHash> hash = new ArrayList<>();
    List<LocalityLbSetting> locality = new ArrayList<>();
    List<SlowStart> warmup = new ArrayList<>();
    Optional<LbPolicy> lb = loadBalancer(policy, hash, locality, warmup);
    Optional<ConnectionPoolSettings> pool =
        policy.mapping("connectionPool").flatMap(TrafficPolicyParser::connectionPool);
    Optional<OutlierDetectionSettings> outlier =
        policy.mapping("outlierDetection").flatMap(TrafficPolicyParser::outlierDetection);
    List<DestinationRule.PortTrafficPolicy> portLevel =
        policy.list("portLevelSettings", (node, path) -> portTrafficPolicy(policy, node, path));
    Optional<ClientTlsSettings> tls = tls(policy);
    for (String field : List.of("tunnel", "proxyProtocol")) {
      policy.notYetSupported(field);
    }
    policy.finish();
    return new Policy(
        lb,
        pool,
        outlier,
        portLevel,
        tls,
        hash.stream().findFirst(),
        locality.stream().findFirst(),
        warmup.stream().findFirst());
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
    List<ConsistentHash> hash = new ArrayList<>();
    List<LocalityLbSetting> locality = new ArrayList<>();
    List<SlowStart> warmup = new ArrayList<>();
    Optional<LbPolicy> lb = loadBalancer(entry, hash, locality, warmup);
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
    Optional<ClientTlsSettings> tls = tls(entry);
    entry.finish();
    if (number.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new DestinationRule.PortTrafficPolicy(
            number.getAsInt(),
            lb,
            pool,
            outlier,
            hash.stream().findFirst(),
            tls,
            locality.stream().findFirst(),
            warmup.stream().findFirst()));
  }

  /**
   * {@code loadBalancer} (of the rule, a subset or a port-level entry); its {@code consistentHash}
   * is read into {@code hash}, its {@code localityLbSetting} into {@code locality}, its {@code
   * warmup} (or deprecated {@code warmupDurationSecs}) into {@code warmup}.
   */
  private static Optional<LbPolicy> loadBalancer(
      YamlMapping policy,
      List<ConsistentHash> hash,
      List<LocalityLbSetting> locality,
      List<SlowStart> warmup) {
    return policy
        .mapping("loadBalancer")
        .flatMap(
            l -> {
              Optional<String> simple = l.string("simple");
              l.mapping("consistentHash")
                  .flatMap(DestinationRuleParser::consistentHash)
                  .ifPresent(hash::add);
              if (simple.isPresent() && !hash.isEmpty()) {
                l.problem(
                    l.value("consistentHash").orElseThrow(),
                    l.child("consistentHash"),
                    "simple and consistentHash are alternatives (a oneof): set only one");
              }
              l.mapping("localityLbSetting")
                  .map(DestinationRuleParser::localityLbSetting)
                  .ifPresent(locality::add);
              warmup(l).ifPresent(warmup::add);
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

  private static final String MINIMUM_PERCENT_EXPECTED = "a number from 0 to 100, such as 10";
  private static final String AGGRESSION_EXPECTED = "a number greater than 0, such as 1.0";

  /**
   * {@code loadBalancer.warmup} ({@code duration} required, {@code minimumPercent} at most 100,
   * {@code aggression} greater than 0, as Istio's webhook checks them in {@code
   * validateLoadBalancer}) or the deprecated {@code warmupDurationSecs}, as istiod's {@code
   * setWarmup} and {@code setSlowStartConfig} (cluster_traffic_policy.go) turn them into Envoy's
   * slow start: {@code warmup} with its omitted aggression as 1.0 and minimum percent as 10, {@code
   * warmupDurationSecs} as the window alone. istiod reads {@code warmup} when both are set; setting
   * both is refused here so that the deprecated one is not silently dropped.
   */
  private static Optional<SlowStart> warmup(YamlMapping l) {
    Optional<Duration> deprecated = TrafficPolicyParser.duration(l, "warmupDurationSecs");
    Optional<YamlMapping> block = l.mapping("warmup");
    if (block.isEmpty()) {
      return deprecated.map(SlowStart::window);
    }
    YamlMapping w = block.get();
    if (l.value("warmupDurationSecs").isPresent()) {
      l.problem(
          l.value("warmupDurationSecs").orElseThrow(),
          l.child("warmupDurationSecs"),
          "set beside warmup, which istiod reads instead (expected: only warmup; warmupDurationSecs"
              + " is deprecated)");
    }
    Optional<Duration> duration = TrafficPolicyParser.duration(w, "duration");
    if (w.value("duration").isEmpty()) {
      w.problem(
          w.node(),
          w.child("duration"),
          "duration is required (expected: the warmup window, such as 60s)");
    }
    java.util.OptionalDouble minimum = number(w, "minimumPercent", MINIMUM_PERCENT_EXPECTED);
    if (minimum.isPresent() && (minimum.getAsDouble() > 100 || minimum.getAsDouble() < 0)) {
      w.problem(
          w.value("minimumPercent").orElseThrow(),
          w.child("minimumPercent"),
          minimum.getAsDouble() + " is out of range (expected: " + MINIMUM_PERCENT_EXPECTED + ")");
      minimum = java.util.OptionalDouble.empty();
    }
    java.util.OptionalDouble aggression = number(w, "aggression", AGGRESSION_EXPECTED);
    if (aggression.isPresent() && !(aggression.getAsDouble() > 0)) {
      w.problem(
          w.value("aggression").orElseThrow(),
          w.child("aggression"),
          aggression.getAsDouble() + " is out of range (expected: " + AGGRESSION_EXPECTED + ")");
      aggression = java.util.OptionalDouble.empty();
    }
    w.finish();
    double minimumPercent = minimum.orElse(SlowStart.DEFAULT_MIN_WEIGHT_PERCENT);
    double aggressionValue = aggression.orElse(SlowStart.DEFAULT_AGGRESSION);
    return duration.map(
        d ->
            new SlowStart(
                d,
                java.util.OptionalDouble.of(aggressionValue),
                java.util.OptionalDouble.of(minimumPercent)));
  }

  /** A plain YAML number ({@code google.protobuf.DoubleValue} in Istio's JSON form). */
  private static java.util.OptionalDouble number(YamlMapping m, String field, String expected) {
    Optional<Node> value = m.value(field);
    if (value.isEmpty()) {
      return java.util.OptionalDouble.empty();
    }
    Optional<String> text = m.scalar(value.get(), m.child(field), expected);
    if (text.isEmpty()) {
      return java.util.OptionalDouble.empty();
    }
    org.yaml.snakeyaml.nodes.Tag tag = value.get().getTag();
    double parsed;
    try {
      parsed = Double.parseDouble(text.get().strip());
    } catch (NumberFormatException e) {
      parsed = Double.NaN;
    }
    if (!(org.yaml.snakeyaml.nodes.Tag.INT.equals(tag)
            || org.yaml.snakeyaml.nodes.Tag.FLOAT.equals(tag))
        || Double.isNaN(parsed)) {
      m.problem(
          value.get(),
          m.child(field),
          "\"" + text.get() + "\" is not a number (expected: " + expected + ", without quotes)");
      return java.util.OptionalDouble.empty();
    }
    return java.util.OptionalDouble.of(parsed);
  }

  /**
   * {@code loadBalancer.localityLbSetting}: {@code enabled}, {@code distribute} ({@code from},
   * {@code to} weights) and {@code failover} ({@code from}, {@code to} regions), which Istio's
   * webhook allows only one of ({@code validateLocalityLbSetting}), and {@code failoverPriority}
   * (label names, each optionally {@code label=value}), which the webhook refuses beside {@code
   * failover} when it names the region, zone or subzone label.
   */
  /** The labels {@code validateLocalityLbSetting} refuses in failoverPriority beside failover. */
  private static final List<String> TOPOLOGY_LABELS =
      List.of(
          dev.meshproof.runtime.policy.lb.TopologyLabels.REGION,
          dev.meshproof.runtime.policy.lb.TopologyLabels.ZONE,
          dev.meshproof.runtime.policy.lb.TopologyLabels.SUBZONE);

  private static LocalityLbSetting localityLbSetting(YamlMapping s) {
    Optional<Boolean> enabled =
        s.has("enabled") ? Optional.of(s.bool("enabled", true)) : Optional.empty();
    List<LocalityLbSetting.Distribute> distribute =
        s.list(
            "distribute",
            (node, path) -> {
              YamlMapping d = YamlMapping.of(s.source(), path, node, s.problems());
              String from = d.requiredString("from", "a proxy locality pattern such as us-east/*");
              Map<String, Integer> to = new java.util.LinkedHashMap<>();
              d.stringMap("to")
                  .forEach(
                      (locality, weight) -> {
                        try {
                          to.put(locality, Integer.parseInt(weight));
                        } catch (NumberFormatException e) {
                          d.problem(
                              d.node(),
                              d.child("to") + "." + locality,
                              "\"" + weight + "\" is not a weight (expected: an integer 0-100)");
                        }
                      });
              int sum = to.values().stream().mapToInt(Integer::intValue).sum();
              if (sum != 100) {
                d.problem(
                    d.node(),
                    d.child("to"),
                    "the weights sum to " + sum + " (expected: 100, as Istio's webhook requires)");
              }
              d.finish();
              return Optional.of(new LocalityLbSetting.Distribute(from, to));
            });
    List<LocalityLbSetting.Failover> failover =
        s.list(
            "failover",
            (node, path) -> {
              YamlMapping f = YamlMapping.of(s.source(), path, node, s.problems());
              String from = f.requiredString("from", "a region such as us-east");
              String to = f.requiredString("to", "a region such as us-west");
              f.finish();
              return Optional.of(new LocalityLbSetting.Failover(from, to));
            });
    if (!distribute.isEmpty() && !failover.isEmpty()) {
      s.problem(
          s.value("failover").orElseThrow(),
          s.child("failover"),
          "distribute and failover are alternatives (Istio's webhook): set only one");
    }
    List<String> failoverPriority = s.stringList("failoverPriority");
    if (!failover.isEmpty()) {
      for (String label : failoverPriority) {
        if (TOPOLOGY_LABELS.contains(label)) {
          s.problem(
              s.value("failoverPriority").orElseThrow(),
              s.child("failoverPriority"),
              "can not simultaneously set 'failover' and topology label '"
                  + label
                  + "' in 'failoverPriority' (Istio's webhook; expected: failover alone, or"
                  + " failoverPriority without "
                  + String.join(", ", TOPOLOGY_LABELS)
                  + ")");
          break;
        }
      }
    }
    s.finish();
    return new LocalityLbSetting(enabled, distribute, failover, failoverPriority);
  }

  /**
   * {@code loadBalancer.consistentHash}: exactly one hash key, as Istio's webhook requires
   * (pkg/config/validation: validateLoadBalancer), and at most one of ringHash, maglev.
   */
  private static Optional<ConsistentHash> consistentHash(YamlMapping c) {
    List<HashPolicy> keys = new ArrayList<>();
    c.string("httpHeaderName").map(HashPolicy.Header::new).ifPresent(keys::add);
    c.string("httpQueryParameterName").map(HashPolicy.QueryParameter::new).ifPresent(keys::add);
    if (c.has("useSourceIp") && c.bool("useSourceIp", false)) {
      keys.add(new HashPolicy.SourceIp());
    }
    c.mapping("httpCookie")
        .ifPresent(
            cookie -> {
              String name = cookie.requiredString("name", "a cookie name such as session");
              String path = cookie.string("path").orElse("");
              Optional<Duration> ttl = cookie.duration("ttl", false);
              cookie.notYetSupported("attributes");
              cookie.finish();
              keys.add(new HashPolicy.Cookie(name, ttl, path));
            });
    Optional<YamlMapping> ring = c.mapping("ringHash");
    Optional<YamlMapping> maglev = c.mapping("maglev");
    OptionalInt deprecatedRing = c.integer("minimumRingSize", 0, Integer.MAX_VALUE);
    ConsistentHashLb table;
    if (ring.isPresent() && maglev.isPresent()) {
      c.problem(
          c.value("maglev").orElseThrow(),
          c.child("maglev"),
          "ringHash and maglev are alternatives (a oneof): set only one");
    }
    if (maglev.isPresent()) {
      YamlMapping m = maglev.get();
      OptionalInt size = m.integer("tableSize", 0, Integer.MAX_VALUE);
      m.finish();
      table =
          new ConsistentHashLb.Maglev(
              size.isPresent() && size.getAsInt() != 0
                  ? OptionalLong.of(size.getAsInt())
                  : OptionalLong.empty());
    } else if (ring.isPresent()) {
      YamlMapping r = ring.get();
      OptionalInt size = r.integer("minimumRingSize", 0, Integer.MAX_VALUE);
      r.finish();
      table =
          new ConsistentHashLb.RingHash(
              size.isPresent() && size.getAsInt() != 0
                  ? OptionalLong.of(size.getAsInt())
                  : OptionalLong.empty());
    } else {
      // istiod: the deprecated minimumRingSize, or Envoy's default 1024, always written out.
      table =
          new ConsistentHashLb.RingHash(
              OptionalLong.of(
                  deprecatedRing.isPresent() && deprecatedRing.getAsInt() != 0
                      ? deprecatedRing.getAsInt()
                      : HashRing.DEFAULT_MINIMUM_RING_SIZE));
    }
    c.finish();
    if (keys.size() != 1) {
      c.problem(
          c.node(),
          c.path(),
          "exactly one hash key is required (found "
              + keys.size()
              + "; allowed: httpHeaderName, httpCookie, useSourceIp: true,"
              + " httpQueryParameterName)");
      return Optional.empty();
    }
    return Optional.of(new ConsistentHash(keys.get(0), table));
  }
}
