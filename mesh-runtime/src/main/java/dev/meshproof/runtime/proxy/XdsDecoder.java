package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Value;
import dev.meshproof.runtime.policy.circuit.CircuitBreakerThresholds;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.outlier.HostSelection;
import dev.meshproof.runtime.policy.outlier.OutlierDetectionPolicy;
import dev.meshproof.runtime.policy.retry.RetryBackoff;
import dev.meshproof.runtime.policy.retry.RetryOn;
import dev.meshproof.runtime.policy.retry.RetryPolicy;
import dev.meshproof.runtime.policy.route.HeaderMatcher;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.RouteMatch;
import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.policy.route.StringMatcher;
import dev.meshproof.runtime.policy.route.VirtualHost;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.proxy.ProxyConfig.AccessLogConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainMatch;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpConnectionManagerConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import dev.meshproof.runtime.re2.Re2Syntax;
import dev.meshproof.runtime.telemetry.AccessLogFormat;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Decodes Envoy v3 resources into the sidecar's immutable routing values, rejecting (so the ADS
 * client NACKs) anything the embedded sidecar cannot honour exactly: silently ignoring a field
 * would make it route differently from Envoy with the same config.
 */
final class XdsDecoder {
  private static final String RAW_BUFFER = "raw_buffer";
  private static final String FILE_ACCESS_LOG_TYPE =
      "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog";
  private static final String ROUTER_TYPE =
      "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

  private XdsDecoder() {}

  /**
   * A listener with its filter chains, each with its match, HTTP filters and its inline route table
   * decoded or the name of its RDS route config.
   */
  static ListenerConfig listener(Listener listener) {
    String where = "listener " + listener.getName();
    InetSocketAddress address = socketAddress(listener.getAddress(), where);
    if (listener.hasDefaultFilterChain() || listener.getListenerFiltersCount() > 0) {
      throw new IllegalArgumentException(
          where
              + ": default_filter_chain and listener_filters are not supported by the embedded"
              + " sidecar");
    }
    if (listener.getFilterChainsCount() == 0) {
      throw new IllegalArgumentException(where + ": expected at least one filter chain");
    }
    List<FilterChainConfig> chains = new ArrayList<>();
    Set<FilterChainMatch> matches = new HashSet<>();
    for (int i = 0; i < listener.getFilterChainsCount(); i++) {
      FilterChainConfig chain =
          filterChain(listener.getFilterChains(i), where + ", filter chain " + i);
      if (!matches.add(chain.match())) {
        // Envoy rejects the listener for this: the second chain could never be selected.
        throw new IllegalArgumentException(
            where + ": multiple filter chains with the same matching rules " + chain.match());
      }
      chains.add(chain);
    }
    return new ListenerConfig(listener.getName(), address, chains);
  }

  private static FilterChainConfig filterChain(FilterChain chain, String where) {
    rejectUnsupported(
        chain.toBuilder().clearFilterChainMatch().clearFilters().clearName().clearMetadata(),
        where);
    if (chain.getFiltersCount() != 1) {
      throw new IllegalArgumentException(
          where + ": expected exactly one filter, an HTTP connection manager");
    }
    HttpConnectionManager hcm =
        unpack(chain.getFilters(0).getTypedConfig(), HttpConnectionManager.class, where);
    rejectUnsupported(
        hcm.toBuilder()
            .clearStatPrefix()
            .clearCodecType()
            .clearAccessLog()
            .clearHttpFilters()
            .clearRds()
            .clearRouteConfig(),
        where + ", HTTP connection manager");
    if (hcm.getCodecType() != HttpConnectionManager.CodecType.AUTO) {
      throw new IllegalArgumentException(
          where
              + ", HTTP connection manager: codec_type "
              + hcm.getCodecType()
              + " is not supported by the embedded sidecar (expected: AUTO)");
    }
    if (hcm.getStatPrefix().isEmpty()) {
      // Envoy's validation requires it: min_len 1.
      throw new IllegalArgumentException(
          where + ", HTTP connection manager: stat_prefix is empty (expected: a prefix)");
    }
    List<AccessLogConfig> accessLogs = accessLogs(hcm, where);
    List<HttpFilterConfig> filters = httpFilters(hcm, where);
    FilterChainMatch match = filterChainMatch(chain.getFilterChainMatch(), where);
    if (hcm.hasRds()) {
      rejectUnsupported(
          hcm.getRds().toBuilder().clearConfigSource().clearRouteConfigName(), where + ", rds");
      return new FilterChainConfig(
          match,
          new HttpConnectionManagerConfig(
              hcm.getStatPrefix(),
              accessLogs,
              filters,
              hcm.getRds().getRouteConfigName(),
              Optional.empty()));
    }
    if (hcm.hasRouteConfig()) {
      RouteTable table = routes(hcm.getRouteConfig());
      return new FilterChainConfig(
          match,
          new HttpConnectionManagerConfig(
              hcm.getStatPrefix(), accessLogs, filters, table.name(), Optional.of(table)));
    }
    throw new IllegalArgumentException(
        where + ": HTTP connection manager has neither rds nor route_config");
  }

