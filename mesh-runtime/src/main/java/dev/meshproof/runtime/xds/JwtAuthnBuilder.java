package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import dev.meshproof.runtime.config.RequestAuthentication;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtClaimToHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtHeader;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementAndList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The RequestAuthentications of a sidecar's workload as istiod translates them ({@code
 * pilot/pkg/security/authn/policy_applier.go} {@code newPolicyApplier} / {@code
 * convertToEnvoyJwtConfig}, attached by {@code model/authentication.go getConfigsForWorkload}): the
 * policies of the workload's namespace then of the root namespace whose selector matches its
 * labels, their {@code jwtRules} concatenated and sorted by issuer, one jwt_authn provider {@code
 * origins-<i>} per rule (payload in metadata under {@code payload}, {@code scope} and {@code
 * permission} normalised as space-delimited lists), and one requirement on prefix {@code /}: {@code
 * requires_any [origins-0, allow_missing]} for one provider; for several, {@code requires_any
 * [origins-0, ..., requires_all [requires_any [origins-i, allow_missing] ...]]}. So a request
 * without a token passes (an AuthorizationPolicy decides), a bad token is refused. The filter goes
 * before the RBAC filters ({@code listener_builder.go}: authn, then authz).
 *
 * <p>JWKS: an inline {@code jwks} as is; a {@code jwksUri} (or, with neither, the issuer's OpenID
 * discovery) is fetched by the control plane and inlined, istiod's default {@code
 * PILOT_JWT_ENABLE_REMOTE_JWKS=false} ({@code model/jwks_resolver.go BuildLocalJwks}); a fetch that
 * failed inlines istiod's {@link #PUBLIC_ONLY_JWKS}, whose private key nobody has, so every token
 * is refused.
 */
public final class JwtAuthnBuilder {
  /** The HTTP filter's name. */
  public static final String FILTER_NAME = "envoy.filters.http.jwt_authn";

  /** {@code filters.EnvoyJwtFilterPayload}: the metadata key of the verified payload. */
  public static final String PAYLOAD_IN_METADATA = "payload";

  /** {@code model.PublicOnlyJwks}: a public RSA key whose private key was discarded. */
  public static final String PUBLIC_ONLY_JWKS =
      "{\n  \"keys\": [\n    {\n      \"kty\": \"RSA\",\n      \"e\": \"AQAB\",\n      \"n\":"
          + " \"0xObjM0UvS_oaazjpEYlAbwctEJ4L8pH3OuTb7qth7gUwqet-EzQB4dgFdvSdMgrLnSncQGRjpEYz3F3viIbH-3EN3TxSlPNviHxeOdyiBVfumN8dMxbLvVJUpfNOnvmMxJcl-8NNjAwcOjk4otSALaYgYYyOPyvKtgVdrQr-FoubWX4yrjxW-MJ2-7OBeepUUNOsVwGV23YX03sVkkyvY3otRflkBcY3_HKpBxJl9wk2GyOShN4_PNUF9-vwfnvOXMbCDX-w4PTef4geeb_GiT40YCKHTKMSPVanGRn5GExIWmki-mmqh94-mPTJyBR74ShspL3BxPZitDL574T1w\"\n"
          + "    }\n  ]\n}";

  private JwtAuthnBuilder() {}

