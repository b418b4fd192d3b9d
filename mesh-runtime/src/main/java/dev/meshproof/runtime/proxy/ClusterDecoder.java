package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import dev.meshproof.runtime.policy.circuit.CircuitBreakerThresholds;
import dev.meshproof.runtime.policy.lb.ConsistentHashLb;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.outlier.HostSelection;
import dev.meshproof.runtime.policy.outlier.OutlierDetectionPolicy;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import dev.meshproof.runtime.transport.UpstreamConnectionSettings;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decodes CDS clusters (LB policy, discovery type, circuit breakers, outlier detection) into {@link
 * ClusterConfig}, NACKing whatever the sidecar cannot honour.
 */
final class ClusterDecoder {
  /** The extension key of Envoy's upstream HTTP protocol options. */
  static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private ClusterDecoder() {}

  /** A cluster; EDS clusters come without endpoints, STATIC ones with their inline assignment. */
  static ClusterConfig cluster(Cluster cluster) {
    if (cluster.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
      return originalDestination(cluster);
    }
    LbPolicy lb =
        switch (cluster.getLbPolicy()) {
          case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
          case LEAST_REQUEST -> LbPolicy.LEAST_REQUEST;
          case RANDOM -> LbPolicy.RANDOM;
          // Consistent hash: the router looks the request's hash up in the cluster's table; the
          // simple balancer is unused for it.
          case RING_HASH, MAGLEV -> LbPolicy.RANDOM;
          default ->
              throw new IllegalArgumentException(
                  "cluster "
                      + cluster.getName()
                      + ": lb_policy "
                      + cluster.getLbPolicy()
                      + " is not supported by the embedded sidecar");
        };
    String where = "cluster " + cluster.getName();
    Optional<ConsistentHashLb> hash = consistentHash(cluster, where);
    Optional<dev.meshproof.runtime.policy.lb.SlowStart> slowStart = slowStart(cluster, where);
    rejectUnhonouredClusterFields(cluster, where);
    CircuitBreakerThresholds thresholds = circuitBreakers(cluster, where);
    UpstreamConnectionSettings connections = connectionSettings(cluster, where);
    Optional<OutlierDetectionPolicy> outlier =
        cluster.hasOutlierDetection()
            ? Optional.of(
                ClusterPolicyDecoder.outlierDetection(cluster.getOutlierDetection(), where))
            : Optional.empty();
    double panic =
        cluster.getCommonLbConfig().hasHealthyPanicThreshold()
            ? cluster.getCommonLbConfig().getHealthyPanicThreshold().getValue()
            : HostSelection.ENVOY_DEFAULT_PANIC_THRESHOLD_PERCENT;
    Optional<ProxyConfig.TlsContextConfig> tls =
        TlsDecoder.upstream(cluster.getTransportSocket(), cluster.hasTransportSocket(), where);
    return switch (cluster.getType()) {
      case EDS ->
          new ClusterConfig(
                  cluster.getName(), lb, List.of(), thresholds, outlier, panic, connections, tls)
              .withConsistentHash(hash)
              .withLocalityWeighted(cluster.getCommonLbConfig().hasLocalityWeightedLbConfig())
              .withSlowStart(slowStart);
      case STATIC ->
          new ClusterConfig(
                  cluster.getName(),
                  lb,
                  EndpointDecoder.endpoints(cluster.getLoadAssignment()),
                  thresholds,
                  outlier,
                  panic,
                  connections,
                  tls)
              .withConsistentHash(hash)
              .withSlowStart(slowStart);
      case STRICT_DNS ->
          new ClusterConfig(
                  cluster.getName(),
                  lb,
                  strictDnsEndpoints(cluster, where),
                  thresholds,
                  outlier,
                  panic,
                  connections,
                  tls)
              .withConsistentHash(hash)
              .withSlowStart(slowStart);
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
   * An {@code ORIGINAL_DST} cluster ({@code CLUSTER_PROVIDED} load balancing) whose destination is
   * read from a request header ({@code original_dst_lb_config.use_http_header}), its port replaced
   * by {@code upstream_port_override} when set; without that header there is no original
   * destination here (no iptables), so it is NACKed.
   */
  private static ClusterConfig originalDestination(Cluster cluster) {
    String where = "cluster " + cluster.getName();
    if (cluster.getLbPolicy() != Cluster.LbPolicy.CLUSTER_PROVIDED) {
      throw new IllegalArgumentException(
          where
              + ": lb_policy "
              + cluster.getLbPolicy()
              + " on an ORIGINAL_DST cluster (expected: CLUSTER_PROVIDED)");
    }
    Cluster.OriginalDstLbConfig config = cluster.getOriginalDstLbConfig();
    if (!config.getUseHttpHeader()) {
      throw new IllegalArgumentException(
          where
              + ": ORIGINAL_DST without original_dst_lb_config.use_http_header is not supported"
              + " by the embedded sidecar (it has no original destination of the connection)");
    }
    XdsDecoder.rejectUnsupported(
        config.toBuilder().clearUseHttpHeader().clearHttpHeaderName().clearUpstreamPortOverride(),
        where + ", original_dst_lb_config");
    if (config.hasUpstreamPortOverride()
        && (config.getUpstreamPortOverride().getValue() < 1
            || config.getUpstreamPortOverride().getValue() > 65535)) {
      throw new IllegalArgumentException(
          where
              + ": original_dst_lb_config.upstream_port_override "
              + config.getUpstreamPortOverride().getValue()
              + " (expected: 1-65535)");
    }
    rejectUnhonouredClusterFields(cluster, where);
    if (cluster.hasCleanupInterval() || cluster.hasLoadAssignment()) {
      throw new IllegalArgumentException(
          where + ": cleanup_interval and load_assignment are not supported on ORIGINAL_DST");
    }
    String header =
        config.getHttpHeaderName().isEmpty()
            ? "x-envoy-original-dst-host"
            : config.getHttpHeaderName();
    return new ClusterConfig(
        cluster.getName(),
        LbPolicy.ROUND_ROBIN,
        List.of(),
        circuitBreakers(cluster, where),
        Optional.empty(),
        HostSelection.ENVOY_DEFAULT_PANIC_THRESHOLD_PERCENT,
        connectionSettings(cluster, where),
        Optional.empty(),
        Optional.of(header),
        Optional.empty(),
        List.of(),
        false,
        config.hasUpstreamPortOverride()
            ? java.util.OptionalInt.of(config.getUpstreamPortOverride().getValue())
            : java.util.OptionalInt.empty());
  }

  /**
   * RING_HASH with its {@code minimum_ring_size} (Envoy's 1024 when unset) or MAGLEV with its
   * {@code table_size} (65537 when unset); an lb config of another policy, or any other field of
   * these, is NACKed.
   */
  private static Optional<ConsistentHashLb> consistentHash(Cluster cluster, String where) {
    switch (cluster.getLbPolicy()) {
      case RING_HASH -> {
        if (cluster.hasMaglevLbConfig()) {
          throw new IllegalArgumentException(where + ": maglev_lb_config on a RING_HASH cluster");
        }
        Cluster.RingHashLbConfig ring = cluster.getRingHashLbConfig();
        XdsDecoder.rejectUnsupported(
            ring.toBuilder().clearMinimumRingSize(), where + ", ring_hash_lb_config");
        return Optional.of(
            new ConsistentHashLb.RingHash(
                ring.hasMinimumRingSize()
                    ? java.util.OptionalLong.of(ring.getMinimumRingSize().getValue())
                    : java.util.OptionalLong.empty()));
      }
      case MAGLEV -> {
        if (cluster.hasRingHashLbConfig()) {
          throw new IllegalArgumentException(where + ": ring_hash_lb_config on a MAGLEV cluster");
        }
        Cluster.MaglevLbConfig maglev = cluster.getMaglevLbConfig();
        XdsDecoder.rejectUnsupported(
            maglev.toBuilder().clearTableSize(), where + ", maglev_lb_config");
        return Optional.of(
            new ConsistentHashLb.Maglev(
                maglev.hasTableSize()
                    ? java.util.OptionalLong.of(maglev.getTableSize().getValue())
                    : java.util.OptionalLong.empty()));
      }
      default -> {
        if (cluster.hasRingHashLbConfig() || cluster.hasMaglevLbConfig()) {
          throw new IllegalArgumentException(
              where + ": a hash lb config on a " + cluster.getLbPolicy() + " cluster");
        }
        return Optional.empty();
      }
    }
  }

  /**
   * The {@code slow_start_config} of a ROUND_ROBIN cluster's {@code round_robin_lb_config} or a
   * LEAST_REQUEST cluster's {@code least_request_lb_config} (what istiod emits for a
   * DestinationRule's warmup); the aggression's {@code runtime_key} is not looked up (no runtime
   * layer here; istiod sets the key "(", which Envoy's runtime never holds, so Envoy also uses the
   * default value). Any other field of these configs, or one on another policy, is NACKed.
   */
  private static Optional<dev.meshproof.runtime.policy.lb.SlowStart> slowStart(
      Cluster cluster, String where) {
    Cluster.SlowStartConfig config;
    if (cluster.hasRoundRobinLbConfig()) {
      if (cluster.getLbPolicy() != Cluster.LbPolicy.ROUND_ROBIN) {
        throw new IllegalArgumentException(
            where + ": round_robin_lb_config on a " + cluster.getLbPolicy() + " cluster");
      }
      XdsDecoder.rejectUnsupported(
          cluster.getRoundRobinLbConfig().toBuilder().clearSlowStartConfig(),
          where + ", round_robin_lb_config");
      config = cluster.getRoundRobinLbConfig().getSlowStartConfig();
    } else if (cluster.hasLeastRequestLbConfig()) {
      if (cluster.getLbPolicy() != Cluster.LbPolicy.LEAST_REQUEST) {
        throw new IllegalArgumentException(
            where + ": least_request_lb_config on a " + cluster.getLbPolicy() + " cluster");
      }
      XdsDecoder.rejectUnsupported(
          cluster.getLeastRequestLbConfig().toBuilder().clearSlowStartConfig(),
          where + ", least_request_lb_config");
      config = cluster.getLeastRequestLbConfig().getSlowStartConfig();
    } else {
      return Optional.empty();
    }
    XdsDecoder.rejectUnsupported(
        config.toBuilder().clearSlowStartWindow().clearAggression().clearMinWeightPercent(),
        where + ", slow_start_config");
    Duration window =
        config.hasSlowStartWindow()
            ? XdsDecoder.duration(config.getSlowStartWindow())
            : Duration.ZERO;
    if (window.toMillis() <= 0) {
      // Envoy: slow start is enabled only with a window of at least 1 ms.
      return Optional.empty();
    }
    return Optional.of(
        new dev.meshproof.runtime.policy.lb.SlowStart(
            window,
            config.hasAggression()
                ? java.util.OptionalDouble.of(config.getAggression().getDefaultValue())
                : java.util.OptionalDouble.empty(),
            config.hasMinWeightPercent()
                ? java.util.OptionalDouble.of(config.getMinWeightPercent().getValue())
                : java.util.OptionalDouble.empty()));
  }

  /**
   * A {@code STRICT_DNS} cluster's hosts: every IPv4 address each endpoint's name resolves to
   * ({@code dns_lookup_family: V4_ONLY} only), resolved when the configuration is accepted. A
   * deliberate difference from Envoy, which re-resolves every {@code dns_refresh_rate} (or TTL):
   * the names here come from /etc/hosts-style loopback entries that do not change during a run. A
   * name resolving off loopback is NACKed, since the mesh sends nothing off loopback.
   */
  private static List<InetSocketAddress> strictDnsEndpoints(Cluster cluster, String where) {
    if (cluster.getDnsLookupFamily() != Cluster.DnsLookupFamily.V4_ONLY) {
      throw new IllegalArgumentException(
          where
              + ": dns_lookup_family "
              + cluster.getDnsLookupFamily()
              + " is not supported by the embedded sidecar (expected: V4_ONLY)");
    }
    List<InetSocketAddress> hosts = new java.util.ArrayList<>();
    for (var locality : cluster.getLoadAssignment().getEndpointsList()) {
      for (var endpoint : locality.getLbEndpointsList()) {
        var socket = endpoint.getEndpoint().getAddress().getSocketAddress();
        java.net.InetAddress[] resolved;
        try {
          resolved = java.net.InetAddress.getAllByName(socket.getAddress());
        } catch (java.net.UnknownHostException e) {
          continue; // Envoy keeps a name that does not resolve as no host
        }
        for (java.net.InetAddress address : resolved) {
          if (!(address instanceof java.net.Inet4Address)) {
            continue;
          }
          if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException(
                where
                    + ": "
                    + socket.getAddress()
                    + " resolves to "
                    + address.getHostAddress()
                    + ", which is not loopback (the embedded sidecar reaches only 127.0.0.0/8)");
          }
          hosts.add(new InetSocketAddress(address, socket.getPortValue()));
        }
      }
    }
    return hosts;
  }

  /** NACKs cluster fields that change behaviour and that the sidecar does not implement. */
  private static void rejectUnhonouredClusterFields(Cluster cluster, String where) {
    var common = cluster.getCommonLbConfig();
    // An empty locality_weighted_lb_config is honoured (UpstreamCluster picks a locality by
    // weight);
    // a set one with fields would not be.
    boolean plainLocalityWeighted =
        !common.hasLocalityWeightedLbConfig()
            || common
                .getLocalityWeightedLbConfig()
                .equals(Cluster.CommonLbConfig.LocalityWeightedLbConfig.getDefaultInstance());
    if (!plainLocalityWeighted
        || !common.toBuilder()
            .clearHealthyPanicThreshold()
            .clearLocalityWeightedLbConfig()
            .build()
            .equals(common.getDefaultInstanceForType())) {
      throw new IllegalArgumentException(
          where
              + ": common_lb_config fields other than healthy_panic_threshold and"
              + " locality_weighted_lb_config are not supported");
    }
    if (cluster.getTransportSocketMatchesCount() > 0) {
      throw new IllegalArgumentException(
          where + ": transport_socket_matches are not supported by the embedded sidecar");
    }
  }

  /**
   * The cluster's {@code connect_timeout} (Envoy's 5 s when unset) and the {@code
   * common_http_protocol_options} of its {@code HttpProtocolOptions} extension, which istiod emits
   * with an explicit HTTP/1.1 config when a DestinationRule sets per-connection limits, with an
   * explicit HTTP/2 config for HTTP2/GRPC ports, and with {@code use_downstream_protocol_config} on
   * the {@code PassthroughCluster}. Any other extension or protocol option is NACKed.
   */
  static UpstreamConnectionSettings connectionSettings(Cluster cluster, String where) {
    Duration connectTimeout =
        cluster.hasConnectTimeout()
            ? XdsDecoder.duration(cluster.getConnectTimeout())
            : UpstreamConnectionSettings.ENVOY_DEFAULT_CONNECT_TIMEOUT;
    if (connectTimeout.isZero() || connectTimeout.isNegative()) {
      // Envoy's validation: connect_timeout gt 0s.
      throw new IllegalArgumentException(
          where + ": connect_timeout " + connectTimeout + " (expected: greater than 0s)");
    }
    Map<String, Any> extensions = cluster.getTypedExtensionProtocolOptionsMap();
    if (extensions.isEmpty()) {
      return UpstreamConnectionSettings.ENVOY_DEFAULTS.withConnectTimeout(connectTimeout);
    }
    if (!extensions.keySet().equals(java.util.Set.of(HTTP_PROTOCOL_OPTIONS))) {
      throw new IllegalArgumentException(
          where
              + ": typed_extension_protocol_options "
              + extensions.keySet()
              + " are not supported by the embedded sidecar (expected: only "
              + HTTP_PROTOCOL_OPTIONS
              + ")");
    }
    String at = where + ", typed_extension_protocol_options[" + HTTP_PROTOCOL_OPTIONS + "]";
    HttpProtocolOptions options =
        XdsDecoder.unpack(extensions.get(HTTP_PROTOCOL_OPTIONS), HttpProtocolOptions.class, at);
    XdsDecoder.rejectUnsupported(
        options.toBuilder()
            .clearCommonHttpProtocolOptions()
            .clearExplicitHttpConfig()
            .clearUseDownstreamProtocolConfig(),
        at);
    var explicit = options.getExplicitHttpConfig();
    boolean http2 = options.hasExplicitHttpConfig() && explicit.hasHttp2ProtocolOptions();
    boolean useDownstream = options.hasUseDownstreamProtocolConfig();
    if (useDownstream) {
      // istiod's PassthroughCluster: HTTP/1.1 and HTTP/2 both allowed, each with Envoy's
      // defaults, so a request goes upstream in the protocol it arrived in.
      var downstream = options.getUseDownstreamProtocolConfig();
      XdsDecoder.rejectUnsupported(
          downstream.toBuilder().clearHttpProtocolOptions().clearHttp2ProtocolOptions(),
          at + ", use_downstream_protocol_config");
      if (!downstream.hasHttpProtocolOptions() || !downstream.hasHttp2ProtocolOptions()) {
        throw new IllegalArgumentException(
            at
                + ": use_downstream_protocol_config without both http_protocol_options and"
                + " http2_protocol_options is not supported by the embedded sidecar");
      }
      XdsDecoder.rejectUnsupported(
          downstream.getHttpProtocolOptions().toBuilder(),
          at + ", use_downstream_protocol_config.http_protocol_options");
      XdsDecoder.rejectUnsupported(
          downstream.getHttp2ProtocolOptions().toBuilder(),
          at + ", use_downstream_protocol_config.http2_protocol_options");
    } else if (!options.hasExplicitHttpConfig()
        || !(explicit.hasHttpProtocolOptions() || explicit.hasHttp2ProtocolOptions())) {
      throw new IllegalArgumentException(
          at
              + ": expected explicit_http_config with http_protocol_options (HTTP/1.1 upstream) or"
              + " http2_protocol_options (HTTP/2 upstream)");
    }
    if (useDownstream) {
      // checked above
    } else if (http2) {
      // istiod's setH2Options sends empty options; Envoy's defaults are what our pool does.
      XdsDecoder.rejectUnsupported(
          explicit.getHttp2ProtocolOptions().toBuilder(), at + ", http2_protocol_options");
    } else {
      XdsDecoder.rejectUnsupported(
          explicit.getHttpProtocolOptions().toBuilder(), at + ", http_protocol_options");
    }
    var common = options.getCommonHttpProtocolOptions();
    XdsDecoder.rejectUnsupported(
        common.toBuilder()
            .clearIdleTimeout()
            .clearMaxRequestsPerConnection()
            .clearMaxConnectionDuration(),
        at + ", common_http_protocol_options");
    Duration idle =
        common.hasIdleTimeout()
            ? XdsDecoder.duration(common.getIdleTimeout())
            : UpstreamConnectionSettings.ENVOY_DEFAULT_IDLE_TIMEOUT;
    // Envoy: 0 means no limit for both.
    OptionalInt perConnection =
        common.hasMaxRequestsPerConnection() && common.getMaxRequestsPerConnection().getValue() > 0
            ? OptionalInt.of(common.getMaxRequestsPerConnection().getValue())
            : OptionalInt.empty();
    Optional<Duration> maxDuration =
        common.hasMaxConnectionDuration()
                && !XdsDecoder.duration(common.getMaxConnectionDuration()).isZero()
            ? Optional.of(XdsDecoder.duration(common.getMaxConnectionDuration()))
            : Optional.empty();
    return new UpstreamConnectionSettings(
        connectTimeout, idle, perConnection, maxDuration, http2, useDownstream);
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
}
