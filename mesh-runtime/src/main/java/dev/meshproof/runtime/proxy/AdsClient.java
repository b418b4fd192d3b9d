package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import dev.meshproof.runtime.xds.XdsJson;
import dev.meshproof.runtime.xds.XdsNames;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's ADS subscription (state-of-the-world, aggregated over one gRPC stream), following
 * Envoy's order: CDS and LDS as wildcards, then EDS for the clusters CDS named and RDS for the
 * route configs LDS named. Each response is decoded and offered to the sidecar; accepted means ACK
 * (the new version), a decoding or validation failure means NACK (the previous version, with {@code
 * error_detail}), exactly as the xDS protocol defines.
 */
final class AdsClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdsClient.class);

  private final Node node;
  private final ManagedChannel channel;
  private final Consumer<ProxyConfig> sidecar;
  private final ScheduledExecutorService scheduler;
  private StreamObserver<DiscoveryRequest> requests;
  private StreamObserver<DiscoveryResponse> currentStream;
  private int streamFailures;
  private volatile boolean closed;

  private Map<String, ListenerConfig> listeners = Map.of();
  private Map<String, RouteTable> routes = Map.of();
  private Map<String, ClusterConfig> clusters = Map.of();
  private Map<String, String> edsNames = Map.of();
  private Map<String, List<InetSocketAddress>> assignments = Map.of();
  private final Map<String, String> versions = new HashMap<>();
  private final Map<String, String> nonces = new HashMap<>();
  private final Map<String, List<String>> subscriptions = new HashMap<>();
  private final Map<String, List<Any>> accepted = new HashMap<>();

  /**
   * @param sidecar receives each candidate configuration; throwing {@link IllegalArgumentException}
   *     rejects it (NACK) with the exception's message as error detail
   */
  AdsClient(
      Node node,
      InetSocketAddress controlPlane,
      ScheduledExecutorService scheduler,
      Consumer<ProxyConfig> sidecar) {
    this.node = node;
    this.scheduler = scheduler;
    this.sidecar = sidecar;
    this.channel =
        NettyChannelBuilder.forAddress(controlPlane.getHostString(), controlPlane.getPort())
            .usePlaintext()
            .build();
  }

  synchronized void start() {
    openStream();
    subscribe(XdsNames.TYPE_CLUSTER, List.of());
    subscribe(XdsNames.TYPE_LISTENER, List.of());
  }

  /**
   * Opens an ADS stream that waits for the control plane to be reachable (gRPC's wait-for-ready,
   * with the channel's own reconnect backoff), so a sidecar started before its control plane, or
   * one whose control plane went away, connects as soon as it can, as Envoy does.
   */
  private void openStream() {
    StreamObserver<DiscoveryResponse> observer =
        new StreamObserver<>() {
          @Override
          public void onNext(DiscoveryResponse response) {
            onResponse(this, response);
          }

          @Override
          public void onError(Throwable t) {
            streamEnded(this, "failed: " + t);
          }

          @Override
          public void onCompleted() {
            streamEnded(this, "closed by the control plane");
          }
        };
    currentStream = observer;
    requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .withWaitForReady()
            .streamAggregatedResources(observer);
  }

  /**
   * A stream ended while the sidecar runs: keep serving the last accepted configuration (Envoy's
   * behaviour when istiod is down) and reconnect after a backoff.
   */
  private synchronized void streamEnded(StreamObserver<DiscoveryResponse> stream, String why) {
    if (closed || stream != currentStream) {
      return;
    }
    long delayMillis = Math.min(5_000, 100L << Math.min(6, streamFailures++));
    log.warn(
        "ADS stream of {} {}; keeping the last configuration, reconnecting in {} ms",
        node.getId(),
        why,
        delayMillis);
    try {
      scheduler.schedule(this::reconnect, delayMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      // The mesh is shutting its event loops down: there is nothing left to reconnect for.
    }
  }

  /** A new stream re-sends every subscription with the last accepted version and no nonce. */
  private synchronized void reconnect() {
    if (closed) {
      return;
    }
    nonces.clear();
    openStream();
    for (String type :
        List.of(
            XdsNames.TYPE_CLUSTER,
            XdsNames.TYPE_LISTENER,
            XdsNames.TYPE_ENDPOINT,
            XdsNames.TYPE_ROUTE)) {
      if (subscriptions.containsKey(type)) {
        send(request(type, versions.getOrDefault(type, ""), ""));
      }
    }
  }

  /** True when this client subscribes to the type (short name, e.g. {@code EDS}) with any names. */
  synchronized boolean subscribesTo(String shortType) {
    return subscriptions.entrySet().stream()
        .anyMatch(e -> XdsNames.shortType(e.getKey()).equals(shortType) && !e.getValue().isEmpty());
  }

  private synchronized void onResponse(
      StreamObserver<DiscoveryResponse> stream, DiscoveryResponse response) {
    if (stream != currentStream) {
      return; // a late response on a stream already replaced
    }
    streamFailures = 0;
    String type = response.getTypeUrl();
    try {
      switch (type) {
        case XdsNames.TYPE_CLUSTER -> acceptClusters(response.getResourcesList());
        case XdsNames.TYPE_LISTENER -> acceptListeners(response.getResourcesList());
        case XdsNames.TYPE_ROUTE -> acceptRoutes(response.getResourcesList());
        case XdsNames.TYPE_ENDPOINT -> acceptEndpoints(response.getResourcesList());
        default -> throw new IllegalArgumentException("unsupported resource type " + type);
      }
    } catch (IllegalArgumentException e) {
      String detail = e.getMessage();
      log.warn(
          "{} NACKs {} version {}: {}",
          node.getId(),
          XdsNames.shortType(type),
          response.getVersionInfo(),
          detail);
      send(
          request(type, versions.getOrDefault(type, ""), response.getNonce())
              .setErrorDetail(
                  Status.newBuilder().setCode(Code.INVALID_ARGUMENT_VALUE).setMessage(detail)));
      return;
    }
    versions.put(type, response.getVersionInfo());
    nonces.put(type, response.getNonce());
    accepted.put(type, List.copyOf(response.getResourcesList()));
    send(request(type, response.getVersionInfo(), response.getNonce()));
    // Follow-up subscriptions go after the ACK, as Envoy sends them.
    if (type.equals(XdsNames.TYPE_CLUSTER)) {
      subscribe(XdsNames.TYPE_ENDPOINT, List.copyOf(new TreeSet<>(edsNames.values())));
    } else if (type.equals(XdsNames.TYPE_LISTENER)) {
      TreeSet<String> rds = new TreeSet<>();
      listeners.values().stream()
          .filter(l -> l.routes().isEmpty())
          .forEach(l -> rds.add(l.routeConfigName()));
      subscribe(XdsNames.TYPE_ROUTE, List.copyOf(rds));
    }
  }

  /** What this proxy holds, in the JSON shape of Envoy's {@code /config_dump}. */
  synchronized String configDump() {
    ConfigDump.Builder dump = ConfigDump.newBuilder();
    ClustersConfigDump.Builder clusters = ClustersConfigDump.newBuilder();
    for (Any cluster : accepted.getOrDefault(XdsNames.TYPE_CLUSTER, List.of())) {
      clusters.addDynamicActiveClusters(
          ClustersConfigDump.DynamicCluster.newBuilder()
              .setVersionInfo(versions.get(XdsNames.TYPE_CLUSTER))
              .setCluster(cluster));
    }
    ListenersConfigDump.Builder listeners = ListenersConfigDump.newBuilder();
    for (Any any : accepted.getOrDefault(XdsNames.TYPE_LISTENER, List.of())) {
      String name = XdsDecoder.unpack(any, Listener.class, "LDS").getName();
      listeners.addDynamicListeners(
          ListenersConfigDump.DynamicListener.newBuilder()
              .setName(name)
              .setActiveState(
                  ListenersConfigDump.DynamicListenerState.newBuilder()
                      .setVersionInfo(versions.get(XdsNames.TYPE_LISTENER))
                      .setListener(any)));
    }
    RoutesConfigDump.Builder routes = RoutesConfigDump.newBuilder();
    for (Any any : accepted.getOrDefault(XdsNames.TYPE_ROUTE, List.of())) {
      routes.addDynamicRouteConfigs(
          RoutesConfigDump.DynamicRouteConfig.newBuilder()
              .setVersionInfo(versions.get(XdsNames.TYPE_ROUTE))
              .setRouteConfig(any));
    }
    EndpointsConfigDump.Builder endpoints = EndpointsConfigDump.newBuilder();
    for (Any any : accepted.getOrDefault(XdsNames.TYPE_ENDPOINT, List.of())) {
      endpoints.addDynamicEndpointConfigs(
          EndpointsConfigDump.DynamicEndpointConfig.newBuilder()
              .setVersionInfo(versions.get(XdsNames.TYPE_ENDPOINT))
              .setEndpointConfig(any));
    }
    dump.addConfigs(Any.pack(clusters.build()))
        .addConfigs(Any.pack(listeners.build()))
        .addConfigs(Any.pack(routes.build()))
        .addConfigs(Any.pack(endpoints.build()));
    try {
      return JsonFormat.printer().usingTypeRegistry(XdsJson.TYPES).print(dump);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("config dump is not printable: " + e.getMessage(), e);
    }
  }

  private void acceptClusters(List<Any> resources) {
    Map<String, ClusterConfig> decoded = new LinkedHashMap<>();
    Map<String, String> eds = new LinkedHashMap<>();
    for (Any any : resources) {
      Cluster cluster = XdsDecoder.unpack(any, Cluster.class, "CDS");
      decoded.put(cluster.getName(), XdsDecoder.cluster(cluster));
      XdsDecoder.edsServiceName(cluster).ifPresent(n -> eds.put(cluster.getName(), n));
    }
    offer(listeners, routes, decoded, eds, assignments);
    clusters = decoded;
    edsNames = eds;
  }

  private void acceptListeners(List<Any> resources) {
    Map<String, ListenerConfig> decoded = new LinkedHashMap<>();
    for (Any any : resources) {
      Listener listener = XdsDecoder.unpack(any, Listener.class, "LDS");
      decoded.put(listener.getName(), XdsDecoder.listener(listener));
    }
    offer(decoded, routes, clusters, edsNames, assignments);
    listeners = decoded;
  }

  private void acceptRoutes(List<Any> resources) {
    Map<String, RouteTable> decoded = new LinkedHashMap<>();
    for (Any any : resources) {
      RouteConfiguration config = XdsDecoder.unpack(any, RouteConfiguration.class, "RDS");
      decoded.put(config.getName(), XdsDecoder.routes(config));
    }
    offer(listeners, decoded, clusters, edsNames, assignments);
    routes = decoded;
  }

  private void acceptEndpoints(List<Any> resources) {
    Map<String, List<InetSocketAddress>> decoded = new LinkedHashMap<>();
    for (Any any : resources) {
      ClusterLoadAssignment assignment = XdsDecoder.unpack(any, ClusterLoadAssignment.class, "EDS");
      decoded.put(assignment.getClusterName(), XdsDecoder.endpoints(assignment));
    }
    offer(listeners, routes, clusters, edsNames, decoded);
    assignments = decoded;
  }

  /** Assembles a candidate configuration and hands it to the sidecar, which may reject it. */
  private void offer(
      Map<String, ListenerConfig> listeners,
      Map<String, RouteTable> routes,
      Map<String, ClusterConfig> clusters,
      Map<String, String> edsNames,
      Map<String, List<InetSocketAddress>> assignments) {
    Map<String, ListenerConfig> resolved = new LinkedHashMap<>();
    listeners.forEach(
        (name, l) ->
            resolved.put(
                name,
                l.routes().isPresent()
                    ? l
                    : new ListenerConfig(
                        l.name(),
                        l.address(),
                        l.routeConfigName(),
                        Optional.ofNullable(routes.get(l.routeConfigName())))));
    Map<String, ClusterConfig> withEndpoints = new LinkedHashMap<>();
    clusters.forEach(
        (name, c) -> {
          String eds = edsNames.get(name);
          withEndpoints.put(
              name,
              eds == null
                  ? c
                  : new ClusterConfig(
                      c.name(), c.lbPolicy(), assignments.getOrDefault(eds, List.of())));
        });
    Map<String, String> shortVersions = new LinkedHashMap<>();
    versions.forEach((type, version) -> shortVersions.put(XdsNames.shortType(type), version));
    sidecar.accept(new ProxyConfig(resolved, withEndpoints, shortVersions));
  }

  private void subscribe(String type, List<String> names) {
    if (names.equals(subscriptions.get(type))) {
      return;
    }
    subscriptions.put(type, names);
    send(request(type, versions.getOrDefault(type, ""), nonces.getOrDefault(type, "")));
  }

  private DiscoveryRequest.Builder request(String type, String version, String nonce) {
    return DiscoveryRequest.newBuilder()
        .setNode(node)
        .setTypeUrl(type)
        .setVersionInfo(version)
        .setResponseNonce(nonce)
        .addAllResourceNames(subscriptions.getOrDefault(type, List.of()));
  }

  private void send(DiscoveryRequest.Builder request) {
    if (!closed) {
      requests.onNext(request.build());
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (requests != null) {
        try {
          requests.onCompleted();
        } catch (IllegalStateException alreadyClosed) {
          // The stream already ended (e.g. the control plane stopped first); nothing to complete.
        }
      }
    }
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
