package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.meshproof.runtime.config.AuthorizationPolicy;
import dev.meshproof.runtime.config.ConfigProblem;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.ListMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.OrMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Istio's AuthorizationPolicies as istiod translates them for a sidecar's inbound listener ({@code
 * pilot/pkg/security/authz/builder/builder.go} {@code build}, {@code model/model.go} {@code New} /
 * {@code Generate}, {@code model/generator.go}): the policies of the workload's namespace and of
 * the root namespace whose selector matches it, grouped by action into one HTTP RBAC filter each,
 * in istiod's order AUDIT (RBAC {@code LOG}), DENY, ALLOW; each rule a policy named {@code
 * ns[<ns>]-policy[<name>]-rule[<i>]}, a policy without rules one that never matches. Per rule, each
 * {@code from} is a principal ANDing principals, namespaces, ipBlocks and the source {@code when}
 * keys; each {@code to} a permission ANDing hosts, methods, paths, ports and the destination {@code
 * when} keys; a field's values are ORed and its not-values negated.
 *
 * <p>Deliberate differences: a source principal is matched as Envoy's {@code authenticated}
 * principal name (current istiod may match a filter state that istio-proxy's own filters set, which
 * upstream Envoy lacks); {@code ports} and {@code destination.port} name the workload port, which
 * on loopback is the inbound listener's own port, so the workload's service port is written as that
 * listener port. Request principals and {@code request.auth.*} match jwt_authn's payload metadata
 * ({@code payload}, written by {@link JwtAuthnBuilder}'s filter) as istiod's {@code
 * requestPrincipalGenerator} / {@code requestClaimGenerator} do. Service accounts, remote IP blocks
 * and the other {@code when} keys are refused at apply ({@link #unsupported}). A policy annotated
 * {@code istio.io/dry-run: "true"} goes to its action's filter as a shadow rule (evaluated and
 * counted, never enforced), as {@code builder.go isDryRun}.
 */
public final class AuthorizationBuilder {
  static final String RBAC_FILTER = "envoy.filters.http.rbac";
  static final String ROOT_NAMESPACE = "istio-system";

  private static final Policy MATCH_NEVER =
      Policy.newBuilder()
          .addPermissions(Permission.newBuilder().setNotRule(Permission.newBuilder().setAny(true)))
          .addPrincipals(Principal.newBuilder().setNotId(Principal.newBuilder().setAny(true)))
          .build();

  private AuthorizationBuilder() {}

  /** The RBAC filters for {@code proxy}'s inbound listener, in istiod's order; empty if none. */
  public static List<HttpFilter> inboundFilters(
      List<AuthorizationPolicy> policies, ProxyNode proxy, ProxyNode.Inbound inbound) {
    return inboundGroups(policies, proxy).stream()
        .map(group -> filter(group.policies(), group.action(), inbound))
        .toList();
  }

  /**
   * The network RBAC filters for the TCP filter chains of {@code proxy}'s inbound listener, as
   * istiod's {@code builder.go buildTCP}: the same grouping and order as {@link #inboundFilters},
   * each rule as {@code Generate(forTCP=true)} makes it ({@link TcpAuthorization#forTcp}), stat
   * prefix {@value #RBAC_TCP_STAT_PREFIX}; empty if no policy selects the proxy.
   */
  public static List<io.envoyproxy.envoy.config.listener.v3.Filter> inboundNetworkFilters(
      List<AuthorizationPolicy> policies, ProxyNode proxy, ProxyNode.Inbound inbound) {
    return inboundGroups(policies, proxy).stream()
        .map(
            group -> {
              List<AuthorizationPolicy> enforced = enforced(group.policies());
              List<AuthorizationPolicy> shadow = dryRun(group.policies());
              var rbac =
                  io.envoyproxy
                      .envoy
                      .extensions
                      .filters
                      .network
                      .rbac
                      .v3
                      .RBAC
                      .newBuilder()
                      .setStatPrefix(RBAC_TCP_STAT_PREFIX);
              if (!enforced.isEmpty()) {
                rbac.setRules(rules(enforced, group.action(), inbound, "", true));
              }
              if (!shadow.isEmpty()) {
                rbac.setShadowRules(rules(shadow, group.action(), inbound, "", true))
                    .setShadowRulesStatPrefix(shadowRulesStatPrefix(group.action()));
              }
              return io.envoyproxy.envoy.config.listener.v3.Filter.newBuilder()
                  .setName(RBAC_NETWORK_FILTER)
                  .setTypedConfig(Any.pack(rbac.build()))
                  .build();
            })
        .toList();
  }

  /** istiod's {@code wellknown.RoleBasedAccessControl} on a TCP filter chain. */
  static final String RBAC_NETWORK_FILTER = "envoy.filters.network.rbac";

  /** istiod's {@code authzmodel.RBACTCPFilterStatPrefix}. */
  static final String RBAC_TCP_STAT_PREFIX = "tcp.";

  /** The policies of one action that select a proxy, in one RBAC filter. */
  private record ActionGroup(List<AuthorizationPolicy> policies, RBAC.Action action) {}

  /** The ALLOW/DENY/AUDIT policies selecting {@code proxy}, grouped by action in istiod's order. */
  private static List<ActionGroup> inboundGroups(
      List<AuthorizationPolicy> policies, ProxyNode proxy) {
    List<AuthorizationPolicy> audit = new ArrayList<>();
    List<AuthorizationPolicy> deny = new ArrayList<>();
    List<AuthorizationPolicy> allow = new ArrayList<>();
    for (AuthorizationPolicy policy : policies) {
      String ns = policy.meta().namespace();
      if (!ns.equals(proxy.namespace()) && !ns.equals(ROOT_NAMESPACE)) {
        continue;
      }
      if (!policy.selector().entrySet().stream()
          .allMatch(e -> e.getValue().equals(proxy.labels().get(e.getKey())))) {
        continue;
      }
      switch (policy.action()) {
        case "AUDIT" -> audit.add(policy);
        case "DENY" -> deny.add(policy);
        case "ALLOW" -> allow.add(policy);
        default -> {
          // CUSTOM: customFilters.
        }
      }
    }
    List<ActionGroup> filters = new ArrayList<>();
    if (!audit.isEmpty()) {
      filters.add(new ActionGroup(audit, RBAC.Action.LOG));
    }
    if (!deny.isEmpty()) {
      filters.add(new ActionGroup(deny, RBAC.Action.DENY));
    }
    if (!allow.isEmpty()) {
      filters.add(new ActionGroup(allow, RBAC.Action.ALLOW));
    }
    return filters;
  }

  static final String EXT_AUTHZ_FILTER = "envoy.filters.http.ext_authz";

  /** istiod's {@code authzmodel.RBACExtAuthzShadowRulesStatPrefix}. */
  static final String EXT_AUTHZ_SHADOW_PREFIX = "istio_ext_authz_";

  /** istiod's {@code extAuthzMatchPrefix}: CUSTOM rules' names start with it. */
  static final String EXT_AUTHZ_MATCH_PREFIX = "istio-ext-authz";

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
      List<dev.meshproof.runtime.config.ExtensionProvider> providers,
      ProxyNode proxy,
      ProxyNode.Inbound inbound) {
    Map<String, List<AuthorizationPolicy>> byProvider = new java.util.TreeMap<>();
    for (AuthorizationPolicy policy : policies) {
      if (policy.action().equals("CUSTOM") && selects(policy, proxy)) {
        byProvider.computeIfAbsent(policy.provider(), k -> new ArrayList<>()).add(policy);
      }
    }
    List<HttpFilter> filters = new ArrayList<>();
    for (var entry : byProvider.entrySet()) {
      String provider = entry.getKey();
      String prefix = EXT_AUTHZ_MATCH_PREFIX + "-" + provider + "-";
      List<AuthorizationPolicy> enforced =
          entry.getValue().stream().filter(p -> !p.dryRun()).toList();
      List<AuthorizationPolicy> shadow =
          entry.getValue().stream().filter(AuthorizationPolicy::dryRun).toList();
      java.util.Optional<dev.meshproof.runtime.config.ExtensionProvider> config =
          providers.stream().filter(p -> p.name().equals(provider)).findFirst();
      if (config.isEmpty()) {
        RBAC.Builder deny = RBAC.newBuilder().setAction(RBAC.Action.DENY);
        rules(entry.getValue(), RBAC.Action.DENY, inbound, prefix)
            .getPoliciesMap()
            .forEach((name, p) -> deny.putPolicies(name + "-bad-custom-action", p));
        filters.add(
            HttpFilter.newBuilder()
                .setName(RBAC_FILTER)
                .setTypedConfig(
                    Any.pack(
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
                            .build()))
                .build());
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
              .setShadowRules(rules(enforced, RBAC.Action.DENY, inbound, prefix))
              .setShadowRulesStatPrefix(EXT_AUTHZ_SHADOW_PREFIX);
      if (!shadow.isEmpty()) {
        rbac.setRules(rules(shadow, RBAC.Action.DENY, inbound, prefix));
      }
      filters.add(
          HttpFilter.newBuilder()
              .setName(RBAC_FILTER)
              .setTypedConfig(Any.pack(rbac.build()))
              .build());
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
  private static HttpFilter extAuthz(
      dev.meshproof.runtime.config.ExtensionProvider provider, String matchPrefix) {
    String host = provider.host();
    io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService.Builder service =
        io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService.newBuilder()
            .setPathPrefix(provider.pathPrefix())
            .setServerUri(
                io.envoyproxy.envoy.config.core.v3.HttpUri.newBuilder()
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
      var request =
          io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationRequest
              .newBuilder();
      new java.util.TreeMap<>(provider.includeAdditionalHeadersInCheck())
          .forEach(
              (k, v) ->
                  request.addHeadersToAdd(
                      io.envoyproxy.envoy.config.core.v3.HeaderValue.newBuilder()
                          .setKey(k)
                          .setValue(v)));
      service.setAuthorizationRequest(request);
    }
    if (!provider.headersToUpstreamOnAllow().isEmpty()
        || !provider.headersToDownstreamOnDeny().isEmpty()
        || !provider.headersToDownstreamOnAllow().isEmpty()) {
      var response =
          io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationResponse
              .newBuilder();
      headers(provider.headersToUpstreamOnAllow()).ifPresent(response::setAllowedUpstreamHeaders);
      headers(provider.headersToDownstreamOnDeny()).ifPresent(response::setAllowedClientHeaders);
      headers(provider.headersToDownstreamOnAllow())
          .ifPresent(response::setAllowedClientHeadersOnSuccess);
      service.setAuthorizationResponse(response);
    }
    io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz.Builder extAuthz =
        io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz.newBuilder()
            .setFailureModeAllow(provider.failOpen())
            .setTransportApiVersion(io.envoyproxy.envoy.config.core.v3.ApiVersion.V3)
            .setHttpService(service)
            .setFilterEnabledMetadata(
                MetadataMatcher.newBuilder()
                    .setFilter(RBAC_FILTER)
                    .addPath(
                        MetadataMatcher.PathSegment.newBuilder()
                            .setKey(EXT_AUTHZ_SHADOW_PREFIX + "shadow_effective_policy_id"))
                    .setValue(
                        ValueMatcher.newBuilder()
                            .setStringMatch(StringMatcher.newBuilder().setPrefix(matchPrefix))));
    headers(provider.includeRequestHeadersInCheck()).ifPresent(extAuthz::setAllowedHeaders);
    provider
        .statusOnError()
        .ifPresent(
            code ->
                extAuthz.setStatusOnError(
                    io.envoyproxy.envoy.type.v3.HttpStatus.newBuilder().setCodeValue(code)));
    return HttpFilter.newBuilder()
        .setName(EXT_AUTHZ_FILTER)
        .setTypedConfig(Any.pack(extAuthz.build()))
        .build();
  }

  /** istiod's {@code generateHeaders}: exact matchers, none for an empty list. */
  private static java.util.Optional<io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher> headers(
      List<String> names) {
    if (names.isEmpty()) {
      return java.util.Optional.empty();
    }
    var list = io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher.newBuilder();
    names.forEach(n -> list.addPatterns(StringMatcher.newBuilder().setExact(n)));
    return java.util.Optional.of(list.build());
  }

  private static boolean selects(AuthorizationPolicy policy, ProxyNode proxy) {
    String ns = policy.meta().namespace();
    return (ns.equals(proxy.namespace()) || ns.equals(ROOT_NAMESPACE))
        && policy.selector().entrySet().stream()
            .allMatch(e -> e.getValue().equals(proxy.labels().get(e.getKey())));
  }

  /**
   * One action's filter as istiod's {@code build} / {@code buildHTTP}: enforced policies as {@code
   * rules}, {@code istio.io/dry-run} policies as {@code shadow_rules} with the action's {@code
   * shadow_rules_stat_prefix} ({@code istio_dry_run_allow_} / {@code istio_dry_run_deny_}, none for
   * LOG); either is left out when no policy goes there, so dry-run policies alone enforce nothing.
   */
  private static HttpFilter filter(
      List<AuthorizationPolicy> policies, RBAC.Action action, ProxyNode.Inbound inbound) {
    List<AuthorizationPolicy> enforced = enforced(policies);
    List<AuthorizationPolicy> shadow = dryRun(policies);
    io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.Builder rbac =
        io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder();
    if (!enforced.isEmpty()) {
      rbac.setRules(rules(enforced, action, inbound));
    }
    if (!shadow.isEmpty()) {
      rbac.setShadowRules(rules(shadow, action, inbound))
          .setShadowRulesStatPrefix(shadowRulesStatPrefix(action));
    }
    return HttpFilter.newBuilder()
        .setName(RBAC_FILTER)
        .setTypedConfig(Any.pack(rbac.build()))
        .build();
  }

  private static List<AuthorizationPolicy> enforced(List<AuthorizationPolicy> policies) {
    return policies.stream().filter(p -> !p.dryRun()).toList();
  }

  /** The {@code istio.io/dry-run} policies: shadow rules, evaluated and counted, never enforced. */
  private static List<AuthorizationPolicy> dryRun(List<AuthorizationPolicy> policies) {
    return policies.stream().filter(AuthorizationPolicy::dryRun).toList();
  }

  /** istiod's {@code shadowRuleStatPrefix} ({@code authz/model} {@code RBACShadowRules*}). */
  static String shadowRulesStatPrefix(RBAC.Action action) {
    return switch (action) {
      case ALLOW -> "istio_dry_run_allow_";
      case DENY -> "istio_dry_run_deny_";
      default -> "";
    };
  }

  private static RBAC rules(
      List<AuthorizationPolicy> policies, RBAC.Action action, ProxyNode.Inbound inbound) {
    return rules(policies, action, inbound, "", false);
  }

  private static RBAC rules(
      List<AuthorizationPolicy> policies,
      RBAC.Action action,
      ProxyNode.Inbound inbound,
      String namePrefix) {
    return rules(policies, action, inbound, namePrefix, false);
  }

  /**
   * The rules of {@code policies}, each name after {@code namePrefix} (istiod's policyName); {@code
   * forTcp} as istiod's {@code Generate(forTCP=true)}.
   */
  private static RBAC rules(
      List<AuthorizationPolicy> policies,
      RBAC.Action action,
      ProxyNode.Inbound inbound,
      String namePrefix,
      boolean forTcp) {
    Map<String, Policy> out = new LinkedHashMap<>();
    for (AuthorizationPolicy policy : policies) {
      String prefix =
          namePrefix
              + "ns["
              + policy.meta().namespace()
              + "]-policy["
              + policy.meta().name()
              + "]-rule[";
      if (policy.rules().isEmpty()) {
        out.put(prefix + "0]", MATCH_NEVER);
      }
      for (int i = 0; i < policy.rules().size(); i++) {
        AuthorizationPolicy.Rule rule = policy.rules().get(i);
        if (forTcp) {
          // istiod skips an ALLOW rule it cannot express on TCP; DENY and AUDIT drop the fields.
          java.util.Optional<AuthorizationPolicy.Rule> tcp =
              TcpAuthorization.forTcp(rule, action != RBAC.Action.ALLOW);
          if (tcp.isEmpty()) {
            continue;
          }
          rule = tcp.get();
        }
        out.put(prefix + i + "]", policy(rule, inbound));
      }
    }
    return RBAC.newBuilder().setAction(action).putAllPolicies(out).build();
  }

  private static Policy policy(AuthorizationPolicy.Rule rule, ProxyNode.Inbound inbound) {
    List<Principal> sourceWhen = new ArrayList<>();
    List<Permission> destinationWhen = new ArrayList<>();
    for (AuthorizationPolicy.Condition c : rule.when()) {
      String key = c.key();
      if (key.equals("destination.port")) {
        destinationWhen.addAll(permissions(c.values(), c.notValues(), v -> port(v, inbound)));
      } else if (key.equals("source.ip")) {
        sourceWhen.addAll(principals(c.values(), c.notValues(), AuthorizationBuilder::sourceIp));
      } else if (key.equals("source.namespace")) {
        sourceWhen.addAll(principals(c.values(), c.notValues(), AuthorizationBuilder::namespace));
      } else if (key.equals("source.principal")) {
        sourceWhen.addAll(principals(c.values(), c.notValues(), AuthorizationBuilder::principal));
      } else if (key.equals("request.auth.principal")) {
        sourceWhen.addAll(
            extended(c.values(), c.notValues(), AuthorizationBuilder::requestPrincipals));
      } else if (key.equals("request.auth.audiences")) {
        sourceWhen.addAll(extended(c.values(), c.notValues(), v -> claim(List.of("aud"), v)));
      } else if (key.equals("request.auth.presenter")) {
        sourceWhen.addAll(extended(c.values(), c.notValues(), v -> claim(List.of("azp"), v)));
      } else if (key.startsWith("request.auth.claims[")) {
        List<String> claims = claimPath(key.substring("request.auth.claims".length()));
        sourceWhen.addAll(extended(c.values(), c.notValues(), v -> claim(claims, v)));
      } else if (key.startsWith("request.headers[")) {
        String header = key.substring("request.headers[".length(), key.length() - 1);
        sourceWhen.addAll(
            principals(
                c.values(),
                c.notValues(),
                v -> Principal.newBuilder().setHeader(header(header, v, false)).build()));
      }
    }
    Policy.Builder policy = Policy.newBuilder();
    for (Map<String, List<String>> from : rule.from()) {
      List<Principal> and = new ArrayList<>();
      and.addAll(
          principals(
              from.getOrDefault("principals", List.of()),
              from.getOrDefault("notPrincipals", List.of()),
              AuthorizationBuilder::principal));
      and.addAll(
          extended(
              from.getOrDefault("requestPrincipals", List.of()),
              from.getOrDefault("notRequestPrincipals", List.of()),
              AuthorizationBuilder::requestPrincipals));
      and.addAll(
          principals(
              from.getOrDefault("namespaces", List.of()),
              from.getOrDefault("notNamespaces", List.of()),
              AuthorizationBuilder::namespace));
      and.addAll(
          principals(
              from.getOrDefault("ipBlocks", List.of()),
              from.getOrDefault("notIpBlocks", List.of()),
              AuthorizationBuilder::sourceIp));
      and.addAll(sourceWhen);
      policy.addPrincipals(principalAnd(and));
    }
    if (rule.from().isEmpty()) {
      policy.addPrincipals(principalAnd(sourceWhen));
    }
    for (Map<String, List<String>> to : rule.to()) {
      List<Permission> and = new ArrayList<>();
      and.addAll(
          permissions(
              to.getOrDefault("hosts", List.of()),
              to.getOrDefault("notHosts", List.of()),
              v -> Permission.newBuilder().setHeader(header(":authority", v, true)).build()));
      and.addAll(
          permissions(
              to.getOrDefault("methods", List.of()),
              to.getOrDefault("notMethods", List.of()),
              v -> Permission.newBuilder().setHeader(header(":method", v, false)).build()));
      and.addAll(
          permissions(
              to.getOrDefault("paths", List.of()),
              to.getOrDefault("notPaths", List.of()),
              v ->
                  Permission.newBuilder()
                      .setUrlPath(PathMatcher.newBuilder().setPath(string(v, "")))
                      .build()));
      and.addAll(
          permissions(
              to.getOrDefault("ports", List.of()),
              to.getOrDefault("notPorts", List.of()),
              v -> port(v, inbound)));
      and.addAll(destinationWhen);
      policy.addPermissions(permissionAnd(and));
    }
    if (rule.to().isEmpty()) {
      policy.addPermissions(permissionAnd(destinationWhen));
    }
    return policy.build();
  }

  private static List<Principal> principals(
      List<String> values, List<String> notValues, Function<String, Principal> generator) {
    List<Principal> out = new ArrayList<>();
    if (!values.isEmpty()) {
      out.add(
          Principal.newBuilder()
              .setOrIds(
                  Principal.Set.newBuilder().addAllIds(values.stream().map(generator).toList()))
              .build());
    }
    if (!notValues.isEmpty()) {
      out.add(
          Principal.newBuilder()
              .setNotId(
                  Principal.newBuilder()
                      .setOrIds(
                          Principal.Set.newBuilder()
                              .addAllIds(notValues.stream().map(generator).toList())))
              .build());
    }
    return out;
  }

  /**
   * istiod's extended generators ({@code generator.go extendedPrincipal}): all values in one
   * principal, the not-values negated in another.
   */
  private static List<Principal> extended(
      List<String> values, List<String> notValues, Function<List<String>, Principal> generator) {
    List<Principal> out = new ArrayList<>();
    if (!values.isEmpty()) {
      out.add(generator.apply(values));
    }
    if (!notValues.isEmpty()) {
      out.add(Principal.newBuilder().setNotId(generator.apply(notValues)).build());
    }
    return out;
  }

  /**
   * {@code requestPrincipalGenerator}: per value {@code iss/sub} (split at the last {@code /}), the
   * payload's {@code iss} and {@code sub} matched as strings, {@code *} as presence ({@code .+}), a
   * leading or trailing {@code *} as suffix or prefix; the values ORed.
   */
  private static Principal requestPrincipals(List<String> values) {
    List<Principal> or = new ArrayList<>();
    StringMatcher any = regex(".+");
    for (String value : values) {
      int idx = value.lastIndexOf('/');
      boolean found = idx >= 0;
      String iss = found ? value.substring(0, idx) : value;
      String sub = found ? value.substring(idx + 1) : "";
      StringMatcher matchIss;
      StringMatcher matchSub;
      if (value.equals("*")) {
        matchIss = any;
        matchSub = any;
      } else if (value.startsWith("*")) {
        if (found) {
          matchIss =
              iss.equals("*")
                  ? any
                  : StringMatcher.newBuilder().setSuffix(iss.substring(1)).build();
          matchSub = StringMatcher.newBuilder().setExact(sub).build();
        } else {
          matchIss = any;
          matchSub = StringMatcher.newBuilder().setSuffix(value.substring(1)).build();
        }
      } else if (value.endsWith("*")) {
        if (found) {
          matchIss = StringMatcher.newBuilder().setExact(iss).build();
          matchSub =
              sub.equals("*")
                  ? any
                  : StringMatcher.newBuilder()
                      .setPrefix(sub.substring(0, sub.length() - 1))
                      .build();
        } else {
          matchIss =
              StringMatcher.newBuilder().setPrefix(value.substring(0, value.length() - 1)).build();
          matchSub = any;
        }
      } else {
        matchIss = StringMatcher.newBuilder().setExact(iss).build();
        matchSub = StringMatcher.newBuilder().setExact(sub).build();
      }
      or.add(
          Principal.newBuilder()
              .setAndIds(
                  Principal.Set.newBuilder()
                      .addIds(payloadString("iss", matchIss))
                      .addIds(payloadString("sub", matchSub)))
              .build());
    }
    return or.size() == 1
        ? or.get(0)
        : Principal.newBuilder().setOrIds(Principal.Set.newBuilder().addAllIds(or)).build();
  }

  /** {@code MetadataStringMatcherForJWTClaim}: jwt_authn's {@code payload.<claim>} as a string. */
  private static Principal payloadString(String claim, StringMatcher m) {
    return Principal.newBuilder()
        .setMetadata(
            MetadataMatcher.newBuilder()
                .setFilter(JwtAuthnBuilder.FILTER_NAME)
                .addPath(
                    MetadataMatcher.PathSegment.newBuilder()
                        .setKey(JwtAuthnBuilder.PAYLOAD_IN_METADATA))
                .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(claim))
                .setValue(ValueMatcher.newBuilder().setStringMatch(m)))
        .build();
  }

  /**
   * {@code MetadataListValueMatcherForJWTClaims} with {@code useExtendedJwt}: the claim at {@code
   * path} under {@code payload}, a string matching one of {@code values} or a list with such a
   * string ({@code or_match [list_match one_of V, V]}, V the values ORed).
   */
  private static Principal claim(List<String> path, List<String> values) {
    List<ValueMatcher> strings =
        values.stream()
            .map(v -> ValueMatcher.newBuilder().setStringMatch(string(v, "")).build())
            .toList();
    ValueMatcher value =
        strings.size() == 1
            ? strings.get(0)
            : ValueMatcher.newBuilder()
                .setOrMatch(OrMatcher.newBuilder().addAllValueMatchers(strings))
                .build();
    MetadataMatcher.Builder m =
        MetadataMatcher.newBuilder()
            .setFilter(JwtAuthnBuilder.FILTER_NAME)
            .addPath(
                MetadataMatcher.PathSegment.newBuilder()
                    .setKey(JwtAuthnBuilder.PAYLOAD_IN_METADATA));
    path.forEach(k -> m.addPath(MetadataMatcher.PathSegment.newBuilder().setKey(k)));
    m.setValue(
        ValueMatcher.newBuilder()
            .setOrMatch(
                OrMatcher.newBuilder()
                    .addValueMatchers(
                        ValueMatcher.newBuilder()
                            .setListMatch(ListMatcher.newBuilder().setOneOf(value)))
                    .addValueMatchers(value)));
    return Principal.newBuilder().setMetadata(m).build();
  }

  /**
   * {@code extractNameInNestedBrackets}: {@code [a]} is one claim, {@code [a][b]} a nested path;
   * checked at apply ({@link #unsupported}).
   */
  static List<String> claimPath(String brackets) {
    List<String> claims = new ArrayList<>();
    java.util.regex.Matcher m = CLAIM.matcher(brackets);
    int end = 0;
    while (m.find() && m.start() == end) {
      claims.add(m.group(1));
      end = m.end();
    }
    if (end != brackets.length() || claims.isEmpty()) {
      throw new IllegalArgumentException(
          "bad claim " + brackets + " (expected: [name] or nested [a][b])");
    }
    return claims;
  }

  private static final Pattern CLAIM = Pattern.compile("\\[([^\\[\\]]+)\\]");

  private static List<Permission> permissions(
      List<String> values, List<String> notValues, Function<String, Permission> generator) {
    List<Permission> out = new ArrayList<>();
    if (!values.isEmpty()) {
      out.add(
          Permission.newBuilder()
              .setOrRules(
                  Permission.Set.newBuilder().addAllRules(values.stream().map(generator).toList()))
              .build());
    }
    if (!notValues.isEmpty()) {
      out.add(
          Permission.newBuilder()
              .setNotRule(
                  Permission.newBuilder()
                      .setOrRules(
                          Permission.Set.newBuilder()
                              .addAllRules(notValues.stream().map(generator).toList())))
              .build());
    }
    return out;
  }

  private static Principal principalAnd(List<Principal> and) {
    List<Principal> ids =
        and.isEmpty() ? List.of(Principal.newBuilder().setAny(true).build()) : and;
    return Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addAllIds(ids)).build();
  }

  private static Permission permissionAnd(List<Permission> and) {
    List<Permission> rules =
        and.isEmpty() ? List.of(Permission.newBuilder().setAny(true).build()) : and;
    return Permission.newBuilder()
        .setAndRules(Permission.Set.newBuilder().addAllRules(rules))
        .build();
  }

  /** {@code srcPrincipalGenerator}: the SPIFFE URI of the peer, {@code spiffe://} added. */
  private static Principal principal(String value) {
    return authenticated(string(value, "spiffe://"));
  }

  /** {@code srcNamespaceGenerator}: a principal in the namespace, {@code *} as {@code .*}. */
  private static Principal namespace(String value) {
    return authenticated(regex(".*/ns/" + value.replace("*", ".*") + "/.*"));
  }

  private static Principal authenticated(StringMatcher name) {
    return Principal.newBuilder()
        .setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(name))
        .build();
  }

  /** {@code srcIPGenerator}: a single address is a /32 (/128). */
  private static Principal sourceIp(String value) {
    int slash = value.indexOf('/');
    String address = slash < 0 ? value : value.substring(0, slash);
    int length =
        slash < 0
            ? (address.contains(":") ? 128 : 32)
            : Integer.parseInt(value.substring(slash + 1));
    return Principal.newBuilder()
        .setDirectRemoteIp(
            CidrRange.newBuilder().setAddressPrefix(address).setPrefixLen(UInt32Value.of(length)))
        .build();
  }

  /**
   * {@code destPortGenerator}; the workload's service port is the inbound listener's port here,
   * since the app's port sits behind the sidecar on loopback.
   */
  private static Permission port(String value, ProxyNode.Inbound inbound) {
    int port = Integer.parseInt(value);
    return Permission.newBuilder()
        .setDestinationPort(port == inbound.servicePort() ? inbound.listener().getPort() : port)
        .build();
  }

  /**
   * {@code matcher.HeaderMatcher} / {@code HostMatcher}: {@code *} is presence, a leading or
   * trailing {@code *} a suffix or prefix match, else exact; hosts compare case-insensitively.
   */
  private static HeaderMatcher header(String name, String value, boolean ignoreCase) {
    HeaderMatcher.Builder header = HeaderMatcher.newBuilder().setName(name);
    if (value.equals("*")) {
      return header.setPresentMatch(true).build();
    }
    StringMatcher.Builder m = StringMatcher.newBuilder().setIgnoreCase(ignoreCase);
    if (value.startsWith("*")) {
      m.setSuffix(value.substring(1));
    } else if (value.endsWith("*")) {
      m.setPrefix(value.substring(0, value.length() - 1));
    } else {
      m.setExact(value);
    }
    return header.setStringMatch(m).build();
  }

  /**
   * {@code matcher.StringMatcherWithPrefix}: {@code *} is the regex {@code .+}, a leading {@code *}
   * a suffix match, a trailing one a prefix match, else exact; {@code prefix} is put in front.
   */
  private static StringMatcher string(String value, String prefix) {
    if (value.equals("*")) {
      return regex(".+");
    }
    if (value.startsWith("*")) {
      return StringMatcher.newBuilder().setSuffix(value.substring(1)).build();
    }
    if (value.endsWith("*")) {
      return StringMatcher.newBuilder()
          .setPrefix(prefix + value.substring(0, value.length() - 1))
          .build();
    }
    return StringMatcher.newBuilder().setExact(prefix + value).build();
  }

  private static StringMatcher regex(String regex) {
    return StringMatcher.newBuilder()
        .setSafeRegex(RegexMatcher.newBuilder().setRegex(regex))
        .build();
  }

  private static final List<String> SUPPORTED_SOURCE =
      List.of(
          "principals",
          "notPrincipals",
          "requestPrincipals",
          "notRequestPrincipals",
          "namespaces",
          "notNamespaces",
          "ipBlocks",
          "notIpBlocks");
  private static final List<String> SUPPORTED_WHEN =
      List.of(
          "source.ip",
          "source.namespace",
          "source.principal",
          "destination.port",
          "request.auth.principal",
          "request.auth.audiences",
          "request.auth.presenter");
  private static final Pattern HEADER_KEY = Pattern.compile("request\\.headers\\[[^\\]]+\\]");

  /**
   * What of {@code policy} Meshproof cannot simulate yet, each a problem at the policy's line:
   * service accounts, remote IP blocks and {@code when} keys other than source ip / namespace /
   * principal, destination port, request headers and {@code request.auth.*}; also ports that are
   * not numbers and claims that are not {@code [name]} paths.
   */
  public static List<ConfigProblem> unsupported(AuthorizationPolicy policy) {
    List<ConfigProblem> problems = new ArrayList<>();
    String where = "AuthorizationPolicy " + policy.meta().namespace() + "/" + policy.meta().name();
    for (int r = 0; r < policy.rules().size(); r++) {
      AuthorizationPolicy.Rule rule = policy.rules().get(r);
      for (int f = 0; f < rule.from().size(); f++) {
        for (String field : rule.from().get(f).keySet()) {
          if (!SUPPORTED_SOURCE.contains(field)) {
            problems.add(
                problem(policy, "spec.rules[" + r + "].from[" + f + "].source." + field, field));
          }
        }
      }
      for (int t = 0; t < rule.to().size(); t++) {
        for (String field : List.of("ports", "notPorts")) {
          for (String port : rule.to().get(t).getOrDefault(field, List.of())) {
            if (!port.matches("[0-9]{1,5}")) {
              problems.add(
                  new ConfigProblem(
                      policy.meta().source(),
                      policy.meta().line(),
                      1,
                      "spec.rules[" + r + "].to[" + t + "].operation." + field,
                      "\"" + port + "\" (expected: a port number)"));
            }
          }
        }
      }
      for (int w = 0; w < rule.when().size(); w++) {
        String key = rule.when().get(w).key();
        if (key.startsWith("request.auth.claims")) {
          try {
            claimPath(key.substring("request.auth.claims".length()));
          } catch (IllegalArgumentException e) {
            problems.add(
                new ConfigProblem(
                    policy.meta().source(),
                    policy.meta().line(),
                    1,
                    "spec.rules[" + r + "].when[" + w + "].key",
                    "\""
                        + key
                        + "\" is not a claim (expected: request.auth.claims[name] or"
                        + " request.auth.claims[a][b])"));
          }
          continue;
        }
        if (!SUPPORTED_WHEN.contains(key) && !HEADER_KEY.matcher(key).matches()) {
          problems.add(
              problem(policy, "spec.rules[" + r + "].when[" + w + "].key", "when key " + key));
        }
      }
    }
    return problems.stream()
        .map(
            p ->
                new ConfigProblem(
                    p.source(), p.line(), p.column(), p.field(), where + ": " + p.message()))
        .toList();
  }

  private static ConfigProblem problem(AuthorizationPolicy policy, String field, String what) {
    return new ConfigProblem(
        policy.meta().source(),
        policy.meta().line(),
        1,
        field,
        what
            + " is valid Istio, but not supported by Meshproof yet (supported: ALLOW, DENY, AUDIT,"
            + " CUSTOM;"
            + " from principals, requestPrincipals, namespaces, ipBlocks and their not-forms; to"
            + " hosts, methods, paths, ports; when "
            + SUPPORTED_WHEN
            + ", request.headers[...] and request.auth.claims[...])");
  }
}
