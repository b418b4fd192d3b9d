package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import dev.meshproof.runtime.config.ConnectionPoolSettings;
import dev.meshproof.runtime.config.OutlierDetectionSettings;
import dev.meshproof.runtime.policy.circuit.CircuitBreakerThresholds;
import dev.meshproof.runtime.policy.lb.ConsistentHashLb;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.lb.SlowStart;
import dev.meshproof.runtime.registry.ServiceInstance;
import dev.meshproof.runtime.registry.ServiceProtocol;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.Percent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * CDS for one proxy: an EDS cluster per service port and per DestinationRule subset ({@code
 * outbound|80|v1|catalog.default.svc.cluster.local}), istiod's {@code BlackHoleCluster} and {@code
 * PassthroughCluster}, then, for a serving workload, the static {@code inbound|<port>||} cluster
 * that reaches its app. Defaults come from the Istio profile.
 */
final class ClusterBuilder {
  private final TranslationInput input;

  ClusterBuilder(TranslationInput input) {
    this.input = input;
  }

  /** Every cluster of the proxy: {@link #outbound()} then {@link #inbound()}. */
  List<Cluster> build() {
    List<Cluster> clusters = new ArrayList<>(outbound());
    clusters.addAll(inbound());
    return clusters;
  }

  /**
   * The clusters of what the proxy reaches (its visible service ports and subsets, {@code
   * BlackHoleCluster}, {@code PassthroughCluster}): they read only the proxy's outbound inputs, so
   * proxies with equal ones share them ({@link OutboundCache}).
   */
  List<Cluster> outbound() {
    List<Cluster> clusters = new ArrayList<>();
    java.util.SortedMap<ServiceKey, List<dev.meshproof.runtime.registry.ServiceInstance>> services =
        input.services();
    for (OutboundCluster cluster : input.outboundClusters()) {
      List<dev.meshproof.runtime.registry.ServiceInstance> instances =
          services.get(cluster.service());
      Cluster built =
          dev.meshproof.runtime.registry.OriginalDestinationEndpoint.any(instances)
              ? originalDestinationCluster(cluster, instances)
              : isDns(instances) ? strictDnsCluster(cluster, instances) : edsCluster(cluster);
      clusters.add(withTransportSocket(built, cluster));
    }
    clusters.add(blackHoleCluster());
    clusters.add(passthroughCluster());
    return clusters;
  }

  /** The workload's own {@code inbound|<port>||} clusters, one per port it serves: per proxy. */
  List<Cluster> inbound() {
    return input.proxy().inbounds().stream().map(this::inboundCluster).toList();
  }

