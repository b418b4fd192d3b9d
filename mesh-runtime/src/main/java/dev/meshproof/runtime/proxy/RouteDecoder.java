package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.fault.FaultPolicy;
import dev.meshproof.runtime.policy.retry.RetryBackoff;
import dev.meshproof.runtime.policy.retry.RetryOn;
import dev.meshproof.runtime.policy.retry.RetryPolicy;
import dev.meshproof.runtime.policy.route.DirectResponse;
import dev.meshproof.runtime.policy.route.FractionalPercent;
import dev.meshproof.runtime.policy.route.HeaderChanges;
import dev.meshproof.runtime.policy.route.HeaderMatcher;
import dev.meshproof.runtime.policy.route.MirrorPolicy;
import dev.meshproof.runtime.policy.route.PathRewrite;
import dev.meshproof.runtime.policy.route.QueryParameterMatcher;
import dev.meshproof.runtime.policy.route.Redirect;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.RouteMatch;
import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.policy.route.StringMatcher;
import dev.meshproof.runtime.policy.route.VirtualHost;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.re2.Re2Syntax;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Decodes RDS route configurations (virtual hosts, matches, route actions, retry policies) into a
 * {@link RouteTable}, NACKing whatever the sidecar cannot honour.
 */
final class RouteDecoder {

  private RouteDecoder() {}

  static RouteTable routes(RouteConfiguration config) {
    List<VirtualHost> hosts = new ArrayList<>();
    if (config.hasValidateClusters() && config.getValidateClusters().getValue()) {
      // Only the default (false for RDS) is honoured: routes to unknown clusters answer 503 NC.
      throw new IllegalArgumentException(
          "route config "
              + config.getName()
              + ": validate_clusters true is not supported by the embedded sidecar"
              + " (expected: false or unset)");
    }
    // The header changes are NACKed below with their own message.
    XdsDecoder.rejectUnsupported(
        config.toBuilder()
            .clearName()
            .clearVirtualHosts()
            .clearValidateClusters()
            .clearIgnorePortInHostMatching()
            .clearRequestHeadersToAdd()
            .clearRequestHeadersToRemove()
            .clearResponseHeadersToAdd()
            .clearResponseHeadersToRemove(),
        "route config " + config.getName());
    rejectHeaderChanges(
        config.getRequestHeadersToAddCount()
            + config.getRequestHeadersToRemoveCount()
            + config.getResponseHeadersToAddCount()
            + config.getResponseHeadersToRemoveCount(),
        "route config " + config.getName());
    for (var vh : config.getVirtualHostsList()) {
      XdsDecoder.rejectUnsupported(
          vh.toBuilder()
              .clearName()
              .clearDomains()
              .clearRoutes()
              .clearIncludeRequestAttemptCount()
              .clearRequireTls()
              .clearRequestHeadersToAdd()
              .clearRequestHeadersToRemove()
              .clearResponseHeadersToAdd()
              .clearResponseHeadersToRemove(),
          "route config " + config.getName() + ", virtual host " + vh.getName());
      rejectHeaderChanges(
          vh.getRequestHeadersToAddCount()
              + vh.getRequestHeadersToRemoveCount()
              + vh.getResponseHeadersToAddCount()
              + vh.getResponseHeadersToRemoveCount(),
          "route config " + config.getName() + ", virtual host " + vh.getName());
      List<Route> routes = new ArrayList<>();
      for (var route : vh.getRoutesList()) {
        String where =
            "route config "
                + config.getName()
                + ", virtual host "
                + vh.getName()
                + ", route '"
                + route.getName()
                + "'";
        XdsDecoder.rejectUnsupported(
            route.toBuilder()
                .clearName()
                .clearMatch()
                .clearAction()
                .clearTypedPerFilterConfig()
                .clearRequestHeadersToAdd()
                .clearRequestHeadersToRemove()
                .clearResponseHeadersToAdd()
                .clearResponseHeadersToRemove()
                .clearTypedPerFilterConfig(),
            where);
        routes.add(
            new Route(
                route.getName(),
                match(route.getMatch(), where),
                action(route, vh.getIncludeRequestAttemptCount(), where),
                perFilterFault(route, where),
                CorsDecoder.perFilterConfig(route.getTypedPerFilterConfigMap(), where)));
      }
      hosts.add(
          new VirtualHost(
              vh.getName(),
              vh.getDomainsList(),
              routes,
              requireTls(
                  vh.getRequireTls(),
                  "route config " + config.getName() + ", virtual host " + vh.getName())));
    }
    return new RouteTable(config.getName(), hosts, config.getIgnorePortInHostMatching());
  }

