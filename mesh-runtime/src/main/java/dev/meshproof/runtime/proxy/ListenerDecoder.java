package dev.meshproof.runtime.proxy;

import com.google.protobuf.Value;
import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.proxy.ProxyConfig.AccessLogConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ConnectionManagerOptions;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainMatch;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpConnectionManagerConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import dev.meshproof.runtime.telemetry.AccessLogFormat;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Decodes LDS listeners (filter chains, their matches, the connection manager, its HTTP filters and
 * access logs) into {@link ListenerConfig}, NACKing whatever the sidecar cannot honour.
 */
final class ListenerDecoder {
  static final String RAW_BUFFER = "raw_buffer";
  static final String TLS = "tls";
  private static final String FILE_ACCESS_LOG_TYPE =
      "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog";
  private static final String UUID_REQUEST_ID_TYPE =
      "type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig";
  static final String TCP_PROXY_TYPE =
      "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
  private static final String ROUTER_TYPE =
      "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

  private ListenerDecoder() {}

  /**
   * A listener with its filter chains, each with its match, HTTP filters and its inline route table
   * decoded or the name of its RDS route config.
   */
  static ListenerConfig listener(Listener listener) {
    String where = "listener " + listener.getName();
    InetSocketAddress address = XdsDecoder.socketAddress(listener.getAddress(), where);
    if (listener.hasDefaultFilterChain()) {
      throw new IllegalArgumentException(
          where + ": default_filter_chain is not supported by the embedded sidecar");
    }
    boolean tlsInspector = TlsDecoder.listenerFilters(listener.getListenerFiltersList(), where);
    if (listener.getFilterChainsCount() == 0) {
      throw new IllegalArgumentException(where + ": expected at least one filter chain");
    }
    List<FilterChainConfig> chains = new ArrayList<>();
    Set<FilterChainMatch> matches = new HashSet<>();
    for (int i = 0; i < listener.getFilterChainsCount(); i++) {
      FilterChain written = listener.getFilterChains(i);
      String at = where + ", filter chain " + i;
      FilterChainConfig chain = filterChain(written, at);
      if (written.hasTransportSocketConnectTimeout()) {
        chain =
            chain.withTransportSocketConnectTimeout(
                XdsDecoder.duration(written.getTransportSocketConnectTimeout()));
      }
      if (!chain.match().serverNames().isEmpty() && !tlsInspector) {
        // Without the inspector no SNI is read, so Envoy could never select the chain.
        throw new IllegalArgumentException(
            at + ": server_names without the " + TlsDecoder.TLS_INSPECTOR + " listener filter");
      }
      if (!matches.add(chain.match())) {
        // Envoy rejects the listener for this: the second chain could never be selected.
        throw new IllegalArgumentException(
            where + ": multiple filter chains with the same matching rules " + chain.match());
      }
      chains.add(chain);
    }
    return new ListenerConfig(listener.getName(), address, chains, tlsInspector);
  }