  private Cluster edsCluster(OutboundCluster cluster) {
    String name = cluster.name();
    Optional<ConnectionPoolSettings> pool = cluster.connectionPool();
    Cluster.Builder out =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder()
                    .setEdsConfig(XdsProtos.ADS)
                    .setServiceName(name))
            .setConnectTimeout(
                XdsProtos.duration(
                    pool.flatMap(ConnectionPoolSettings::connectTimeout)
                        .orElse(input.profile().connectTimeout())))
            .setLbPolicy(envoyLb(cluster.lb()))
            .setCircuitBreakers(circuitBreakers(pool));
    cluster.consistentHash().ifPresent(hash -> consistentHash(out, hash.table()));
    if (cluster.consistentHash().isEmpty()) {
      cluster.warmup().ifPresent(warmup -> slowStart(out, cluster.lb(), warmup));
    }
    httpProtocolOptions(pool, protocolOf(cluster.service()))
        .ifPresent(
            options ->
                out.putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Any.pack(options)));
    cluster
        .outlierDetection()
        .ifPresent(outlier -> out.setOutlierDetection(outlierDetection(outlier)));
    panicThreshold(cluster.outlierDetection())
        .ifPresent(
            percent ->
                out.setCommonLbConfig(
                    Cluster.CommonLbConfig.newBuilder()
                        .setHealthyPanicThreshold(Percent.newBuilder().setValue(percent))));
    // istiod's LocalityLBSettings.ApplyToCluster: locality-weighted balancing with distribute, or
    // with failover regions on a cluster with outlier detection.
    if (EndpointBuilder.localityWeighted(input, cluster)) {
      out.getCommonLbConfigBuilder()
          .setLocalityWeightedLbConfig(
              Cluster.CommonLbConfig.LocalityWeightedLbConfig.getDefaultInstance());
    }
    return out.build();
  }

  /** A ServiceEntry with resolution DNS: its instances are names the proxy resolves. */
  static boolean isDns(List<dev.meshproof.runtime.registry.ServiceInstance> instances) {
    return instances.stream().anyMatch(i -> i.endpoint().isUnresolved());
  }

  /**
   * A ServiceEntry with resolution NONE, as istiod's {@code buildCluster} (cluster_builder.go,
   * {@code convertResolution}: {@code model.Passthrough} to {@code ORIGINAL_DST}, load balancing
   * {@code CLUSTER_PROVIDED}, a port's {@code targetPort} as {@code upstream_port_override}): no
   * endpoints, the connection goes where the caller's was going; the connect timeout, circuit
   * breakers and protocol options as an EDS cluster's. Deliberate differences: with no iptables
   * original destination here, the destination is read from the request's {@code :authority}
   * ({@code original_dst_lb_config.use_http_header}), as the {@code PassthroughCluster}'s; and
   * every route to such a cluster matches only loopback authorities ({@link
   * RouteConfigBuilder#LOOPBACK_AUTHORITY_REGEX}), so it never connects off loopback. Outlier
   * detection, consistent hashing and locality weighting (meaningless without endpoints) are not
   * emitted.
   */
  private Cluster originalDestinationCluster(
      OutboundCluster cluster, List<dev.meshproof.runtime.registry.ServiceInstance> instances) {
    Cluster.OriginalDstLbConfig.Builder lb =
        Cluster.OriginalDstLbConfig.newBuilder()
            .setUseHttpHeader(true)
            .setHttpHeaderName(":authority");
    // istiod: a port's targetPort becomes upstream_port_override (PassthroughTargetPorts).
    instances.stream()
        .mapToInt(i -> i.endpoint().getPort())
        .filter(port -> port != cluster.service().port())
        .findFirst()
        .ifPresent(port -> lb.setUpstreamPortOverride(com.google.protobuf.UInt32Value.of(port)));
    return edsCluster(cluster).toBuilder()
        .clearEdsClusterConfig()
        .clearOutlierDetection()
        .clearRingHashLbConfig()
        .clearMaglevLbConfig()
        .clearCommonLbConfig()
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setOriginalDstLbConfig(lb)
        .build();
  }

  /** mesh config {@code dnsRefreshRate}'s default (pkg/config/mesh/mesh.go). */
  static final java.time.Duration DNS_REFRESH_RATE = java.time.Duration.ofSeconds(60);

  /**
   * A ServiceEntry with resolution DNS, as istiod's {@code buildCluster} (cluster_builder.go :491):
   * {@code STRICT_DNS} with the endpoints inline in {@code load_assignment} (the names and ports,
   * filtered by the subset's labels), {@code dns_lookup_family: V4_ONLY} (istiod's {@code
   * SelectDNSLookupFamily} for an IPv4 proxy), {@code dns_refresh_rate} 60 s, {@code
   * respect_dns_ttl}; the rest (timeouts, circuit breakers, load balancer, outlier detection) as an
   * EDS cluster's. istiod's c-ares {@code typed_dns_resolver_config} and {@code dns_jitter} are not
   * emitted (Envoy's defaults).
   */
  private Cluster strictDnsCluster(
      OutboundCluster cluster, List<dev.meshproof.runtime.registry.ServiceInstance> instances) {
    io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints.Builder locality =
        io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints.newBuilder();
    instances.stream()
        .filter(i -> i.matches(cluster.selector()))
        .sorted(
            java.util.Comparator.comparing(
                dev.meshproof.runtime.registry.ServiceInstance::workload))
        .forEach(i -> locality.addLbEndpoints(XdsProtos.lbEndpoint(i.endpoint())));
    return edsCluster(cluster).toBuilder()
        .clearEdsClusterConfig()
        .setType(Cluster.DiscoveryType.STRICT_DNS)
        .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY)
        .setDnsRefreshRate(XdsProtos.duration(DNS_REFRESH_RATE))
        .setRespectDnsTtl(true)
        .setLoadAssignment(
            io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.newBuilder()
                .setClusterName(cluster.name())
                .addEndpoints(locality))
        .build();
  }

  /** The cluster with auto mTLS's transport socket, when the mesh has a CA (see MtlsBuilder). */
  private Cluster withTransportSocket(Cluster built, OutboundCluster cluster) {
    return new MtlsBuilder(input)
        .upstreamTransportSocket(cluster)
        .map(socket -> built.toBuilder().setTransportSocket(socket).build())
        .orElse(built);
  }

  /**
   * istiod's thresholds ({@code cluster_traffic_policy.go applyConnectionPool}, {@code
   * getDefaultCircuitBreakerThresholds}): all four always emitted at {@code math.MaxUint32}, a
   * DestinationRule value replacing one only when above zero; {@code track_remaining} by release.
   */
  private CircuitBreakers circuitBreakers(Optional<ConnectionPoolSettings> pool) {
    return CircuitBreakers.newBuilder()
        .addThresholds(
            CircuitBreakers.Thresholds.newBuilder()
                .setMaxConnections(threshold(pool.map(ConnectionPoolSettings::maxConnections)))
                .setMaxPendingRequests(
                    threshold(pool.map(ConnectionPoolSettings::http1MaxPendingRequests)))
                .setMaxRequests(threshold(pool.map(ConnectionPoolSettings::http2MaxRequests)))
                .setMaxRetries(threshold(pool.map(ConnectionPoolSettings::maxRetries)))
                .setTrackRemaining(input.profile().trackRemainingCircuitBreakers()))
        .build();
  }

  /** The extension key under which istiod puts a cluster's upstream HTTP protocol options. */
  static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  /**
   * istiod's {@code applyConnectionPool}, {@code setUpstreamProtocol} and {@code
   * clusterWrapper.build}: an HTTP2/GRPC/GRPC-Web port gets an explicit HTTP/2 config ({@code
   * setH2Options}, empty {@code http2_protocol_options}); when the pool sets an idle timeout (http,
   * else tcp), requests per connection above zero or a connection duration, {@code
   * common_http_protocol_options} with them, and the upstream protocol is then the port's: HTTP/2
   * as above, else an explicit HTTP/1.1 config (required by Envoy once the extension is present).
   */
  private static Optional<HttpProtocolOptions> httpProtocolOptions(
      Optional<ConnectionPoolSettings> pool, ServiceProtocol protocol) {
    HttpProtocolOptions.ExplicitHttpConfig.Builder explicit =
        HttpProtocolOptions.ExplicitHttpConfig.newBuilder();
    if (protocol.isHttp2()) {
      explicit.setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance());
    } else {
      explicit.setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance());
    }
    Optional<io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions> common =
        pool.flatMap(ClusterBuilder::commonHttpProtocolOptions);
    if (common.isEmpty() && !protocol.isHttp2()) {
      return Optional.empty();
    }
    HttpProtocolOptions.Builder options =
        HttpProtocolOptions.newBuilder().setExplicitHttpConfig(explicit);
    common.ifPresent(options::setCommonHttpProtocolOptions);
    return Optional.of(options.build());
  }

  private static Optional<io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions>
      commonHttpProtocolOptions(ConnectionPoolSettings p) {
    int perConnection = p.maxRequestsPerConnection().orElse(0);
    if (p.idleTimeout().isEmpty() && perConnection == 0 && p.maxConnectionDuration().isEmpty()) {
      return Optional.empty();
    }
    io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.Builder common =
        io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder();
    p.idleTimeout().ifPresent(d -> common.setIdleTimeout(XdsProtos.duration(d)));
    if (perConnection > 0) {
      common.setMaxRequestsPerConnection(UInt32Value.of(perConnection));
    }
    p.maxConnectionDuration()
        .ifPresent(d -> common.setMaxConnectionDuration(XdsProtos.duration(d)));
    return Optional.of(common.build());
  }

  /** The protocol of a service port: that of its instances (HTTP when it has none). */
  private ServiceProtocol protocolOf(ServiceKey service) {
    if (protocols == null) {
      // Indexed once per translation: a scan per cluster made a proxy's CDS O(services x
      // instances).
      protocols = new java.util.HashMap<>();
      for (ServiceInstance i : input.instances()) {
        protocols.putIfAbsent(new ServiceKey(i.hostname(), i.servicePort()), i.protocol());
      }
    }
    return protocols.getOrDefault(service, ServiceProtocol.HTTP);
  }

  /** The protocol of each service port, from its first instance; built on first use. */
  private java.util.Map<ServiceKey, ServiceProtocol> protocols;

  /** The protocol of the port this workload serves (istiod builds inbound clusters alike). */
  private ServiceProtocol inboundProtocol(ProxyNode.Inbound inbound) {
    return input.instances().stream()
        .filter(
            i ->
                i.workload().equals(input.proxy().workload())
                    && i.namespace().equals(input.proxy().namespace())
                    && i.servicePort() == inbound.servicePort())
        .map(ServiceInstance::protocol)
        .findFirst()
        .orElse(ServiceProtocol.HTTP);
  }

  private static UInt32Value threshold(Optional<OptionalInt> value) {
    int set = value.orElse(OptionalInt.empty()).orElse(0);
    return UInt32Value.of(
        set > 0 ? set : (int) CircuitBreakerThresholds.UNLIMITED /* MaxUint32 as unsigned */);
  }

  /**
   * istiod's {@code applyOutlierDetection}: success-rate ejection off, consecutive 5xx and gateway
   * errors with 100 % enforcement (0 when the count is 0), interval and base ejection time copied,
   * {@code maxEjectionPercent} only when above zero, local-origin errors when split.
   */
  private static OutlierDetection outlierDetection(OutlierDetectionSettings settings) {
    OutlierDetection.Builder out =
        OutlierDetection.newBuilder().setEnforcingSuccessRate(UInt32Value.of(0));
    settings
        .consecutive5xxErrors()
        .ifPresent(
            n ->
                out.setConsecutive5Xx(UInt32Value.of(n))
                    .setEnforcingConsecutive5Xx(UInt32Value.of(n > 0 ? 100 : 0)));
    settings
        .consecutiveGatewayErrors()
        .ifPresent(
            n ->
                out.setConsecutiveGatewayFailure(UInt32Value.of(n))
                    .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(n > 0 ? 100 : 0)));
    settings.interval().ifPresent(d -> out.setInterval(XdsProtos.duration(d)));
    settings.baseEjectionTime().ifPresent(d -> out.setBaseEjectionTime(XdsProtos.duration(d)));
    settings
        .maxEjectionPercent()
        .ifPresent(
            p -> {
              if (p > 0) {
                out.setMaxEjectionPercent(UInt32Value.of(p));
              }
            });
    if (settings.splitExternalLocalOriginErrors()) {
      out.setSplitExternalLocalOriginErrors(true);
      settings
          .consecutiveLocalOriginFailures()
          .ifPresent(
              n -> {
                if (n > 0) {
                  out.setConsecutiveLocalOriginFailure(UInt32Value.of(n))
                      .setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(100));
                }
              });
      out.setEnforcingLocalOriginSuccessRate(UInt32Value.of(0));
    }
    return out.build();
  }

  /**
   * {@code common_lb_config.healthy_panic_threshold} (istiod {@code applyLoadBalancer} :332 and
   * {@code applyOutlierDetection}): the outlier detection's minHealthPercent (default 0) when set;
   * otherwise 0 on every EDS cluster since 1.31, unset (Envoy's 50 %) in 1.28.
   */
  private Optional<Double> panicThreshold(Optional<OutlierDetectionSettings> outlier) {
    if (outlier.isPresent()) {
      return Optional.of((double) outlier.get().minHealthPercent().orElse(0));
    }
    return input.profile().panicThresholdOnEveryCluster() ? Optional.of(0.0) : Optional.empty();
  }

  /**
   * istiod's {@code buildBlackHoleCluster} (cluster_builder.go :776): STATIC, no endpoints, so
   * every request routed to it is answered 503 UH by the proxy; {@code alt_stat_name} {@code
   * BlackHoleCluster;} ({@code util.DelimitedStatsPrefix}).
   */
  private Cluster blackHoleCluster() {
    return Cluster.newBuilder()
        .setName(XdsNames.BLACKHOLE_CLUSTER)
        .setAltStatName(XdsNames.BLACKHOLE_CLUSTER + ";")
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(XdsProtos.duration(input.profile().connectTimeout()))
        .build();
  }

  /**
   * istiod's {@code passthroughHttpProtocolOptions} (cluster_builder.go): a 5 min idle timeout
   * ({@code original_dst: set idle timeout to 5min}, istio#41775) and {@code
   * use_downstream_protocol_config} with empty HTTP/1.1 and HTTP/2 options, so a request goes to
   * its original destination in the protocol it arrived in. istiod's header-case-preserving variant
   * needs the {@code preserveHttp1HeaderCase} proxy option, which Meshproof does not model.
   */
  static final HttpProtocolOptions PASSTHROUGH_PROTOCOL_OPTIONS =
      HttpProtocolOptions.newBuilder()
          .setCommonHttpProtocolOptions(
              io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder()
                  .setIdleTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(300)))
          .setUseDownstreamProtocolConfig(
              HttpProtocolOptions.UseDownstreamHttpConfig.newBuilder()
                  .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
                  .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
          .build();

  /**
   * istiod's {@code buildDefaultPassthroughCluster} (cluster_builder.go :789): ORIGINAL_DST with
   * {@code CLUSTER_PROVIDED} load balancing, istiod's circuit breakers, {@code alt_stat_name}
   * {@code PassthroughCluster;} and {@link #PASSTHROUGH_PROTOCOL_OPTIONS}. A deliberate difference:
   * there is no iptables original destination here, so the destination is read from the request's
   * {@code :authority} ({@code original_dst_lb_config.use_http_header}); an authority that is not
   * an {@code ip:port} literal finds no host (503 UH). The route in front of it lets only {@code
   * 127.0.0.1:<port>} through, so passed-through traffic never leaves loopback.
   */
  private Cluster passthroughCluster() {
    return Cluster.newBuilder()
        .setName(XdsNames.PASSTHROUGH_CLUSTER)
        .setAltStatName(XdsNames.PASSTHROUGH_CLUSTER + ";")
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setConnectTimeout(XdsProtos.duration(input.profile().connectTimeout()))
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setOriginalDstLbConfig(
            Cluster.OriginalDstLbConfig.newBuilder()
                .setUseHttpHeader(true)
                .setHttpHeaderName(":authority"))
        .setCircuitBreakers(circuitBreakers(Optional.empty()))
        .putTypedExtensionProtocolOptions(
            HTTP_PROTOCOL_OPTIONS, Any.pack(PASSTHROUGH_PROTOCOL_OPTIONS))
        .build();
  }

  /**
   * The static cluster to the workload's app. istiod applies a connection pool to inbound clusters
   * too ({@code applyTrafficPolicy}: the DestinationRule's port-level policy for the served
   * service, else an empty pool), so they carry the same MaxUint32 circuit breakers and any connect
   * timeout or per-connection limit of that rule; outlier detection and load balancing are outbound
   * only.
   */
  private Cluster inboundCluster(ProxyNode.Inbound inbound) {
    String name = XdsNames.inboundCluster(inbound.servicePort());
    Optional<ConnectionPoolSettings> pool =
        input.instances().stream()
            .filter(
                i ->
                    i.workload().equals(input.proxy().workload())
                        && i.namespace().equals(input.proxy().namespace())
                        && i.servicePort() == inbound.servicePort())
            .findFirst()
            .flatMap(i -> input.inboundConnectionPool(i.hostname(), inbound.servicePort()));
    Cluster.Builder out =
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.STATIC)
            .setConnectTimeout(
                XdsProtos.duration(
                    pool.flatMap(ConnectionPoolSettings::connectTimeout)
                        .orElse(input.profile().connectTimeout())))
            .setCircuitBreakers(circuitBreakers(pool))
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .setClusterName(name)
                    .addEndpoints(
                        LocalityLbEndpoints.newBuilder()
                            .addLbEndpoints(XdsProtos.lbEndpoint(inbound.app()))));
    httpProtocolOptions(pool, inboundProtocol(inbound))
        .ifPresent(
            options ->
                out.putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Any.pack(options)));
    return out.build();
  }

  /**
   * istiod's {@code ApplyRingHashLoadBalancer} (cluster_traffic_policy.go), applied after the
   * simple policy: MAGLEV with {@code table_size} when set, else RING_HASH with {@code
   * minimum_ring_size} when set (the parser already wrote out the deprecated field or 1024 when
   * neither ringHash nor maglev was given).
   */
  private static void consistentHash(Cluster.Builder out, ConsistentHashLb table) {
    if (table instanceof ConsistentHashLb.Maglev m) {
      out.setLbPolicy(Cluster.LbPolicy.MAGLEV);
      m.tableSize()
          .ifPresent(
              size ->
                  out.setMaglevLbConfig(
                      Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(size))));
    } else if (table instanceof ConsistentHashLb.RingHash r) {
      out.setLbPolicy(Cluster.LbPolicy.RING_HASH);
      r.minimumRingSize()
          .ifPresent(
              size ->
                  out.setRingHashLbConfig(
                      Cluster.RingHashLbConfig.newBuilder()
                          .setMinimumRingSize(UInt64Value.of(size))));
    }
  }

  /**
   * istiod's {@code applyRoundRobinLoadBalancer} / {@code applyLeastRequestLoadBalancer} with
   * {@code setWarmup} or the deprecated {@code setSlowStartConfig} (cluster_traffic_policy.go): the
   * warmup becomes the {@code slow_start_config} of the round-robin or least-request lb config;
   * RANDOM gets none (istiod sets no lb config for it). The aggression carries istiod's runtime key
   * "(", which no runtime holds, so Envoy uses its default value. Not called for a consistent-hash
   * cluster: there istiod's ring-hash or Maglev config replaces it (a deliberate difference: when
   * {@code ringHash} omits {@code minimumRingSize} istiod leaves the least-request config on the
   * RING_HASH cluster, which Envoy does not read; it is not emitted here).
   */
  private static void slowStart(Cluster.Builder out, LbPolicy lb, SlowStart warmup) {
    Cluster.SlowStartConfig.Builder config =
        Cluster.SlowStartConfig.newBuilder()
            .setSlowStartWindow(XdsProtos.duration(warmup.window()));
    warmup
        .aggression()
        .ifPresent(
            a ->
                config.setAggression(
                    io.envoyproxy.envoy.config.core.v3.RuntimeDouble.newBuilder()
                        .setDefaultValue(a)
                        .setRuntimeKey("(")));
    warmup
        .minWeightPercent()
        .ifPresent(m -> config.setMinWeightPercent(Percent.newBuilder().setValue(m)));
    switch (lb) {
      case ROUND_ROBIN ->
          out.setRoundRobinLbConfig(
              Cluster.RoundRobinLbConfig.newBuilder().setSlowStartConfig(config));
      case LEAST_REQUEST ->
          out.setLeastRequestLbConfig(
              Cluster.LeastRequestLbConfig.newBuilder().setSlowStartConfig(config));
      case RANDOM -> {}
    }
  }

  private static Cluster.LbPolicy envoyLb(LbPolicy lb) {
    return switch (lb) {
      case ROUND_ROBIN -> Cluster.LbPolicy.ROUND_ROBIN;
      case LEAST_REQUEST -> Cluster.LbPolicy.LEAST_REQUEST;
      case RANDOM -> Cluster.LbPolicy.RANDOM;
    };
  }
}
