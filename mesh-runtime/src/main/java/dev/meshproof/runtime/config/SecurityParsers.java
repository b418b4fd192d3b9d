package dev.meshproof.runtime.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code spec}s of AuthorizationPolicy and RequestAuthentication, validated as Istio's webhook
 * does (known enum values, known rule fields, an issuer on every JWT rule, no rules with action
 * CUSTOM without a provider). PeerAuthentication has its own parser ({@link
 * PeerAuthenticationParser}).
 */
final class SecurityParsers {
  private static final List<String> SOURCE_FIELDS =
      List.of(
          "principals",
          "notPrincipals",
          "requestPrincipals",
          "notRequestPrincipals",
          "namespaces",
          "notNamespaces",
          "ipBlocks",
          "notIpBlocks",
          "remoteIpBlocks",
          "notRemoteIpBlocks",
          "serviceAccounts",
          "notServiceAccounts");
  private static final List<String> OPERATION_FIELDS =
      List.of(
          "hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths");
  private static final List<String> ACTIONS = List.of("ALLOW", "DENY", "AUDIT", "CUSTOM");

  private SecurityParsers() {}

  static AuthorizationPolicy authorizationPolicy(ResourceMeta meta, YamlMapping spec) {
    Map<String, String> selector = selector(spec);
    spec.value("targetRef");
    spec.value("targetRefs");
    String action = spec.oneOf("action", ACTIONS).orElse("ALLOW");
    boolean hasProvider =
        spec.mapping("provider")
            .map(
                p -> {
                  p.requiredString("name", "an extension provider of the mesh config");
                  p.finish();
                  return true;
                })
            .orElse(false);
    if (action.equals("CUSTOM") && !hasProvider) {
      spec.problem(
          spec.value("action").orElseThrow(),
          spec.child("action"),
          "CUSTOM requires provider.name (expected: a provider, or another action)");
    }
    if (hasProvider && !action.equals("CUSTOM")) {
      spec.problem(
          spec.value("provider").orElseThrow(),
          spec.child("provider"),
          "provider is set with action " + action + " (expected: action CUSTOM)");
    }
    List<AuthorizationPolicy.Rule> rules =
        spec.mappings(
            "rules",
            r -> {
              List<Map<String, List<String>>> from =
                  r.mappings("from", f -> block(f, "source", SOURCE_FIELDS));
              List<Map<String, List<String>>> to =
                  r.mappings("to", t -> block(t, "operation", OPERATION_FIELDS));
              List<AuthorizationPolicy.Condition> when =
                  r.mappings(
                      "when",
                      w -> {
                        String key = w.requiredString("key", "e.g. request.headers[version]");
                        List<String> values = w.stringList("values");
                        List<String> notValues = w.stringList("notValues");
                        if (values.isEmpty() && notValues.isEmpty()) {
                          w.problem(
                              w.node(),
                              w.path(),
                              "neither values nor notValues is set (expected: at least one)");
                        }
                        w.finish();
                        return new AuthorizationPolicy.Condition(key, values, notValues);
                      });
              r.finish();
              return new AuthorizationPolicy.Rule(from, to, when);
            });
    spec.finish();
    return new AuthorizationPolicy(meta, selector, action, rules);
  }

  /** A {@code from[]} or {@code to[]} item: one {@code source} or {@code operation} mapping. */
  private static Map<String, List<String>> block(
      YamlMapping item, String field, List<String> allowed) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    Optional<YamlMapping> block = item.mapping(field);
    if (block.isEmpty()) {
      item.problem(item.node(), item.child(field), "required field is missing");
    }
    block.ifPresent(
        b -> {
          for (String name : allowed) {
            List<String> list = b.stringList(name);
            if (!list.isEmpty()) {
              values.put(name, list);
            }
          }
          b.finish();
        });
    item.finish();
    return values;
  }

  static RequestAuthentication requestAuthentication(ResourceMeta meta, YamlMapping spec) {
    Map<String, String> selector = selector(spec);
    spec.value("targetRef");
    spec.value("targetRefs");
    List<RequestAuthentication.JwtRule> rules =
        spec.mappings(
            "jwtRules",
            j -> {
              String issuer =
                  j.requiredString("issuer", "the JWT's iss, e.g. testing@secure.istio.io");
              List<String> audiences = j.stringList("audiences");
              String jwksUri = j.string("jwksUri").orElse("");
              for (String field :
                  List.of(
                      "jwks",
                      "fromHeaders",
                      "fromParams",
                      "fromCookies",
                      "outputPayloadToHeader",
                      "forwardOriginalToken",
                      "outputClaimToHeaders",
                      "timeout")) {
                j.value(field);
              }
              j.finish();
              return new RequestAuthentication.JwtRule(issuer, audiences, jwksUri);
            });
    spec.finish();
    return new RequestAuthentication(meta, selector, rules);
  }

  /** {@code selector.matchLabels} (Istio's {@code WorkloadSelector}). */
  private static Map<String, String> selector(YamlMapping spec) {
    return spec.mapping("selector")
        .map(
            s -> {
              Map<String, String> labels = s.stringMap("matchLabels");
              s.finish();
              return labels;
            })
        .orElse(Map.of());
  }
}
