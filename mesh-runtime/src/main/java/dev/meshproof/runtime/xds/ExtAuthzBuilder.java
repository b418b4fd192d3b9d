package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import dev.meshproof.runtime.config.AuthorizationPolicy;
import dev.meshproof.runtime.config.ExtensionProvider;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationRequest;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationResponse;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Istio's CUSTOM AuthorizationPolicies as istiod translates them for a sidecar's inbound listener
 * ({@code pilot/pkg/security/authz/builder/builder.go} with {@code IsCustomBuilder}, {@code
 * extauthz.go}): per extension provider of the mesh config, an RBAC filter that marks the requests
 * the policies' rules match ({@link AuthorizationModel}) and an {@code ext_authz} filter that asks
 * the provider about those requests only. ALLOW, DENY and AUDIT are {@link RbacFilterBuilder}'s.
 */
public final class ExtAuthzBuilder {
  static final String EXT_AUTHZ_FILTER = "envoy.filters.http.ext_authz";

  /** istiod's {@code authzmodel.RBACExtAuthzShadowRulesStatPrefix}. */
  static final String EXT_AUTHZ_SHADOW_PREFIX = "istio_ext_authz_";

  /** istiod's {@code extAuthzMatchPrefix}: CUSTOM rules' names start with it. */
  static final String EXT_AUTHZ_MATCH_PREFIX = "istio-ext-authz";

  private ExtAuthzBuilder() {}

  /**
   * The CUSTOM policies' filters for {@code proxy}'s inbound listener, which go before jwt_authn
   * ({@code listener_builder.go}: CUSTOM, authn, then authz), as istiod's {@code builder.go
   * buildHTTP} with {@code IsCustomBuilder} builds them: per provider an RBAC filter whose {@code
   * shadow_rules} (action DENY, {@code shadow_rules_stat_prefix: istio_ext_authz_}) are the
   * enforced policies' rules, named {@code
   * istio-ext-authz-<provider>-ns[<ns>]-policy[<name>]-rule[<i>]} (dry-run policies as its {@code
   * rules}, which as istiod still call the provider), then the {@code ext_authz} filter enabled
   * only when that RBAC filter's dynamic metadata {@code
   * istio_ext_authz_shadow_effective_policy_id} starts with {@code istio-ext-authz-<provider>}: the
   * provider is asked about matching requests only. A provider the mesh config does not define gets
   * istiod's {@code getBadCustomDenyRules}: an enforced DENY of the same rules, so nothing is let
   * in by accident.
   */
  public static List<HttpFilter> customFilters(
      List<AuthorizationPolicy> policies,
      List<ExtensionProvider> providers,
      ProxyNode proxy,
      ProxyNode.Inbound inbound) {
    Map<String, List<AuthorizationPolicy>> byProvider = new TreeMap<>();
    for (AuthorizationPolicy policy : policies) {
      if (policy.action().equals("CUSTOM") && AuthorizationModel.selects(policy, proxy)) {
        byProvider.computeIfAbsent(policy.provider(), k -> new ArrayList<>()).add(policy);
      }
    }
    List<HttpFilter> filters = new ArrayList<>();
    for (var entry : byProvider.entrySet()) {
      String provider = entry.getKey();
      String prefix = EXT_AUTHZ_MATCH_PREFIX + "-" + provider + "-";
      List<AuthorizationPolicy> enforced = AuthorizationModel.enforced(entry.getValue());
      List<AuthorizationPolicy> shadow = AuthorizationModel.dryRun(entry.getValue());
      Optional<ExtensionProvider> config =
          providers.stream().filter(p -> p.name().equals(provider)).findFirst();
      if (config.isEmpty()) {
        RBAC.Builder deny = RBAC.newBuilder().setAction(RBAC.Action.DENY);
        AuthorizationModel.httpRules(entry.getValue(), RBAC.Action.DENY, inbound, prefix)
            .getPoliciesMap()
            .forEach((name, p) -> deny.putPolicies(name + "-bad-custom-action", p));
        filters.add(
            RbacFilterBuilder.httpFilter(
                io.envoyproxy
                    .envoy
                    .extensions
                    .filters
                    .http
                    .rbac
                    .v3
                    .RBAC
                    .newBuilder()
                    .setRules(deny)
                    .build()));
        continue;
      }
      io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.Builder rbac =
          io.envoyproxy
              .envoy
              .extensions
              .filters
              .http
              .rbac
              .v3
              .RBAC
              .newBuilder()
              .setShadowRules(
                  AuthorizationModel.httpRules(enforced, RBAC.Action.DENY, inbound, prefix))
              .setShadowRulesStatPrefix(EXT_AUTHZ_SHADOW_PREFIX);
      if (!shadow.isEmpty()) {
        rbac.setRules(AuthorizationModel.httpRules(shadow, RBAC.Action.DENY, inbound, prefix));
      }
      filters.add(RbacFilterBuilder.httpFilter(rbac.build()));
      filters.add(extAuthz(config.get(), EXT_AUTHZ_MATCH_PREFIX + "-" + provider));
    }
    return filters;
  }

