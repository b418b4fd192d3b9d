package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.config.AuthorizationPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an AuthorizationPolicy rule means on a TCP filter chain, as istiod's {@code
 * authz/model/model.go Generate(forTCP=true)} decides it: the HTTP-only fields (source {@code
 * requestPrincipals}; operation {@code hosts}, {@code methods}, {@code paths}; {@code when} keys
 * {@code request.headers[...]} and {@code request.auth.*}, whose generators return an error for TCP
 * in {@code model/generator.go}) cannot be evaluated on a connection. {@code rule.checkError} then
 * makes an ALLOW rule that names one skipped whole (a smaller allow: an ALLOW policy left with no
 * rule on TCP denies every connection), and a DENY or AUDIT rule keep its other fields with the
 * HTTP-only ones dropped (a wider deny). Principals, namespaces, ipBlocks, ports and the {@code
 * source.*} / {@code destination.port} conditions are the same on TCP.
 */
final class TcpAuthorization {
  /** Source fields istiod cannot express on TCP. */
  static final Set<String> HTTP_ONLY_SOURCE = Set.of("requestPrincipals", "notRequestPrincipals");

  /** Operation fields istiod cannot express on TCP. */
  static final Set<String> HTTP_ONLY_OPERATION =
      Set.of("hosts", "notHosts", "methods", "notMethods", "paths", "notPaths");

  private TcpAuthorization() {}

  /** True for a {@code when} key istiod cannot express on TCP. */
  static boolean httpOnlyCondition(String key) {
    return key.startsWith("request.headers[") || key.startsWith("request.auth.");
  }

  /**
   * The rule as a TCP chain evaluates it: empty when istiod skips it (an ALLOW rule with an
   * HTTP-only field), else the rule without its HTTP-only fields ({@code dropFields}: DENY and
   * AUDIT).
   */
  static Optional<AuthorizationPolicy.Rule> forTcp(
      AuthorizationPolicy.Rule rule, boolean dropFields) {
    boolean httpOnly =
        rule.from().stream().anyMatch(f -> named(f, HTTP_ONLY_SOURCE))
            || rule.to().stream().anyMatch(t -> named(t, HTTP_ONLY_OPERATION))
            || rule.when().stream()
                .anyMatch(
                    c ->
                        httpOnlyCondition(c.key())
                            && !(c.values().isEmpty() && c.notValues().isEmpty()));
    if (!httpOnly) {
      return Optional.of(rule);
    }
    if (!dropFields) {
      return Optional.empty();
    }
    List<Map<String, List<String>>> from = new ArrayList<>();
    rule.from().forEach(f -> from.add(without(f, HTTP_ONLY_SOURCE)));
    List<Map<String, List<String>>> to = new ArrayList<>();
    rule.to().forEach(t -> to.add(without(t, HTTP_ONLY_OPERATION)));
    List<AuthorizationPolicy.Condition> when =
        rule.when().stream().filter(c -> !httpOnlyCondition(c.key())).toList();
    return Optional.of(new AuthorizationPolicy.Rule(from, to, when));
  }

  private static boolean named(Map<String, List<String>> fields, Set<String> httpOnly) {
    return fields.entrySet().stream()
        .anyMatch(e -> httpOnly.contains(e.getKey()) && !e.getValue().isEmpty());
  }

  private static Map<String, List<String>> without(
      Map<String, List<String>> fields, Set<String> httpOnly) {
    Map<String, List<String>> kept = new LinkedHashMap<>(fields);
    kept.keySet().removeAll(httpOnly);
    return kept;
  }
}
