package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.authz.CidrRange;
import dev.meshproof.runtime.policy.authz.MetadataValueMatcher;
import dev.meshproof.runtime.policy.authz.RbacFilterPolicy;
import dev.meshproof.runtime.policy.authz.RbacPermission;
import dev.meshproof.runtime.policy.authz.RbacPolicy;
import dev.meshproof.runtime.policy.authz.RbacPrincipal;
import dev.meshproof.runtime.policy.authz.RbacRules;
import dev.meshproof.runtime.policy.route.HeaderMatcher;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes Envoy's HTTP RBAC filter ({@code extensions.filters.http.rbac.v3.RBAC}) into the pure
 * {@link RbacFilterPolicy}: the permission and principal kinds istiod generates for a sidecar (any,
 * and / or / not, header, url_path, destination_port; authenticated principal_name,
 * direct_remote_ip, header). Anything else is NACKed, since a rule the sidecar would skip could let
 * in a request Envoy refuses.
 */
final class RbacDecoder {
  static final String FILTER_NAME = "envoy.filters.http.rbac";
  static final String TYPE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";

  private RbacDecoder() {}

  static RbacFilterPolicy filter(com.google.protobuf.Any config, String where) {
    io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC rbac =
        XdsDecoder.unpack(
            config, io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class, where);
    XdsDecoder.rejectUnsupported(
        rbac.toBuilder().clearRules().clearShadowRules().clearShadowRulesStatPrefix(), where);
    return new RbacFilterPolicy(
        rbac.hasRules() ? Optional.of(rules(rbac.getRules(), where + ", rules")) : Optional.empty(),
        rbac.hasShadowRules()
            ? Optional.of(rules(rbac.getShadowRules(), where + ", shadow_rules"))
            : Optional.empty(),
        rbac.getShadowRulesStatPrefix());
  }

  /** The network filter istiod puts before a TCP port's tcp_proxy. */
  static final String NETWORK_FILTER_NAME = "envoy.filters.network.rbac";

  static final String NETWORK_TYPE =
      "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC";

  /**
   * Envoy's network RBAC filter ({@code extensions.filters.network.rbac.v3.RBAC}) as istiod writes
   * it for a TCP port ({@code builder.go buildTCP}): {@code rules}, {@code shadow_rules} and their
   * stat prefixes; anything else (matchers, {@code enforcement_type} other than ONE_TIME_ON_FIRST_
   * BYTE, {@code delay_deny}) is NACKed. The rules are the same principals and permissions as the
   * HTTP filter's, evaluated without headers.
   */
  static RbacFilterPolicy networkFilter(
      io.envoyproxy.envoy.config.listener.v3.Filter filter, String where) {
    String at = where + " '" + filter.getName() + "'";
    if (!filter.getTypedConfig().getTypeUrl().equals(NETWORK_TYPE)) {
      throw new IllegalArgumentException(
          at
              + " of type "
              + filter.getTypedConfig().getTypeUrl()
              + " is not supported before a tcp_proxy by the embedded sidecar (expected: "
              + NETWORK_TYPE
              + ")");
    }
    XdsDecoder.rejectUnsupported(filter.toBuilder().clearName().clearTypedConfig(), at);
    io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC rbac =
        XdsDecoder.unpack(
            filter.getTypedConfig(),
            io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class,
            at);
    XdsDecoder.rejectUnsupported(
        rbac.toBuilder()
            .clearRules()
            .clearShadowRules()
            .clearStatPrefix()
            .clearShadowRulesStatPrefix(),
        at);
    return new RbacFilterPolicy(
        rbac.hasRules() ? Optional.of(rules(rbac.getRules(), at + ", rules")) : Optional.empty(),
        rbac.hasShadowRules()
            ? Optional.of(rules(rbac.getShadowRules(), at + ", shadow_rules"))
            : Optional.empty());
  }