  /**
   * The criteria the listener can evaluate on a plaintext connection: destination port and the
   * {@code raw_buffer} transport. Server names, ALPN and source or destination ranges are NACKed
   * until TLS and PERMISSIVE mTLS let the listener evaluate them.
   */
  private static FilterChainMatch filterChainMatch(
      io.envoyproxy.envoy.config.listener.v3.FilterChainMatch match, String where) {
    rejectUnsupported(
        match.toBuilder().clearDestinationPort().clearTransportProtocol(),
        where + ", filter_chain_match");
    if (!match.getTransportProtocol().isEmpty()
        && !match.getTransportProtocol().equals(RAW_BUFFER)) {
      throw new IllegalArgumentException(
          where
              + ", filter_chain_match: transport_protocol '"
              + match.getTransportProtocol()
              + "' is not supported by the embedded sidecar (expected: '"
              + RAW_BUFFER
              + "' or none)");
    }
    return new FilterChainMatch(
        match.hasDestinationPort()
            ? OptionalInt.of(match.getDestinationPort().getValue())
            : OptionalInt.empty(),
        match.getTransportProtocol().isEmpty()
            ? Optional.empty()
            : Optional.of(match.getTransportProtocol()));
  }

  /**
   * The connection manager's {@code http_filters}, in order. Only filters the sidecar implements
   * decode; any other name or type is NACKed, since ignoring a filter (an authz or fault filter)
   * would serve traffic Envoy would not.
   */
  private static List<HttpFilterConfig> httpFilters(HttpConnectionManager hcm, String where) {
    List<HttpFilterConfig> out = new ArrayList<>();
    for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
      HttpFilter filter = hcm.getHttpFilters(i);
      String at = where + ", http_filters[" + i + "] '" + filter.getName() + "'";
      if (!filter.getName().equals(HttpFilterConfig.Router.NAME)
          || !filter.getTypedConfig().getTypeUrl().equals(ROUTER_TYPE)) {
        throw new IllegalArgumentException(
            at
                + " of type "
                + filter.getTypedConfig().getTypeUrl()
                + " is not supported by the embedded sidecar (expected: "
                + HttpFilterConfig.Router.NAME
                + " of type "
                + ROUTER_TYPE
                + ")");
      }
      rejectUnsupported(filter.toBuilder().clearName().clearTypedConfig(), at);
      rejectUnsupported(unpack(filter.getTypedConfig(), Router.class, at).toBuilder(), at);
      if (i != hcm.getHttpFiltersCount() - 1) {
        throw new IllegalArgumentException(at + ": the router must be the last HTTP filter");
      }
      out.add(new HttpFilterConfig.Router());
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          where + ": http_filters is empty (expected: " + HttpFilterConfig.Router.NAME + ")");
    }
    return out;
  }

  /**
   * The connection manager's {@code access_log}: only Envoy's file logger with a {@code
   * json_format} of string operators the sidecar produces ({@link AccessLogFormat}); a text format,
   * a filter, another logger or an operator it cannot render is NACKed rather than logged wrong.
   */
  private static List<AccessLogConfig> accessLogs(HttpConnectionManager hcm, String where) {
    List<AccessLogConfig> out = new ArrayList<>();
    for (int i = 0; i < hcm.getAccessLogCount(); i++) {
      AccessLog log = hcm.getAccessLog(i);
      String at = where + ", access_log[" + i + "] '" + log.getName() + "'";
      if (!log.getTypedConfig().getTypeUrl().equals(FILE_ACCESS_LOG_TYPE)) {
        throw new IllegalArgumentException(
            at
                + " of type "
                + log.getTypedConfig().getTypeUrl()
                + " is not supported by the embedded sidecar (expected: "
                + FILE_ACCESS_LOG_TYPE
                + ")");
      }
      rejectUnsupported(log.toBuilder().clearName().clearTypedConfig(), at);
      FileAccessLog file = unpack(log.getTypedConfig(), FileAccessLog.class, at);
      rejectUnsupported(file.toBuilder().clearPath().clearLogFormat(), at);
      SubstitutionFormatString format = file.getLogFormat();
      if (!format.hasJsonFormat()) {
        throw new IllegalArgumentException(
            at
                + ": log_format "
                + (file.hasLogFormat() ? format.getFormatCase() : "(default text format)")
                + " is not supported by the embedded sidecar (expected: json_format)");
      }
      rejectUnsupported(format.toBuilder().clearJsonFormat(), at + ", log_format");
      Map<String, String> keys = new LinkedHashMap<>();
      for (Map.Entry<String, Value> field : format.getJsonFormat().getFieldsMap().entrySet()) {
        String operator = field.getValue().getStringValue();
        if (field.getValue().getKindCase() != Value.KindCase.STRING_VALUE
            || !AccessLogFormat.supports(operator)) {
          throw new IllegalArgumentException(
              at
                  + ", json_format."
                  + field.getKey()
                  + ": "
                  + field.getValue().toString().strip()
                  + " is not supported by the embedded sidecar (expected one of: "
                  + AccessLogFormat.supportedOperators()
                  + ")");
        }
        keys.put(field.getKey(), operator);
      }
      out.add(new AccessLogConfig(file.getPath(), keys));
    }
    return out;
  }

  /** NACKs a message that still has fields set after the decoded ones were cleared. */
  private static void rejectUnsupported(Message.Builder rest, String where) {
    Map<FieldDescriptor, Object> fields = rest.getAllFields();
    if (!fields.isEmpty()) {
      throw new IllegalArgumentException(
          where
              + ": "
              + fields.keySet().stream().map(FieldDescriptor::getName).sorted().toList()
              + " not supported by the embedded sidecar");
    }
  }

  static RouteTable routes(RouteConfiguration config) {
    List<VirtualHost> hosts = new ArrayList<>();
    // The header changes are NACKed below with their own message.
    rejectUnsupported(
        config.toBuilder()
            .clearName()
            .clearVirtualHosts()
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
      rejectUnsupported(
          vh.toBuilder()
              .clearName()
              .clearDomains()
              .clearRoutes()
              .clearIncludeRequestAttemptCount()
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
        routes.add(
            new Route(
                route.getName(),
                match(route.getMatch(), where),
                action(route, vh.getIncludeRequestAttemptCount(), where)));
      }
      hosts.add(new VirtualHost(vh.getName(), vh.getDomainsList(), routes));
    }
    return new RouteTable(config.getName(), hosts, config.getIgnorePortInHostMatching());
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
    if (match.getQueryParametersCount() > 0 || match.hasRuntimeFraction() || match.hasGrpc()) {
      throw new IllegalArgumentException(
          where
              + ": query parameter, runtime fraction and gRPC matches are not supported by the embedded sidecar yet");
    }
    rejectUnsupported(
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
      rejectUnsupported(
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
    return new RouteMatch(path, headers);
  }

  private static StringMatcher stringMatcher(
      io.envoyproxy.envoy.type.matcher.v3.StringMatcher m, String where) {
    return switch (m.getMatchPatternCase()) {
      case EXACT -> new StringMatcher.Exact(m.getExact(), m.getIgnoreCase());
      case PREFIX -> new StringMatcher.Prefix(m.getPrefix(), m.getIgnoreCase());
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
   * The route action. Only what the router honours is decoded (destination and the disabled route
   * timeout Istio sets); retry, mirror, rewrite, hash, header changes and non-zero timeouts are
   * NACKed until the router implements them.
   */
  private static dev.meshproof.runtime.policy.route.RouteAction action(
      io.envoyproxy.envoy.config.route.v3.Route route,
      boolean includeRequestAttemptCount,
      String where) {
    if (!route.hasRoute()) {
      throw new IllegalArgumentException(
          where
              + ": action "
              + route.getActionCase()
              + " is not supported by the embedded sidecar yet");
    }
    RouteAction action = route.getRoute();
    if (action.getRequestMirrorPoliciesCount() > 0
        || !action.getPrefixRewrite().isEmpty()
        || action.hasRegexRewrite()
        || action.getHashPolicyCount() > 0) {
      throw new IllegalArgumentException(
          where
              + ": mirror, rewrite and hash policies are not supported by the embedded sidecar yet");
    }
    if (action.getHostRewriteSpecifierCase()
        != RouteAction.HostRewriteSpecifierCase.HOSTREWRITESPECIFIER_NOT_SET) {
      throw new IllegalArgumentException(
          where
              + ": host rewrite "
              + action.getHostRewriteSpecifierCase()
              + " is not supported by the embedded sidecar yet");
    }
    rejectHeaderChanges(
        route.getRequestHeadersToAddCount()
            + route.getRequestHeadersToRemoveCount()
            + route.getResponseHeadersToAddCount()
            + route.getResponseHeadersToRemoveCount(),
        where);
    // Envoy's default for an unset route timeout is 15 s (Istio always sets one, 0s = disabled).
    Duration timeout =
        action.hasTimeout() ? XdsDecoder.duration(action.getTimeout()) : Duration.ofSeconds(15);
    var builder =
        dev.meshproof.runtime.policy.route.RouteAction.builder()
            .timeout(timeout)
            .includeRequestAttemptCount(includeRequestAttemptCount);
    if (action.hasRetryPolicy()) {
      builder.retryPolicy(retryPolicy(action.getRetryPolicy(), where + ", retry_policy"));
    }
    switch (action.getClusterSpecifierCase()) {
      case CLUSTER -> builder.cluster(action.getCluster());
      case WEIGHTED_CLUSTERS -> {
        // total_weight (deprecated) and runtime keys would change the split: the picker divides
        // by the sum of the weights, as Envoy does without total_weight.
        rejectUnsupported(
            action.getWeightedClusters().toBuilder().clearClusters(),
            where + ", weighted_clusters");
        List<WeightedCluster> out = new ArrayList<>();
        for (var c : action.getWeightedClusters().getClustersList()) {
          rejectUnsupported(
              c.toBuilder().clearName().clearWeight(),
              where + ", weighted_clusters cluster '" + c.getName() + "'");
          out.add(new WeightedCluster(c.getName(), c.hasWeight() ? c.getWeight().getValue() : 0));
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
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * Envoy's retry policy as the router honours it: {@code retry_on} conditions of {@link RetryOn},
   * {@code num_retries} (Envoy's default 1), {@code retriable_status_codes}, {@code
   * per_try_timeout}, the {@code previous_hosts} host predicate, {@code
   * host_selection_retry_max_attempts} and {@code retry_back_off}. {@code retry_priority} {@code
   * previous_priorities} (Istio's {@code retryRemoteLocalities}) is accepted because it changes
   * nothing here: every endpoint the translation emits has priority 0. Anything else is NACKed.
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
      Duration base = duration(policy.getRetryBackOff().getBaseInterval());
      Duration max =
          policy.getRetryBackOff().hasMaxInterval()
              ? duration(policy.getRetryBackOff().getMaxInterval())
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
    rejectUnsupported(rest, where);
    try {
      return new RetryPolicy(
          policy.hasNumRetries() ? policy.getNumRetries().getValue() : 1,
          on,
          new LinkedHashSet<>(policy.getRetriableStatusCodesList()),
          policy.hasPerTryTimeout() && !duration(policy.getPerTryTimeout()).isZero()
              ? Optional.of(duration(policy.getPerTryTimeout()))
              : Optional.empty(),
          previousHosts,
          (int) Math.max(1, policy.getHostSelectionRetryMaxAttempts()),
          backoff);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  private static void rejectHeaderChanges(int count, String where) {
    if (count > 0) {
      throw new IllegalArgumentException(
          where
              + ": request/response headers to add/remove are not supported by the embedded"
              + " sidecar yet");
    }
  }

  /** A cluster; EDS clusters come without endpoints, STATIC ones with their inline assignment. */
  static ClusterConfig cluster(Cluster cluster) {
    LbPolicy lb =
        switch (cluster.getLbPolicy()) {
          case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
          case LEAST_REQUEST -> LbPolicy.LEAST_REQUEST;
          case RANDOM -> LbPolicy.RANDOM;
          default ->
              throw new IllegalArgumentException(
                  "cluster "
                      + cluster.getName()
                      + ": lb_policy "
                      + cluster.getLbPolicy()
                      + " is not supported by the embedded sidecar");
        };
    String where = "cluster " + cluster.getName();
    rejectUnhonouredClusterFields(cluster, where);
    CircuitBreakerThresholds thresholds = circuitBreakers(cluster, where);
    Optional<OutlierDetectionPolicy> outlier =
        cluster.hasOutlierDetection()
            ? Optional.of(
                ClusterPolicyDecoder.outlierDetection(cluster.getOutlierDetection(), where))
            : Optional.empty();
    double panic =
        cluster.getCommonLbConfig().hasHealthyPanicThreshold()
            ? cluster.getCommonLbConfig().getHealthyPanicThreshold().getValue()
            : HostSelection.ENVOY_DEFAULT_PANIC_THRESHOLD_PERCENT;
    return switch (cluster.getType()) {
      case EDS -> new ClusterConfig(cluster.getName(), lb, List.of(), thresholds, outlier, panic);
      case STATIC ->
          new ClusterConfig(
              cluster.getName(),
              lb,
              endpoints(cluster.getLoadAssignment()),
              thresholds,
              outlier,
              panic);
      default ->
          throw new IllegalArgumentException(
              "cluster "
                  + cluster.getName()
                  + ": discovery type "
                  + cluster.getType()
                  + " is not supported by the embedded sidecar");
    };
  }

  /**
   * NACKs cluster fields that change behaviour and that the sidecar does not implement; the connect
   * timeout is honoured only at Istio's 10 s (the transport's).
   */
  private static void rejectUnhonouredClusterFields(Cluster cluster, String where) {
    var common = cluster.getCommonLbConfig();
    if (!common.toBuilder()
        .clearHealthyPanicThreshold()
        .build()
        .equals(common.getDefaultInstanceForType())) {
      throw new IllegalArgumentException(
          where + ": common_lb_config fields other than healthy_panic_threshold are not supported");
    }
    if (cluster.getTypedExtensionProtocolOptionsCount() > 0) {
      throw new IllegalArgumentException(
          where
              + ": typed_extension_protocol_options "
              + cluster.getTypedExtensionProtocolOptionsMap().keySet()
              + " are not supported by the embedded sidecar");
    }
    if (cluster.hasConnectTimeout()
        && !cluster
            .getConnectTimeout()
            .equals(com.google.protobuf.Duration.newBuilder().setSeconds(10).build())) {
      throw new IllegalArgumentException(
          where
              + ": connect_timeout "
              + cluster.getConnectTimeout().getSeconds()
              + "s "
              + cluster.getConnectTimeout().getNanos()
              + "ns is not supported (the embedded sidecar connects with Istio's 10s)");
    }
  }

  private static CircuitBreakerThresholds circuitBreakers(Cluster cluster, String where) {
    if (!cluster.hasCircuitBreakers()) {
      return CircuitBreakerThresholds.ENVOY_DEFAULTS;
    }
    return ClusterPolicyDecoder.circuitBreakers(cluster.getCircuitBreakers(), where);
  }

  /** The EDS service name a cluster's endpoints are published under (its own name by default). */
  static Optional<String> edsServiceName(Cluster cluster) {
    if (cluster.getType() != Cluster.DiscoveryType.EDS) {
      return Optional.empty();
    }
    String name = cluster.getEdsClusterConfig().getServiceName();
    return Optional.of(name.isEmpty() ? cluster.getName() : name);
  }

  static List<InetSocketAddress> endpoints(ClusterLoadAssignment assignment) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
      for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
        out.add(
            socketAddress(
                endpoint.getEndpoint().getAddress(), "cluster " + assignment.getClusterName()));
      }
    }
    return out;
  }

  private static InetSocketAddress socketAddress(Address address, String where) {
    if (!address.hasSocketAddress()) {
      throw new IllegalArgumentException(where + ": only socket addresses are supported");
    }
    var socket = address.getSocketAddress();
    return new InetSocketAddress(socket.getAddress(), socket.getPortValue());
  }

  static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type, String where) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          where
              + ": cannot decode "
              + any.getTypeUrl()
              + " as "
              + type.getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