  /**
   * The jwt_authn filter for {@code proxy}, empty when no RequestAuthentication selects it.
   *
   * @param policies every RequestAuthentication, oldest first
   * @param fetched the JWKS the control plane fetched, by {@link #jwksKey}
   */
  public static Optional<HttpFilter> inboundFilter(
      List<RequestAuthentication> policies, ProxyNode proxy, Map<String, String> fetched) {
    List<RequestAuthentication.JwtRule> rules = new ArrayList<>();
    for (String namespace : List.of(proxy.namespace(), SidecarScope.ROOT_NAMESPACE)) {
      for (RequestAuthentication policy : policies) {
        if (policy.meta().namespace().equals(namespace)
            && policy.selector().entrySet().stream()
                .allMatch(e -> e.getValue().equals(proxy.labels().get(e.getKey())))) {
          rules.addAll(policy.jwtRules());
        }
      }
      if (proxy.namespace().equals(SidecarScope.ROOT_NAMESPACE)) {
        break;
      }
    }
    if (rules.isEmpty()) {
      return Optional.empty();
    }
    rules.sort(Comparator.comparing(RequestAuthentication.JwtRule::issuer));
    Map<String, JwtProvider> providers = new LinkedHashMap<>();
    List<JwtRequirement> inner = new ArrayList<>();
    List<JwtRequirement> outer = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      String name = "origins-" + i;
      providers.put(name, provider(rules.get(i), fetched));
      JwtRequirement byName = JwtRequirement.newBuilder().setProviderName(name).build();
      inner.add(
          JwtRequirement.newBuilder()
              .setRequiresAny(
                  JwtRequirementOrList.newBuilder()
                      .addRequirements(byName)
                      .addRequirements(
                          JwtRequirement.newBuilder().setAllowMissing(Empty.getDefaultInstance())))
              .build());
      outer.add(byName);
    }
    JwtRequirement requires;
    if (inner.size() == 1) {
      requires = inner.get(0);
    } else {
      outer.add(
          JwtRequirement.newBuilder()
              .setRequiresAll(JwtRequirementAndList.newBuilder().addAllRequirements(inner))
              .build());
      requires =
          JwtRequirement.newBuilder()
              .setRequiresAny(JwtRequirementOrList.newBuilder().addAllRequirements(outer))
              .build();
    }
    JwtAuthentication config =
        JwtAuthentication.newBuilder()
            .addRules(
                RequirementRule.newBuilder()
                    .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                    .setRequires(requires))
            .putAllProviders(providers)
            .setBypassCorsPreflight(true)
            .build();
    return Optional.of(
        HttpFilter.newBuilder().setName(FILTER_NAME).setTypedConfig(Any.pack(config)).build());
  }

  private static JwtProvider provider(
      RequestAuthentication.JwtRule rule, Map<String, String> fetched) {
    JwtProvider.Builder provider =
        JwtProvider.newBuilder()
            .setIssuer(rule.issuer())
            .addAllAudiences(rule.audiences())
            .setForward(rule.forwardOriginalToken())
            .setForwardPayloadHeader(rule.outputPayloadToHeader())
            .setPayloadInMetadata(PAYLOAD_IN_METADATA)
            .setNormalizePayloadInMetadata(
                JwtProvider.NormalizePayload.newBuilder()
                    .addSpaceDelimitedClaims("permission")
                    .addSpaceDelimitedClaims("scope"));
    for (RequestAuthentication.ClaimToHeader c : rule.outputClaimToHeaders()) {
      provider.addClaimToHeaders(
          JwtClaimToHeader.newBuilder().setHeaderName(c.header()).setClaimName(c.claim()));
    }
    for (RequestAuthentication.HeaderLocation h : rule.fromHeaders()) {
      provider.addFromHeaders(JwtHeader.newBuilder().setName(h.name()).setValuePrefix(h.prefix()));
    }
    provider.addAllFromParams(rule.fromParams()).addAllFromCookies(rule.fromCookies());
    String jwks =
        rule.jwks().isEmpty()
            ? fetched.getOrDefault(jwksKeyOrEmpty(rule), PUBLIC_ONLY_JWKS)
            : rule.jwks();
    provider.setLocalJwks(DataSource.newBuilder().setInlineString(jwks));
    return provider.build();
  }

  /**
   * What the control plane fetches for {@code rule}: its {@code jwksUri}, or, with none, the issuer
   * (resolved by OpenID discovery); empty when the rule has an inline JWKS.
   */
  public static Optional<String> jwksKey(RequestAuthentication.JwtRule rule) {
    if (!rule.jwks().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(rule.jwksUri().isEmpty() ? rule.issuer() : rule.jwksUri());
  }

  private static String jwksKeyOrEmpty(RequestAuthentication.JwtRule rule) {
    return jwksKey(rule).orElse("");
  }

  /**
   * The rules of {@code policy} whose JWKS would be fetched from off loopback: a {@code jwksUri}
   * (or, with neither {@code jwks} nor {@code jwksUri}, an issuer URL for OpenID discovery) whose
   * host does not resolve only to 127.0.0.0/8. Meshproof sends traffic only to loopback, so such a
   * rule is an error at apply rather than a fetch that fails into refused tokens.
   */
  public static List<dev.meshproof.runtime.config.ConfigProblem> offLoopback(
      RequestAuthentication policy) {
    List<dev.meshproof.runtime.config.ConfigProblem> problems = new ArrayList<>();
    for (int i = 0; i < policy.jwtRules().size(); i++) {
      RequestAuthentication.JwtRule rule = policy.jwtRules().get(i);
      Optional<String> key = jwksKey(rule);
      if (key.isEmpty()) {
        continue;
      }
      String field =
          "spec.jwtRules[" + i + "]." + (rule.jwksUri().isEmpty() ? "issuer" : "jwksUri");
      String host;
      try {
        host = java.net.URI.create(key.get()).getHost();
      } catch (IllegalArgumentException e) {
        host = null;
      }
      String problem = null;
      if (host == null) {
        problem =
            "\""
                + key.get()
                + "\" has no JWKS to fetch (expected: jwks inline, a jwksUri, or an issuer URL"
                + " serving OpenID discovery)";
      } else {
        try {
          for (java.net.InetAddress address : java.net.InetAddress.getAllByName(host)) {
            if (!address.isLoopbackAddress()) {
              problem = "\"" + host + "\" resolves to " + address.getHostAddress();
            }
          }
        } catch (java.net.UnknownHostException e) {
          problem = "\"" + host + "\" does not resolve";
        }
        if (problem != null) {
          problem +=
              " (expected: a host resolving only to 127.0.0.0/8, such as localhost, or the JWKS"
                  + " inline in jwks; Meshproof sends traffic only to loopback)";
        }
      }
      if (problem != null) {
        problems.add(
            new dev.meshproof.runtime.config.ConfigProblem(
                policy.meta().source(),
                policy.meta().line(),
                1,
                field,
                "RequestAuthentication "
                    + policy.meta().namespace()
                    + "/"
                    + policy.meta().name()
                    + ": "
                    + problem));
      }
    }
    return problems;
  }
}