  /** {@code require_tls}: NONE or ALL (istiod's httpsRedirect); EXTERNAL_ONLY is not modelled. */
  private static boolean requireTls(
      io.envoyproxy.envoy.config.route.v3.VirtualHost.TlsRequirementType type, String where) {
    return switch (type) {
      case NONE -> false;
      case ALL -> true;
      default ->
          throw new IllegalArgumentException(
              where
                  + ": require_tls "
                  + type
                  + " is not supported by the embedded sidecar (expected: NONE or ALL)");
    };
  }

  private static RouteMatch match(
      io.envoyproxy.envoy.config.route.v3.RouteMatch match, String where) {
    boolean caseSensitive = !match.hasCaseSensitive() || match.getCaseSensitive().getValue();
    Optional<StringMatcher> path =
        switch (match.getPathSpecifierCase()) {
          case PREFIX ->
              match.getPrefix().equals("/")
                  ? Optional.empty()
                  : Optional.of(new StringMatcher.Prefix(match.getPrefix(), !caseSensitive));
          case PATH -> Optional.of(new StringMatcher.Exact(match.getPath(), !caseSensitive));
          // Envoy ignores case_sensitive for safe_regex (RouteMatch docs), so an Istio regex with
          // ignoreUriCase stays case-sensitive; found by DataPlaneDifferentialIT.
          case SAFE_REGEX ->
              Optional.of(
                  new StringMatcher.Regex(regex(match.getSafeRegex().getRegex(), true, where)));
          default ->
              throw new IllegalArgumentException(
                  where
                      + ": path specifier "
                      + match.getPathSpecifierCase()
                      + " is not supported by the embedded sidecar");
        };
    if (match.hasRuntimeFraction() || match.hasGrpc()) {
      throw new IllegalArgumentException(
          where
              + ": runtime fraction and gRPC matches are not supported by the embedded sidecar yet");
    }
    XdsDecoder.rejectUnsupported(
        match.toBuilder()
            .clearPathSpecifier()
            .clearCaseSensitive()
            .clearHeaders()
            .clearQueryParameters()
            .clearRuntimeFraction()
            .clearGrpc(),
        where + ", match");
    List<HeaderMatcher> headers = new ArrayList<>();
    for (var header : match.getHeadersList()) {
      String at = where + ", header matcher '" + header.getName() + "'";
      XdsDecoder.rejectUnsupported(
          header.toBuilder()
              .clearName()
              .clearHeaderMatchSpecifier()
              .clearInvertMatch()
              .clearTreatMissingHeaderAsEmpty(),
          at);
      if (header.getHeaderMatchSpecifierCase()
          == io.envoyproxy.envoy.config.route.v3.HeaderMatcher.HeaderMatchSpecifierCase
              .PRESENT_MATCH) {
        headers.add(
            HeaderMatcher.presence(
                header.getName(),
                header.getPresentMatch(),
                header.getInvertMatch(),
                header.getTreatMissingHeaderAsEmpty()));
        continue;
      }
      StringMatcher value =
          switch (header.getHeaderMatchSpecifierCase()) {
            case STRING_MATCH -> stringMatcher(header.getStringMatch(), at);
            case EXACT_MATCH -> new StringMatcher.Exact(header.getExactMatch(), false);
            case PREFIX_MATCH -> new StringMatcher.Prefix(header.getPrefixMatch(), false);
            case SAFE_REGEX_MATCH ->
                new StringMatcher.Regex(regex(header.getSafeRegexMatch().getRegex(), true, at));
            default ->
                throw new IllegalArgumentException(
                    at
                        + ": header match "
                        + header.getHeaderMatchSpecifierCase()
                        + " is not supported by the embedded sidecar");
          };
      headers.add(
          HeaderMatcher.value(
              header.getName(),
              value,
              header.getInvertMatch(),
              header.getTreatMissingHeaderAsEmpty()));
    }
    List<QueryParameterMatcher> queryParameters = new ArrayList<>();
    for (var query : match.getQueryParametersList()) {
      String at = where + ", query parameter matcher '" + query.getName() + "'";
      XdsDecoder.rejectUnsupported(
          query.toBuilder().clearName().clearQueryParameterMatchSpecifier(), at);
      switch (query.getQueryParameterMatchSpecifierCase()) {
        case PRESENT_MATCH -> {
          if (!query.getPresentMatch()) {
            throw new IllegalArgumentException(
                at + ": present_match false is not supported by the embedded sidecar");
          }
          queryParameters.add(new QueryParameterMatcher(query.getName(), Optional.empty()));
        }
        case STRING_MATCH ->
            queryParameters.add(
                new QueryParameterMatcher(
                    query.getName(), Optional.of(stringMatcher(query.getStringMatch(), at))));
        default ->
            throw new IllegalArgumentException(
                at + ": a query parameter matcher needs present_match or string_match");
      }
    }
    return new RouteMatch(path, headers, queryParameters);
  }

