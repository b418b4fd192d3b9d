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
    String provider =
        spec.mapping("provider")
            .map(
                p -> {
                  String name =
                      p.requiredString("name", "an extension provider of the mesh config");
                  p.finish();
                  return name;
                })
            .orElse("");
    boolean hasProvider = spec.value("provider").isPresent();
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
    return new AuthorizationPolicy(meta, selector, action, rules).withProvider(provider);
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
    // Gateway API / waypoint attachment: not simulated, so refused rather than ignored.
    spec.notYetSupported("targetRef");
    spec.notYetSupported("targetRefs");
    List<RequestAuthentication.JwtRule> rules = spec.mappings("jwtRules", SecurityParsers::jwtRule);
    spec.finish();
    return new RequestAuthentication(meta, selector, rules);
  }

  /**
   * One {@code jwtRules} entry with the webhook's checks ({@code validation.go validateJwtRule}):
   * an issuer or a jwksUri, non-empty audiences, header, parameter and cookie names, an http(s)
   * jwksUri, a parseable inline JWKS, claim-to-header pairs with a valid header name.
   */
  private static RequestAuthentication.JwtRule jwtRule(YamlMapping j) {
    String issuer = j.string("issuer").orElse("");
    String jwksUri = j.string("jwksUri").orElse("");
    if (issuer.isEmpty() && jwksUri.isEmpty()) {
      j.problem(
          j.node(),
          j.child("issuer"),
          "issuer or jwksUri must be non-empty (expected: the JWT's iss, e.g."
              + " testing@secure.istio.io)");
    }
    List<String> audiences = nonEmpty(j, "audiences", "audience");
    if (!jwksUri.isEmpty()) {
      String problem = jwksUriProblem(jwksUri);
      if (problem != null) {
        j.problem(j.value("jwksUri").orElseThrow(), j.child("jwksUri"), problem);
      }
    }
    String jwks = j.string("jwks").orElse("");
    if (!jwks.isEmpty()) {
      try {
        com.nimbusds.jose.jwk.JWKSet.parse(jwks);
      } catch (java.text.ParseException e) {
        j.problem(
            j.value("jwks").orElseThrow(),
            j.child("jwks"),
            "jwks parse error: "
                + e.getMessage()
                + " (expected: a JSON Web Key Set {\"keys\": [...]})");
      }
    }
    List<RequestAuthentication.HeaderLocation> fromHeaders =
        j.mappings(
            "fromHeaders",
            h -> {
              String name = h.requiredString("name", "a header name, e.g. x-jwt-assertion");
              String prefix = h.string("prefix").orElse("");
              h.finish();
              return new RequestAuthentication.HeaderLocation(name, prefix);
            });
    List<String> fromParams = nonEmpty(j, "fromParams", "location query");
    List<String> fromCookies = nonEmpty(j, "fromCookies", "cookie name");
    boolean forward = j.bool("forwardOriginalToken", false);
    String payloadHeader = j.string("outputPayloadToHeader").orElse("");
    List<RequestAuthentication.ClaimToHeader> claimHeaders =
        j.mappings(
            "outputClaimToHeaders",
            c -> {
              String header = c.requiredString("header", "a header name, e.g. x-jwt-sub");
              String claim = c.requiredString("claim", "a top-level claim, e.g. sub");
              if (!header.isEmpty() && !STRICT_HEADER_NAME.matcher(header).matches()) {
                c.problem(
                    c.value("header").orElseThrow(),
                    c.child("header"),
                    "\""
                        + header
                        + "\" is not a valid HTTP header name (expected: letters, digits and"
                        + " -._~!#$&'*+^`|)");
              }
              c.finish();
              return new RequestAuthentication.ClaimToHeader(header, claim);
            });
    Optional<java.time.Duration> timeout = j.duration("timeout", true);
    // Istio 1.22+: extra claims whose space-separated values match as lists; not simulated.
    j.notYetSupported("spaceDelimitedClaims");
    j.finish();
    return new RequestAuthentication.JwtRule(
        issuer,
        audiences,
        jwks,
        jwksUri,
        fromHeaders,
        fromParams,
        fromCookies,
        forward,
        payloadHeader,
        claimHeaders,
        timeout);
  }

  private static final java.util.regex.Pattern STRICT_HEADER_NAME =
      java.util.regex.Pattern.compile("[-!#$%&'*+.^_`|~0-9a-zA-Z]+");

  /** A string list whose items must not be empty (the webhook's "... must be non-empty"). */
  private static List<String> nonEmpty(YamlMapping j, String field, String what) {
    List<String> values = j.stringList(field);
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).isEmpty()) {
        j.problem(
            j.value(field).orElseThrow(),
            j.child(field) + "[" + i + "]",
            what + " must be a non-empty string");
      }
    }
    return values;
  }

  /**
   * Istio's {@code security.ParseJwksURI}: an absolute http or https URI with a host; {@code null}
   * when fine.
   */
  static String jwksUriProblem(String uri) {
    try {
      java.net.URI parsed = new java.net.URI(uri);
      String scheme = parsed.getScheme() == null ? "" : parsed.getScheme();
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return "\""
            + uri
            + "\": scheme must be http or https (expected: e.g. http://localhost:8080/jwks.json)";
      }
      if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
        return "\"" + uri + "\" has no host (expected: e.g. http://localhost:8080/jwks.json)";
      }
      return null;
    } catch (java.net.URISyntaxException e) {
      return "\"" + uri + "\" is not a URI: " + e.getMessage();
    }
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