  private static RbacRules rules(RBAC rules, String where) {
    XdsDecoder.rejectUnsupported(rules.toBuilder().clearAction().clearPolicies(), where);
    RbacRules.Action action =
        switch (rules.getAction()) {
          case ALLOW -> RbacRules.Action.ALLOW;
          case DENY -> RbacRules.Action.DENY;
          case LOG -> RbacRules.Action.LOG;
          default ->
              throw new IllegalArgumentException(
                  where + ": action " + rules.getAction() + " (expected: ALLOW, DENY or LOG)");
        };
    Map<String, RbacPolicy> policies = new LinkedHashMap<>();
    rules
        .getPoliciesMap()
        .forEach((name, policy) -> policies.put(name, policy(policy, where + ", policy " + name)));
    return new RbacRules(action, policies);
  }

  private static RbacPolicy policy(Policy policy, String where) {
    XdsDecoder.rejectUnsupported(policy.toBuilder().clearPermissions().clearPrincipals(), where);
    List<RbacPermission> permissions = new ArrayList<>();
    for (Permission p : policy.getPermissionsList()) {
      permissions.add(permission(p, where + ", permission"));
    }
    List<RbacPrincipal> principals = new ArrayList<>();
    for (Principal p : policy.getPrincipalsList()) {
      principals.add(principal(p, where + ", principal"));
    }
    return new RbacPolicy(permissions, principals);
  }

  private static RbacPermission permission(Permission p, String where) {
    return switch (p.getRuleCase()) {
      case ANY -> new RbacPermission.Any();
      case AND_RULES ->
          new RbacPermission.And(
              p.getAndRules().getRulesList().stream().map(r -> permission(r, where)).toList());
      case OR_RULES ->
          new RbacPermission.Or(
              p.getOrRules().getRulesList().stream().map(r -> permission(r, where)).toList());
      case NOT_RULE -> new RbacPermission.Not(permission(p.getNotRule(), where));
      case HEADER -> new RbacPermission.Header(header(p.getHeader(), where));
      case URL_PATH -> {
        if (!p.getUrlPath().hasPath()) {
          throw new IllegalArgumentException(where + ": url_path without path");
        }
        yield new RbacPermission.UrlPath(
            RouteDecoder.stringMatcher(p.getUrlPath().getPath(), where + ", url_path"));
      }
      case DESTINATION_PORT -> new RbacPermission.DestinationPort(p.getDestinationPort());
      default ->
          throw new IllegalArgumentException(
              where + ": " + p.getRuleCase() + " is not supported by the embedded sidecar");
    };
  }

  private static RbacPrincipal principal(Principal p, String where) {
    return switch (p.getIdentifierCase()) {
      case ANY -> new RbacPrincipal.Any();
      case AND_IDS ->
          new RbacPrincipal.And(
              p.getAndIds().getIdsList().stream().map(i -> principal(i, where)).toList());
      case OR_IDS ->
          new RbacPrincipal.Or(
              p.getOrIds().getIdsList().stream().map(i -> principal(i, where)).toList());
      case NOT_ID -> new RbacPrincipal.Not(principal(p.getNotId(), where));
      case AUTHENTICATED -> {
        if (!p.getAuthenticated().hasPrincipalName()) {
          throw new IllegalArgumentException(
              where
                  + ": authenticated without principal_name is not supported by the embedded"
                  + " sidecar");
        }
        yield new RbacPrincipal.Authenticated(
            RouteDecoder.stringMatcher(
                p.getAuthenticated().getPrincipalName(), where + ", principal_name"));
      }
      case DIRECT_REMOTE_IP -> new RbacPrincipal.DirectRemoteIp(cidr(p.getDirectRemoteIp(), where));
      case HEADER -> new RbacPrincipal.Header(header(p.getHeader(), where));
      case METADATA -> metadata(p.getMetadata(), where);
      default ->
          throw new IllegalArgumentException(
              where + ": " + p.getIdentifierCase() + " is not supported by the embedded sidecar");
    };
  }