  private static FilterChainConfig filterChain(FilterChain chain, String where) {
    XdsDecoder.rejectUnsupported(
        chain.toBuilder()
            .clearFilterChainMatch()
            .clearFilters()
            .clearName()
            .clearMetadata()
            .clearTransportSocket()
            .clearTransportSocketConnectTimeout(),
        where);
    Optional<ProxyConfig.TlsContextConfig> tls =
        TlsDecoder.downstream(chain.getTransportSocket(), chain.hasTransportSocket(), where);
    int last = chain.getFiltersCount() - 1;
    if (last >= 0 && chain.getFilters(last).getTypedConfig().getTypeUrl().equals(TCP_PROXY_TYPE)) {
      // A TCP chain: network RBAC filters (istiod's authz on a TCP port), then the tcp_proxy.
      List<dev.meshproof.runtime.policy.authz.RbacFilterPolicy> rbac = new ArrayList<>();
      for (int i = 0; i < last; i++) {
        rbac.add(RbacDecoder.networkFilter(chain.getFilters(i), where + ", filters[" + i + "]"));
      }
      return new FilterChainConfig(
          filterChainMatch(chain.getFilterChainMatch(), where),
          null,
          tls,
          Optional.of(tcpProxy(chain.getFilters(last), where + ", tcp_proxy")),
          rbac);
    }
    if (chain.getFiltersCount() != 1) {
      throw new IllegalArgumentException(
          where
              + ": expected exactly one filter, an HTTP connection manager, or network RBAC"
              + " filters then a tcp_proxy");
    }
    HttpConnectionManager hcm =
        XdsDecoder.unpack(chain.getFilters(0).getTypedConfig(), HttpConnectionManager.class, where);
    XdsDecoder.rejectUnsupported(
        hcm.toBuilder()
            .clearStatPrefix()
            .clearCodecType()
            .clearAccessLog()
            .clearHttpFilters()
            .clearRds()
            .clearRouteConfig()
            .clearNormalizePath()
            .clearMergeSlashes()
            .clearPathWithEscapedSlashesAction()
            .clearUseRemoteAddress()
            .clearUpgradeConfigs()
            .clearStreamIdleTimeout()
            .clearServerHeaderTransformation()
            .clearServerName()
            .clearProxy100Continue()
            .clearRequestIdExtension()
            .clearForwardClientCertDetails()
            .clearSetCurrentClientCertDetails()
            .clearHttpProtocolOptions(),
        where + ", HTTP connection manager");
    // istiod's gateway class sends an empty one (HTTP/1.0 not accepted, Envoy's defaults).
    XdsDecoder.rejectUnsupported(
        hcm.getHttpProtocolOptions().toBuilder(),
        where + ", HTTP connection manager, http_protocol_options");
    ConnectionManagerOptions options = options(hcm, where + ", HTTP connection manager");
    ProxyConfig.ClientCertConfig clientCert =
        TlsDecoder.clientCert(hcm, where + ", HTTP connection manager");
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
    List<AccessLogConfig> accessLogs = accessLogs(hcm.getAccessLogList(), where);
    List<HttpFilterConfig> filters = httpFilters(hcm, where);
    FilterChainMatch match = filterChainMatch(chain.getFilterChainMatch(), where);
    if (hcm.hasRds()) {
      XdsDecoder.rejectUnsupported(
          hcm.getRds().toBuilder().clearConfigSource().clearRouteConfigName(), where + ", rds");
      return new FilterChainConfig(
          match,
          new HttpConnectionManagerConfig(
              hcm.getStatPrefix(),
              accessLogs,
              filters,
              hcm.getRds().getRouteConfigName(),
              Optional.empty(),
              options,
              clientCert),
          tls);
    }
    if (hcm.hasRouteConfig()) {
      RouteTable table = RouteDecoder.routes(hcm.getRouteConfig());
      return new FilterChainConfig(
          match,
          new HttpConnectionManagerConfig(
              hcm.getStatPrefix(),
              accessLogs,
              filters,
              table.name(),
              Optional.of(table),
              options,
              clientCert),
          tls);
    }
    throw new IllegalArgumentException(
        where + ": HTTP connection manager has neither rds nor route_config");
  }

  /**
   * Envoy's {@code tcp_proxy}: {@code stat_prefix} (required, as Envoy's validation) and {@code
   * cluster} or {@code weighted_clusters} of names and weights, and its {@code access_log} (as a
   * connection manager's). Every other field (idle timeout, hash policy, tunneling, ...) is NACKed:
   * the sidecar does not honour it.
   */
  private static ProxyConfig.TcpProxyConfig tcpProxy(
      io.envoyproxy.envoy.config.listener.v3.Filter filter, String where) {
    var proxy =
        XdsDecoder.unpack(
            filter.getTypedConfig(),
            io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.class,
            where);
    XdsDecoder.rejectUnsupported(
        proxy.toBuilder().clearStatPrefix().clearCluster().clearWeightedClusters().clearAccessLog(),
        where);
    if (proxy.getStatPrefix().isEmpty()) {
      throw new IllegalArgumentException(where + ": stat_prefix is empty (expected: a prefix)");
    }
    List<dev.meshproof.runtime.policy.route.WeightedCluster> clusters = new ArrayList<>();
    if (proxy.hasWeightedClusters()) {
      XdsDecoder.rejectUnsupported(
          proxy.getWeightedClusters().toBuilder().clearClusters(), where + ", weighted_clusters");
      for (var weight : proxy.getWeightedClusters().getClustersList()) {
        XdsDecoder.rejectUnsupported(
            weight.toBuilder().clearName().clearWeight(), where + ", weighted_clusters.clusters");
        if (weight.getName().isEmpty() || weight.getWeight() < 1) {
          // Envoy's validation: name min_len 1, weight gte 1.
          throw new IllegalArgumentException(
              where
                  + ", weighted_clusters: cluster '"
                  + weight.getName()
                  + "' weight "
                  + weight.getWeight()
                  + " (expected: a name and a weight >= 1)");
        }
        clusters.add(
            new dev.meshproof.runtime.policy.route.WeightedCluster(
                weight.getName(), weight.getWeight()));
      }
    } else if (!proxy.getCluster().isEmpty()) {
      clusters.add(new dev.meshproof.runtime.policy.route.WeightedCluster(proxy.getCluster(), 1));
    }
    if (clusters.isEmpty()) {
      throw new IllegalArgumentException(
          where + ": no cluster (expected: cluster or weighted_clusters with at least one)");
    }
    return new ProxyConfig.TcpProxyConfig(
        proxy.getStatPrefix(), clusters, accessLogs(proxy.getAccessLogList(), where));
  }