  /**
   * An Envoy StringMatcher the sidecar honours (exact, prefix, suffix, RE2 safe_regex), else a
   * NACK.
   */
  static StringMatcher stringMatcher(
      io.envoyproxy.envoy.type.matcher.v3.StringMatcher m, String where) {
    return switch (m.getMatchPatternCase()) {
      case EXACT -> new StringMatcher.Exact(m.getExact(), m.getIgnoreCase());
      case PREFIX -> new StringMatcher.Prefix(m.getPrefix(), m.getIgnoreCase());
      case SUFFIX -> new StringMatcher.Suffix(m.getSuffix(), m.getIgnoreCase());
      case SAFE_REGEX -> new StringMatcher.Regex(regex(m.getSafeRegex().getRegex(), true, where));
      default ->
          throw new IllegalArgumentException(
              where
                  + ": string match "
                  + m.getMatchPatternCase()
                  + " is not supported by the embedded sidecar");
    };
  }

  private static java.util.regex.Pattern regex(String regex, boolean caseSensitive, String where) {
    try {
      return Re2Syntax.compile(regex, caseSensitive);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * The route's action as the router honours it: a redirect, a direct response, or clusters with
   * timeout, retry policy, mirror policies, prefix or regex path rewrite, host_rewrite_literal; and
   * the route's and weighted clusters' header changes. Hash policies and other host rewrites are
   * NACKed until the router implements them.
   */
  private static dev.meshproof.runtime.policy.route.RouteAction action(
      io.envoyproxy.envoy.config.route.v3.Route route,
      boolean includeRequestAttemptCount,
      String where) {
    HeaderChanges requestChanges =
        headerChanges(
            route.getRequestHeadersToAddList(), route.getRequestHeadersToRemoveList(), where);
    HeaderChanges responseChanges =
        headerChanges(
            route.getResponseHeadersToAddList(), route.getResponseHeadersToRemoveList(), where);
    var routeBuilder =
        dev.meshproof.runtime.policy.route.RouteAction.builder()
            .requestHeaderChanges(requestChanges)
            .responseHeaderChanges(responseChanges)
            .includeRequestAttemptCount(includeRequestAttemptCount);
    if (route.hasRedirect()) {
      return build(
          routeBuilder.redirect(redirect(route.getRedirect(), where + ", redirect")), where);
    }
    if (route.hasDirectResponse()) {
      var direct = route.getDirectResponse();
      XdsDecoder.rejectUnsupported(
          direct.toBuilder().clearStatus().clearBody(), where + ", direct_response");
      String body = "";
      if (direct.hasBody()) {
        XdsDecoder.rejectUnsupported(
            direct.getBody().toBuilder().clearInlineString().clearInlineBytes(),
            where + ", direct_response body");
        body =
            direct.getBody().hasInlineBytes()
                ? direct.getBody().getInlineBytes().toStringUtf8()
                : direct.getBody().getInlineString();
      }
      try {
        return build(
            routeBuilder.directResponse(new DirectResponse(direct.getStatus(), body)), where);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ", direct_response: " + e.getMessage(), e);
      }
    }
    if (!route.hasRoute()) {
      throw new IllegalArgumentException(
          where
              + ": action "
              + route.getActionCase()
              + " is not supported by the embedded sidecar yet");
    }
    RouteAction action = route.getRoute();
    for (RouteAction.HashPolicy hash : action.getHashPolicyList()) {
      routeBuilder.hashPolicy(hashPolicy(hash, where + ", hash_policy"));
    }
    if (!action.getPrefixRewrite().isEmpty() && action.hasRegexRewrite()) {
      throw new IllegalArgumentException(
          where + ": prefix_rewrite and regex_rewrite are mutually exclusive");
    }
    if (!action.getPrefixRewrite().isEmpty()) {
      routeBuilder.rewrite(PathRewrite.prefix(action.getPrefixRewrite()));
    } else if (action.hasRegexRewrite()) {
      XdsDecoder.rejectUnsupported(
          action.getRegexRewrite().toBuilder().clearPattern().clearSubstitution(),
          where + ", regex_rewrite");
      XdsDecoder.rejectUnsupported(
          action.getRegexRewrite().getPattern().toBuilder().clearRegex(),
          where + ", regex_rewrite pattern");
      routeBuilder.rewrite(
          PathRewrite.regex(
              regex(action.getRegexRewrite().getPattern().getRegex(), true, where),
              action.getRegexRewrite().getSubstitution()));
    }
    switch (action.getHostRewriteSpecifierCase()) {
      case HOST_REWRITE_LITERAL -> routeBuilder.hostRewrite(action.getHostRewriteLiteral());
      case HOSTREWRITESPECIFIER_NOT_SET -> {}
      default ->
          throw new IllegalArgumentException(
              where
                  + ": host rewrite "
                  + action.getHostRewriteSpecifierCase()
                  + " is not supported by the embedded sidecar yet");
    }
    // Envoy's default for an unset route timeout is 15 s (Istio always sets one, 0s = disabled).
    Duration timeout =
        action.hasTimeout() ? XdsDecoder.duration(action.getTimeout()) : Duration.ofSeconds(15);
    var builder = routeBuilder.timeout(timeout);
    if (action.hasMaxGrpcTimeout()) {
      // Deprecated in Envoy but what istiod sets on every route (route.go setTimeout).
      @SuppressWarnings("deprecation")
      Duration maxGrpcTimeout = XdsDecoder.duration(action.getMaxGrpcTimeout());
      builder.maxGrpcTimeout(maxGrpcTimeout);
    }
    if (action.hasRetryPolicy()) {
      builder.retryPolicy(retryPolicy(action.getRetryPolicy(), where + ", retry_policy"));
    }
    for (int i = 0; i < action.getRequestMirrorPoliciesCount(); i++) {
      builder.mirrorPolicy(
          mirrorPolicy(
              action.getRequestMirrorPolicies(i), where + ", request_mirror_policies[" + i + "]"));
    }
    switch (action.getClusterSpecifierCase()) {
      case CLUSTER -> builder.cluster(action.getCluster());
      case WEIGHTED_CLUSTERS -> {
        // total_weight (deprecated) and runtime keys would change the split: the picker divides
        // by the sum of the weights, as Envoy does without total_weight.
        XdsDecoder.rejectUnsupported(
            action.getWeightedClusters().toBuilder().clearClusters(),
            where + ", weighted_clusters");
        List<WeightedCluster> out = new ArrayList<>();
        for (var c : action.getWeightedClusters().getClustersList()) {
          String at = where + ", weighted_clusters cluster '" + c.getName() + "'";
          XdsDecoder.rejectUnsupported(
              c.toBuilder()
                  .clearName()
                  .clearWeight()
                  .clearRequestHeadersToAdd()
                  .clearRequestHeadersToRemove()
                  .clearResponseHeadersToAdd()
                  .clearResponseHeadersToRemove()
                  .clearHostRewriteLiteral(),
              at);
          out.add(
              new WeightedCluster(
                  c.getName(),
                  c.hasWeight() ? c.getWeight().getValue() : 0,
                  headerChanges(
                      c.getRequestHeadersToAddList(), c.getRequestHeadersToRemoveList(), at),
                  headerChanges(
                      c.getResponseHeadersToAddList(), c.getResponseHeadersToRemoveList(), at),
                  c.getHostRewriteLiteral().isEmpty()
                      ? Optional.empty()
                      : Optional.of(c.getHostRewriteLiteral())));
        }
        builder.weightedClusters(out);
      }
      default ->
          throw new IllegalArgumentException(
              where
                  + ": cluster specifier "
                  + action.getClusterSpecifierCase()
                  + " is not supported");
    }
    return build(builder, where);
  }

  private static dev.meshproof.runtime.policy.route.RouteAction build(
      dev.meshproof.runtime.policy.route.RouteAction.Builder builder, String where) {
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * Envoy's {@code RedirectAction} as the router honours it: host, path, scheme and port redirects
   * with a response code; {@code https_redirect}, {@code prefix_rewrite}, {@code regex_rewrite} and
   * {@code strip_query} are NACKed.
   */
  private static Redirect redirect(RedirectAction redirect, String where) {
    XdsDecoder.rejectUnsupported(
        redirect.toBuilder()
            .clearHostRedirect()
            .clearPathRedirect()
            .clearSchemeRedirect()
            .clearPortRedirect()
            .clearResponseCode(),
        where);
    int code =
        switch (redirect.getResponseCode()) {
          case MOVED_PERMANENTLY -> 301;
          case FOUND -> 302;
          case SEE_OTHER -> 303;
          case TEMPORARY_REDIRECT -> 307;
          case PERMANENT_REDIRECT -> 308;
          default ->
              throw new IllegalArgumentException(
                  where + ": response_code " + redirect.getResponseCode() + " is not supported");
        };
    return new Redirect(
        nonEmpty(redirect.getSchemeRedirect()),
        nonEmpty(redirect.getHostRedirect()),
        redirect.getPortRedirect() == 0
            ? OptionalInt.empty()
            : OptionalInt.of(redirect.getPortRedirect()),
        nonEmpty(redirect.getPathRedirect()),
        code);
  }

  private static Optional<String> nonEmpty(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /**
   * {@code *_headers_to_add} and {@code *_headers_to_remove} of a route or weighted cluster: each
   * {@code HeaderValueOption} with its {@code append_action}; the deprecated {@code append}, {@code
   * keep_empty_value}, raw values and %-operators (Envoy's header formatters, which the sidecar
   * does not render) are NACKed.
   */
  private static HeaderChanges headerChanges(
      List<HeaderValueOption> add, List<String> remove, String where) {
    List<HeaderChanges.HeaderAddition> additions = new ArrayList<>();
    for (HeaderValueOption option : add) {
      String at = where + ", header to add '" + option.getHeader().getKey() + "'";
      XdsDecoder.rejectUnsupported(option.toBuilder().clearHeader().clearAppendAction(), at);
      XdsDecoder.rejectUnsupported(
          option.getHeader().toBuilder().clearKey().clearValue(), at + " header");
      String name = option.getHeader().getKey();
      String value = option.getHeader().getValue();
      if (name.startsWith(":") || name.equalsIgnoreCase("host")) {
        // Envoy rejects these in headers_to_add: pseudo-headers and Host cannot be modified.
        throw new IllegalArgumentException(
            at + ": ':' prefixed headers or Host may not be modified");
      }
      if (value.contains("%")) {
        throw new IllegalArgumentException(
            at + ": header value operators (%...%) are not supported by the embedded sidecar");
      }
      HeaderChanges.AppendAction action =
          switch (option.getAppendAction()) {
            case APPEND_IF_EXISTS_OR_ADD -> HeaderChanges.AppendAction.APPEND_IF_EXISTS_OR_ADD;
            case ADD_IF_ABSENT -> HeaderChanges.AppendAction.ADD_IF_ABSENT;
            case OVERWRITE_IF_EXISTS_OR_ADD ->
                HeaderChanges.AppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
            case OVERWRITE_IF_EXISTS -> HeaderChanges.AppendAction.OVERWRITE_IF_EXISTS;
            default ->
                throw new IllegalArgumentException(
                    at + ": append_action " + option.getAppendAction() + " is not supported");
          };
      additions.add(new HeaderChanges.HeaderAddition(name, value, action));
    }
    for (String name : remove) {
      if (name.startsWith(":") || name.equalsIgnoreCase("host")) {
        throw new IllegalArgumentException(
            where
                + ": header to remove '"
                + name
                + "': ':' prefixed headers or Host may not be removed");
      }
    }
    return new HeaderChanges(additions, remove);
  }

  /**
   * Envoy's retry policy as the router honours it: {@code retry_on} conditions of {@link RetryOn},
   * {@code num_retries} (Envoy's default 1), {@code retriable_status_codes}, {@code
   * per_try_timeout}, the {@code previous_hosts} host predicate, {@code
   * host_selection_retry_max_attempts}, {@code retry_back_off} and the {@code retry_priority}
   * {@code previous_priorities} (Istio's {@code retryRemoteLocalities}, {@link
   * dev.meshproof.runtime.policy.lb.PreviousPriorities}). Anything else is NACKed.
   */
  private static RetryPolicy retryPolicy(
      io.envoyproxy.envoy.config.route.v3.RetryPolicy policy, String where) {
    Set<RetryOn> on = new LinkedHashSet<>();
    for (String token : policy.getRetryOn().split(",")) {
      String name = token.strip();
      if (name.isEmpty()) {
        continue;
      }
      on.add(
          RetryOn.of(name)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          where
                              + ": retry_on '"
                              + name
                              + "' not supported by the embedded sidecar (supported: "
                              + RetryOn.allowed()
                              + ")")));
    }
    boolean previousHosts = false;
    for (var predicate : policy.getRetryHostPredicateList()) {
      if (!predicate.getName().equals("envoy.retry_host_predicates.previous_hosts")) {
        throw new IllegalArgumentException(
            where
                + ": retry_host_predicate '"
                + predicate.getName()
                + "' not supported by the embedded sidecar (supported:"
                + " envoy.retry_host_predicates.previous_hosts)");
      }
      previousHosts = true;
    }
    if (policy.hasRetryPriority()
        && !policy
            .getRetryPriority()
            .getName()
            .equals("envoy.retry_priorities.previous_priorities")) {
      throw new IllegalArgumentException(
          where
              + ": retry_priority '"
              + policy.getRetryPriority().getName()
              + "' not supported by the embedded sidecar (supported:"
              + " envoy.retry_priorities.previous_priorities)");
    }
    RetryBackoff backoff = RetryBackoff.ENVOY_DEFAULT;
    if (policy.hasRetryBackOff()) {
      Duration base = XdsDecoder.duration(policy.getRetryBackOff().getBaseInterval());
      Duration max =
          policy.getRetryBackOff().hasMaxInterval()
              ? XdsDecoder.duration(policy.getRetryBackOff().getMaxInterval())
              : base.multipliedBy(10);
      backoff = new RetryBackoff(base, max);
    }
    var rest =
        policy.toBuilder()
            .clearRetryOn()
            .clearNumRetries()
            .clearRetriableStatusCodes()
            .clearPerTryTimeout()
            .clearRetryHostPredicate()
            .clearHostSelectionRetryMaxAttempts()
            .clearRetryPriority()
            .clearRetryBackOff();
    XdsDecoder.rejectUnsupported(rest, where);
    try {
      return new RetryPolicy(
          policy.hasNumRetries() ? policy.getNumRetries().getValue() : 1,
          on,
          new LinkedHashSet<>(policy.getRetriableStatusCodesList()),
          policy.hasPerTryTimeout() && !XdsDecoder.duration(policy.getPerTryTimeout()).isZero()
              ? Optional.of(XdsDecoder.duration(policy.getPerTryTimeout()))
              : Optional.empty(),
          previousHosts,
          (int) Math.max(1, policy.getHostSelectionRetryMaxAttempts()),
          backoff,
          previousPrioritiesUpdateFrequency(policy, where));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * The {@code update_frequency} of a {@code previous_priorities} retry priority (0: none); Envoy's
   * proto requires it to be above 0.
   */
  private static int previousPrioritiesUpdateFrequency(
      io.envoyproxy.envoy.config.route.v3.RetryPolicy policy, String where) {
    if (!policy.hasRetryPriority()) {
      return 0;
    }
    try {
      int frequency =
          policy
              .getRetryPriority()
              .getTypedConfig()
              .unpack(
                  io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3
                      .PreviousPrioritiesConfig.class)
              .getUpdateFrequency();
      if (frequency <= 0) {
        throw new IllegalArgumentException(
            where + ": previous_priorities update_frequency " + frequency + " (expected: > 0)");
      }
      return frequency;
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          where + ": retry_priority previous_priorities: " + e.getMessage(), e);
    }
  }

  /**
   * A route's {@code typed_per_filter_config}: the fault filter's configuration ({@link
   * FaultDecoder}); a configuration for any other filter is NACKed, as the sidecar runs no other
   * filter it could apply to.
   */
  private static Optional<FaultPolicy> perFilterFault(
      io.envoyproxy.envoy.config.route.v3.Route route, String where) {
    Optional<FaultPolicy> fault = Optional.empty();
    for (var entry : route.getTypedPerFilterConfigMap().entrySet()) {
      String at = where + ", typed_per_filter_config '" + entry.getKey() + "'";
      if (entry.getKey().equals(CorsDecoder.FILTER_NAME)) {
        continue; // CorsDecoder.perFilterConfig
      }
      if (!entry.getKey().equals(ProxyConfig.HttpFilterConfig.Fault.NAME)) {
        throw new IllegalArgumentException(
            at
                + " is not supported by the embedded sidecar (expected: "
                + ProxyConfig.HttpFilterConfig.Fault.NAME
                + " or "
                + CorsDecoder.FILTER_NAME
                + ")");
      }
      fault = Optional.of(FaultDecoder.fault(entry.getValue(), at));
    }
    return fault;
  }

  /**
   * One {@code request_mirror_policies} entry: {@code cluster}, {@code runtime_fraction}'s default
   * value (no runtime key: the sidecar has no runtime), {@code disable_shadow_host_suffix_append},
   * and {@code trace_sampled} (tracing is not modelled, so it changes nothing observable). A {@code
   * cluster_header} or anything else is NACKed.
   */
  private static MirrorPolicy mirrorPolicy(RouteAction.RequestMirrorPolicy policy, String where) {
    XdsDecoder.rejectUnsupported(
        policy.toBuilder()
            .clearCluster()
            .clearRuntimeFraction()
            .clearTraceSampled()
            .clearDisableShadowHostSuffixAppend(),
        where);
    XdsDecoder.rejectUnsupported(
        policy.getRuntimeFraction().toBuilder().clearDefaultValue(), where + ", runtime_fraction");
    if (policy.getCluster().isEmpty()) {
      throw new IllegalArgumentException(
          where + ": cluster is empty (cluster_header is not supported by the embedded sidecar)");
    }
    // Envoy's ShadowPolicyImpl: without runtime_fraction, every request is mirrored.
    FractionalPercent fraction =
        policy.hasRuntimeFraction()
            ? FaultDecoder.percent(
                policy.getRuntimeFraction().getDefaultValue(), where + ", runtime_fraction")
            : FractionalPercent.ALWAYS;
    return new MirrorPolicy(
        policy.getCluster(), fraction, policy.getDisableShadowHostSuffixAppend());
  }

  private static void rejectHeaderChanges(int count, String where) {
    if (count > 0) {
      throw new IllegalArgumentException(
          where
              + ": request/response headers to add/remove are not supported by the embedded"
              + " sidecar yet");
    }
  }

  /**
   * One {@code hash_policy} as istiod emits them (header, cookie, source IP, query parameter);
   * anything else (terminal, regex rewrites, cookie attributes, filter state) is NACKed.
   */
  private static dev.meshproof.runtime.policy.lb.HashPolicy hashPolicy(
      RouteAction.HashPolicy hash, String where) {
    if (hash.getTerminal()) {
      throw new IllegalArgumentException(
          where + ": terminal is not supported by the embedded sidecar");
    }
    switch (hash.getPolicySpecifierCase()) {
      case HEADER -> {
        XdsDecoder.rejectUnsupported(hash.getHeader().toBuilder().clearHeaderName(), where);
        return new dev.meshproof.runtime.policy.lb.HashPolicy.Header(
            hash.getHeader().getHeaderName().toLowerCase(java.util.Locale.ROOT));
      }
      case COOKIE -> {
        RouteAction.HashPolicy.Cookie cookie = hash.getCookie();
        XdsDecoder.rejectUnsupported(cookie.toBuilder().clearName().clearTtl().clearPath(), where);
        return new dev.meshproof.runtime.policy.lb.HashPolicy.Cookie(
            cookie.getName(),
            cookie.hasTtl()
                ? java.util.Optional.of(XdsDecoder.duration(cookie.getTtl()))
                : java.util.Optional.empty(),
            cookie.getPath());
      }
      case CONNECTION_PROPERTIES -> {
        if (!hash.getConnectionProperties().getSourceIp()) {
          throw new IllegalArgumentException(where + ": connection_properties without source_ip");
        }
        return new dev.meshproof.runtime.policy.lb.HashPolicy.SourceIp();
      }
      case QUERY_PARAMETER -> {
        return new dev.meshproof.runtime.policy.lb.HashPolicy.QueryParameter(
            hash.getQueryParameter().getName());
      }
      default ->
          throw new IllegalArgumentException(
              where
                  + ": "
                  + hash.getPolicySpecifierCase()
                  + " is not supported by the embedded sidecar");
    }
  }
}
