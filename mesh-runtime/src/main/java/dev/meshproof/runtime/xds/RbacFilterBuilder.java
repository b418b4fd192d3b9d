package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import dev.meshproof.runtime.config.AuthorizationPolicy;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The RBAC filters of Istio's ALLOW, DENY and AUDIT AuthorizationPolicies on a sidecar's inbound
 * listener, as istiod's {@code pilot/pkg/security/authz/builder/builder.go} {@code build} makes
 * them: the policies selecting the workload ({@link AuthorizationModel#selects}) grouped by action
 * into one filter each, in istiod's order AUDIT (RBAC {@code LOG}), DENY, ALLOW; HTTP filters for
 * HTTP chains, network filters for TCP chains. A policy annotated {@code istio.io/dry-run: "true"}
 * goes to its action's filter as a shadow rule (evaluated and counted, never enforced), as {@code
 * builder.go isDryRun}. CUSTOM policies are {@link ExtAuthzBuilder}'s.
 */
public final class RbacFilterBuilder {
  /** istiod's {@code wellknown.HTTPRoleBasedAccessControl}. */
  static final String RBAC_FILTER = "envoy.filters.http.rbac";

  /** istiod's {@code wellknown.RoleBasedAccessControl} on a TCP filter chain. */
  static final String RBAC_NETWORK_FILTER = "envoy.filters.network.rbac";

  /** istiod's {@code authzmodel.RBACTCPFilterStatPrefix}. */
  static final String RBAC_TCP_STAT_PREFIX = "tcp.";

  private RbacFilterBuilder() {}

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
  public static List<Filter> inboundNetworkFilters(
      List<AuthorizationPolicy> policies, ProxyNode proxy, ProxyNode.Inbound inbound) {
    return inboundGroups(policies, proxy).stream()
        .map(
            group -> {
              List<AuthorizationPolicy> enforced = AuthorizationModel.enforced(group.policies());
              List<AuthorizationPolicy> shadow = AuthorizationModel.dryRun(group.policies());
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
                rbac.setRules(AuthorizationModel.tcpRules(enforced, group.action(), inbound));
              }
              if (!shadow.isEmpty()) {
                rbac.setShadowRules(AuthorizationModel.tcpRules(shadow, group.action(), inbound))
                    .setShadowRulesStatPrefix(shadowRulesStatPrefix(group.action()));
              }
              return Filter.newBuilder()
                  .setName(RBAC_NETWORK_FILTER)
                  .setTypedConfig(Any.pack(rbac.build()))
                  .build();
            })
        .toList();
  }

  /** The policies of one action that select a proxy, in one RBAC filter. */
  private record ActionGroup(List<AuthorizationPolicy> policies, RBAC.Action action) {}

  /** The ALLOW/DENY/AUDIT policies selecting {@code proxy}, grouped by action in istiod's order. */
  private static List<ActionGroup> inboundGroups(
      List<AuthorizationPolicy> policies, ProxyNode proxy) {
    List<AuthorizationPolicy> audit = new ArrayList<>();
    List<AuthorizationPolicy> deny = new ArrayList<>();
    List<AuthorizationPolicy> allow = new ArrayList<>();
    for (AuthorizationPolicy policy : policies) {
      if (!AuthorizationModel.selects(policy, proxy)) {
        continue;
      }
      switch (policy.action()) {
        case "AUDIT" -> audit.add(policy);
        case "DENY" -> deny.add(policy);
        case "ALLOW" -> allow.add(policy);
        default -> {
          // CUSTOM: ExtAuthzBuilder.customFilters.
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

  /**
   * One action's filter as istiod's {@code build} / {@code buildHTTP}: enforced policies as {@code
   * rules}, {@code istio.io/dry-run} policies as {@code shadow_rules} with the action's {@code
   * shadow_rules_stat_prefix} ({@code istio_dry_run_allow_} / {@code istio_dry_run_deny_}, none for
   * LOG); either is left out when no policy goes there, so dry-run policies alone enforce nothing.
   */
  private static HttpFilter filter(
      List<AuthorizationPolicy> policies, RBAC.Action action, ProxyNode.Inbound inbound) {
    List<AuthorizationPolicy> enforced = AuthorizationModel.enforced(policies);
    List<AuthorizationPolicy> shadow = AuthorizationModel.dryRun(policies);
    var rbac = io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder();
    if (!enforced.isEmpty()) {
      rbac.setRules(AuthorizationModel.httpRules(enforced, action, inbound, ""));
    }
    if (!shadow.isEmpty()) {
      rbac.setShadowRules(AuthorizationModel.httpRules(shadow, action, inbound, ""))
          .setShadowRulesStatPrefix(shadowRulesStatPrefix(action));
    }
    return httpFilter(rbac.build());
  }

  /** {@code config} as the HTTP RBAC filter, as this builder's and CUSTOM's filters are named. */
  static HttpFilter httpFilter(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC config) {
    return HttpFilter.newBuilder().setName(RBAC_FILTER).setTypedConfig(Any.pack(config)).build();
  }

  /** istiod's {@code shadowRuleStatPrefix} ({@code authz/model} {@code RBACShadowRules*}). */
  static String shadowRulesStatPrefix(RBAC.Action action) {
    return switch (action) {
      case ALLOW -> "istio_dry_run_allow_";
      case DENY -> "istio_dry_run_deny_";
      default -> "";
    };
  }
}