  /**
   * The request-path settings istiod sets on sidecar connection managers, each honoured by the
   * sidecar; any other value is NACKed: escaped slashes other than kept, the remote address as the
   * client address, upgrades other than websocket, a stream idle timeout (Envoy's default is 5
   * minutes when unset; the sidecar has none), a {@code server} header other than overwritten, a
   * request id extension other than UUID.
   */
  private static ConnectionManagerOptions options(HttpConnectionManager hcm, String where) {
    switch (hcm.getPathWithEscapedSlashesAction()) {
      case KEEP_UNCHANGED, IMPLEMENTATION_SPECIFIC_DEFAULT -> {}
      default ->
          throw new IllegalArgumentException(
              where
                  + ": path_with_escaped_slashes_action "
                  + hcm.getPathWithEscapedSlashesAction()
                  + " is not supported by the embedded sidecar (expected: KEEP_UNCHANGED)");
    }
    if (hcm.getUseRemoteAddress().getValue()) {
      throw new IllegalArgumentException(
          where
              + ": use_remote_address true is not supported by the embedded sidecar (expected:"
              + " false)");
    }
    boolean websocket = false;
    for (HttpConnectionManager.UpgradeConfig upgrade : hcm.getUpgradeConfigsList()) {
      XdsDecoder.rejectUnsupported(
          upgrade.toBuilder().clearUpgradeType(), where + ", upgrade_configs");
      if (!upgrade.getUpgradeType().equalsIgnoreCase("websocket")) {
        throw new IllegalArgumentException(
            where
                + ": upgrade_type '"
                + upgrade.getUpgradeType()
                + "' is not supported by the embedded sidecar (expected: websocket)");
      }
      websocket = true;
    }
    if (!hcm.hasStreamIdleTimeout()
        || !hcm.getStreamIdleTimeout().equals(com.google.protobuf.Duration.getDefaultInstance())) {
      throw new IllegalArgumentException(
          where
              + ": stream_idle_timeout "
              + (hcm.hasStreamIdleTimeout()
                  ? XdsDecoder.duration(hcm.getStreamIdleTimeout())
                  : "unset (Envoy's default 300s)")
              + " is not supported by the embedded sidecar (expected: 0s, disabled)");
    }
    if (hcm.getServerHeaderTransformation()
        != HttpConnectionManager.ServerHeaderTransformation.OVERWRITE) {
      throw new IllegalArgumentException(
          where
              + ": server_header_transformation "
              + hcm.getServerHeaderTransformation()
              + " is not supported by the embedded sidecar (expected: OVERWRITE)");
    }
    if (hcm.hasRequestIdExtension()) {
      var extension = hcm.getRequestIdExtension();
      String at = where + ", request_id_extension";
      XdsDecoder.rejectUnsupported(extension.toBuilder().clearTypedConfig(), at);
      if (!extension.getTypedConfig().getTypeUrl().equals(UUID_REQUEST_ID_TYPE)) {
        throw new IllegalArgumentException(
            at
                + ": "
                + extension.getTypedConfig().getTypeUrl()
                + " is not supported by the embedded sidecar (expected: "
                + UUID_REQUEST_ID_TYPE
                + ")");
      }
      // Both fields only change what a request id carries when tracing is configured, and the
      // connection manager has no tracing: UUIDs are generated and forwarded unchanged.
      XdsDecoder.rejectUnsupported(
          XdsDecoder.unpack(extension.getTypedConfig(), UuidRequestIdConfig.class, at).toBuilder()
              .clearUseRequestIdForTraceSampling()
              .clearPackTraceReason(),
          at);
    }
    return new ConnectionManagerOptions(
        hcm.getNormalizePath().getValue(),
        hcm.getMergeSlashes(),
        websocket,
        hcm.getServerName().isEmpty()
            ? ConnectionManagerOptions.ENVOY_DEFAULTS.serverName()
            : hcm.getServerName(),
        hcm.getProxy100Continue());
  }