  /**
   * A {@code metadata} principal on jwt_authn's payload: string_match, present_match, or list_match
   * one_of string_match (how a request principal or a claim is matched without istio_authn).
   */
  private static RbacPrincipal metadata(
      io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher m, String where) {
    String at = where + ", metadata " + m.getFilter();
    XdsDecoder.rejectUnsupported(
        m.toBuilder().clearFilter().clearPath().clearValue().clearInvert(), at);
    for (var segment : m.getPathList()) {
      if (!segment.hasKey()) {
        throw new IllegalArgumentException(at + ": a path segment without a key");
      }
    }
    return new RbacPrincipal.MetadataValue(
        m.getFilter(),
        m.getPathList().stream().map(s -> s.getKey()).toList(),
        valueMatcher(m.getValue(), at),
        m.getInvert());
  }

  /**
   * The value matchers istiod writes for JWT claims: present_match true, string_match, list_match
   * one_of and or_match of those (a request principal's {@code iss} and {@code sub}, a claim as a
   * string or a list).
   */
  private static MetadataValueMatcher valueMatcher(
      io.envoyproxy.envoy.type.matcher.v3.ValueMatcher value, String at) {
    return switch (value.getMatchPatternCase()) {
      case PRESENT_MATCH -> {
        if (!value.getPresentMatch()) {
          throw new IllegalArgumentException(at + ": present_match false is not supported");
        }
        yield new MetadataValueMatcher.Present();
      }
      case STRING_MATCH ->
          new MetadataValueMatcher.Str(RouteDecoder.stringMatcher(value.getStringMatch(), at));
      case LIST_MATCH -> {
        if (!value.getListMatch().hasOneOf()) {
          throw new IllegalArgumentException(at + ": list_match without one_of");
        }
        yield new MetadataValueMatcher.ListOneOf(valueMatcher(value.getListMatch().getOneOf(), at));
      }
      case OR_MATCH ->
          new MetadataValueMatcher.Or(
              value.getOrMatch().getValueMatchersList().stream()
                  .map(v -> valueMatcher(v, at))
                  .toList());
      default ->
          throw new IllegalArgumentException(
              at
                  + ": "
                  + value.getMatchPatternCase()
                  + " is not supported by the embedded sidecar (expected: string_match,"
                  + " present_match, list_match or or_match)");
    };
  }

  private static CidrRange cidr(io.envoyproxy.envoy.config.core.v3.CidrRange range, String where) {
    try {
      return new CidrRange(
          InetAddress.getByName(range.getAddressPrefix()), range.getPrefixLen().getValue());
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          where + ": direct_remote_ip " + range.getAddressPrefix() + ": " + e.getMessage(), e);
    }
  }

  /** The header matchers istiod writes in RBAC rules: string_match or present_match. */
  private static HeaderMatcher header(
      io.envoyproxy.envoy.config.route.v3.HeaderMatcher header, String where) {
    String at = where + ", header " + header.getName();
    XdsDecoder.rejectUnsupported(
        header.toBuilder()
            .clearName()
            .clearHeaderMatchSpecifier()
            .clearInvertMatch()
            .clearTreatMissingHeaderAsEmpty(),
        at);
    return switch (header.getHeaderMatchSpecifierCase()) {
      case PRESENT_MATCH ->
          HeaderMatcher.presence(
              header.getName(),
              header.getPresentMatch(),
              header.getInvertMatch(),
              header.getTreatMissingHeaderAsEmpty());
      case STRING_MATCH ->
          HeaderMatcher.value(
              header.getName(),
              RouteDecoder.stringMatcher(header.getStringMatch(), at),
              header.getInvertMatch(),
              header.getTreatMissingHeaderAsEmpty());
      default ->
          throw new IllegalArgumentException(
              at
                  + ": "
                  + header.getHeaderMatchSpecifierCase()
                  + " is not supported by the embedded sidecar (expected: string_match or"
                  + " present_match)");
    };
  }
}