  /**
   * istiod's {@code generateHTTPConfig} with {@code generateFilterMatcherForProvider}: the HTTP
   * service at the provider's outbound cluster, {@code allowed_headers} from {@code
   * includeRequestHeadersInCheck}, the response header lists, {@code failure_mode_allow} from
   * {@code failOpen}, {@code status_on_error} when set.
   */
  private static HttpFilter extAuthz(ExtensionProvider provider, String matchPrefix) {
    String host = provider.host();
    HttpService.Builder service =
        HttpService.newBuilder()
            .setPathPrefix(provider.pathPrefix())
            .setServerUri(
                HttpUri.newBuilder()
                    .setUri("http://" + host)
                    .setCluster(XdsNames.outboundCluster(provider.port(), "", host))
                    .setTimeout(
                        com.google.protobuf.Duration.newBuilder()
                            .setSeconds(
                                provider
                                    .timeout()
                                    .orElse(java.time.Duration.ofSeconds(600))
                                    .getSeconds())
                            .setNanos(
                                provider.timeout().orElse(java.time.Duration.ZERO).getNano())));
    if (!provider.includeAdditionalHeadersInCheck().isEmpty()) {
      var request = AuthorizationRequest.newBuilder();
      new TreeMap<>(provider.includeAdditionalHeadersInCheck())
          .forEach(
              (k, v) -> request.addHeadersToAdd(HeaderValue.newBuilder().setKey(k).setValue(v)));
      service.setAuthorizationRequest(request);
    }
    if (!provider.headersToUpstreamOnAllow().isEmpty()
        || !provider.headersToDownstreamOnDeny().isEmpty()
        || !provider.headersToDownstreamOnAllow().isEmpty()) {
      var response = AuthorizationResponse.newBuilder();
      headers(provider.headersToUpstreamOnAllow()).ifPresent(response::setAllowedUpstreamHeaders);
      headers(provider.headersToDownstreamOnDeny()).ifPresent(response::setAllowedClientHeaders);
      headers(provider.headersToDownstreamOnAllow())
          .ifPresent(response::setAllowedClientHeadersOnSuccess);
      service.setAuthorizationResponse(response);
    }
    ExtAuthz.Builder extAuthz =
        ExtAuthz.newBuilder()
            .setFailureModeAllow(provider.failOpen())
            .setTransportApiVersion(ApiVersion.V3)
            .setHttpService(service)
            .setFilterEnabledMetadata(
                MetadataMatcher.newBuilder()
                    .setFilter(RbacFilterBuilder.RBAC_FILTER)
                    .addPath(
                        MetadataMatcher.PathSegment.newBuilder()
                            .setKey(EXT_AUTHZ_SHADOW_PREFIX + "shadow_effective_policy_id"))
                    .setValue(
                        ValueMatcher.newBuilder()
                            .setStringMatch(StringMatcher.newBuilder().setPrefix(matchPrefix))));
    headers(provider.includeRequestHeadersInCheck()).ifPresent(extAuthz::setAllowedHeaders);
    provider
        .statusOnError()
        .ifPresent(code -> extAuthz.setStatusOnError(HttpStatus.newBuilder().setCodeValue(code)));
    return HttpFilter.newBuilder()
        .setName(EXT_AUTHZ_FILTER)
        .setTypedConfig(Any.pack(extAuthz.build()))
        .build();
  }

  /** istiod's {@code generateHeaders}: exact matchers, none for an empty list. */
  private static Optional<ListStringMatcher> headers(List<String> names) {
    if (names.isEmpty()) {
      return Optional.empty();
    }
    var list = ListStringMatcher.newBuilder();
    names.forEach(n -> list.addPatterns(StringMatcher.newBuilder().setExact(n)));
    return Optional.of(list.build());
  }
}