  /**
   * The criteria the listener can evaluate: destination port, the transport ({@code raw_buffer}, or
   * {@code tls} as the TLS inspector detects it) and server names (the ClientHello's SNI, as the
   * TLS inspector reads it). ALPN and source or destination ranges are NACKed.
   */
  private static FilterChainMatch filterChainMatch(
      io.envoyproxy.envoy.config.listener.v3.FilterChainMatch match, String where) {
    XdsDecoder.rejectUnsupported(
        match.toBuilder().clearDestinationPort().clearTransportProtocol().clearServerNames(),
        where + ", filter_chain_match");
    for (String name : match.getServerNamesList()) {
      // Envoy's validation: a server name is a host or *.suffix, never * alone.
      if (name.isEmpty() || name.equals("*") || name.indexOf('*', 1) >= 0) {
        throw new IllegalArgumentException(
            where
                + ", filter_chain_match: server_names '"
                + name
                + "' (expected: a host name or a *.suffix wildcard)");
      }
    }
    if (!match.getTransportProtocol().isEmpty()
        && !match.getTransportProtocol().equals(RAW_BUFFER)
        && !match.getTransportProtocol().equals(TLS)) {
      throw new IllegalArgumentException(
          where
              + ", filter_chain_match: transport_protocol '"
              + match.getTransportProtocol()
              + "' is not supported by the embedded sidecar (expected: '"
              + RAW_BUFFER
              + "', '"
              + TLS
              + "' or none)");
    }
    return new FilterChainMatch(
        match.hasDestinationPort()
            ? OptionalInt.of(match.getDestinationPort().getValue())
            : OptionalInt.empty(),
        match.getTransportProtocol().isEmpty()
            ? Optional.empty()
            : Optional.of(match.getTransportProtocol()),
        match.getServerNamesList().stream()
            .map(n -> n.toLowerCase(java.util.Locale.ROOT))
            .toList());
  }

  /**
   * The connection manager's {@code http_filters}, in order. Only filters the sidecar implements
   * decode (the JWT filter, {@link JwtAuthnDecoder}, the RBAC filter, {@link RbacDecoder}, the
   * ext_authz filter, {@link ExtAuthzDecoder}, the fault filter, {@link FaultDecoder}, the CORS
   * filter, {@link CorsDecoder}, and the router, last); any other name or type is NACKed, since
   * ignoring a filter (an authz filter) would serve traffic Envoy would not.
   */
  private static List<HttpFilterConfig> httpFilters(HttpConnectionManager hcm, String where) {
    List<HttpFilterConfig> out = new ArrayList<>();
    for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
      HttpFilter filter = hcm.getHttpFilters(i);
      String at = where + ", http_filters[" + i + "] '" + filter.getName() + "'";
      if (filter.getName().equals(HttpFilterConfig.MetadataExchange.NAME)) {
        out.add(MetadataExchangeFilter.decode(filter, at));
        continue;
      }
      XdsDecoder.rejectUnsupported(filter.toBuilder().clearName().clearTypedConfig(), at);
      String type = filter.getTypedConfig().getTypeUrl();
      if (filter.getName().equals(HttpFilterConfig.Fault.NAME) && type.equals(FaultDecoder.TYPE)) {
        out.add(new HttpFilterConfig.Fault(FaultDecoder.fault(filter.getTypedConfig(), at)));
        continue;
      }
      if (filter.getName().equals(HttpFilterConfig.ExtAuthz.NAME)
          && type.equals(ExtAuthzDecoder.TYPE)) {
        out.add(new HttpFilterConfig.ExtAuthz(ExtAuthzDecoder.filter(filter.getTypedConfig(), at)));
        continue;
      }
      if (filter.getName().equals(RbacDecoder.FILTER_NAME) && type.equals(RbacDecoder.TYPE)) {
        out.add(new HttpFilterConfig.Rbac(RbacDecoder.filter(filter.getTypedConfig(), at)));
        continue;
      }
      if (filter.getName().equals(JwtAuthnDecoder.FILTER_NAME)
          && type.equals(JwtAuthnDecoder.TYPE)) {
        JwtAuthnDecoder.Decoded jwt = JwtAuthnDecoder.filter(filter.getTypedConfig(), at);
        out.add(
            new HttpFilterConfig.JwtAuthn(
                jwt.policy(), jwt.payloadInMetadata(), jwt.spaceDelimited()));
        continue;
      }
      if (filter.getName().equals(CorsDecoder.FILTER_NAME)) {
        CorsDecoder.filter(filter.getTypedConfig(), at);
        out.add(new HttpFilterConfig.Cors());
        continue;
      }
      if (!filter.getName().equals(HttpFilterConfig.Router.NAME) || !type.equals(ROUTER_TYPE)) {
        throw new IllegalArgumentException(
            at
                + " of type "
                + type
                + " is not supported by the embedded sidecar (expected: "
                + HttpFilterConfig.Fault.NAME
                + " of type "
                + FaultDecoder.TYPE
                + ", "
                + CorsDecoder.FILTER_NAME
                + " of type "
                + CorsDecoder.FILTER_TYPE
                + ", "
                + RbacDecoder.FILTER_NAME
                + " of type "
                + RbacDecoder.TYPE
                + ", "
                + JwtAuthnDecoder.FILTER_NAME
                + " of type "
                + JwtAuthnDecoder.TYPE
                + ", or "
                + HttpFilterConfig.Router.NAME
                + " of type "
                + ROUTER_TYPE
                + ")");
      }
      XdsDecoder.rejectUnsupported(
          XdsDecoder.unpack(filter.getTypedConfig(), Router.class, at).toBuilder(), at);
      if (i != hcm.getHttpFiltersCount() - 1) {
        throw new IllegalArgumentException(at + ": the router must be the last HTTP filter");
      }
      out.add(new HttpFilterConfig.Router());
    }
    if (out.isEmpty() || !(out.get(out.size() - 1) instanceof HttpFilterConfig.Router)) {
      throw new IllegalArgumentException(
          where
              + ": http_filters "
              + (out.isEmpty() ? "is empty" : "does not end with the router")
              + " (expected: "
              + HttpFilterConfig.Router.NAME
              + " last)");
    }
    return out;
  }

  /**
   * The connection manager's {@code access_log}: only Envoy's file logger with a {@code
   * json_format} of string operators the sidecar produces ({@link AccessLogFormat}); a text format,
   * a filter, another logger or an operator it cannot render is NACKed rather than logged wrong.
   */
  static List<AccessLogConfig> accessLogs(List<AccessLog> logs, String where) {
    List<AccessLogConfig> out = new ArrayList<>();
    for (int i = 0; i < logs.size(); i++) {
      AccessLog log = logs.get(i);
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
      XdsDecoder.rejectUnsupported(log.toBuilder().clearName().clearTypedConfig(), at);
      FileAccessLog file = XdsDecoder.unpack(log.getTypedConfig(), FileAccessLog.class, at);
      XdsDecoder.rejectUnsupported(file.toBuilder().clearPath().clearLogFormat(), at);
      SubstitutionFormatString format = file.getLogFormat();
      if (!format.hasJsonFormat()) {
        throw new IllegalArgumentException(
            at
                + ": log_format "
                + (file.hasLogFormat() ? format.getFormatCase() : "(default text format)")
                + " is not supported by the embedded sidecar (expected: json_format)");
      }
      XdsDecoder.rejectUnsupported(format.toBuilder().clearJsonFormat(), at + ", log_format");
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
}
