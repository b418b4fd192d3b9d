package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.meshproof.runtime.xds.XdsJson;
import dev.meshproof.runtime.xds.XdsNames;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  private final ReconnectBackoff backoff;
  private final Map<String, XdsResourceHandler<?>> handlers = new LinkedHashMap<>();
  private XdsResources resources = XdsResources.EMPTY;
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
      ReconnectBackoff backoff,
      Consumer<ProxyConfig> sidecar) {
    this.node = node;
    this.scheduler = scheduler;
    this.backoff = backoff;
    XdsResourceHandler.ALL.forEach(h -> handlers.put(h.typeUrl(), h));
    this.sidecar = sidecar;
    this.channel =
        NettyChannelBuilder.forAddress(controlPlane.getHostString(), controlPlane.getPort())
            .usePlaintext()
            .build();
  }

  /** Called with the EDS assignments held after each accepted EDS response. */
  private volatile Consumer<List<Any>> endpointsListener = assignments -> {};

  /** Sets who hears of the EDS assignments held after each accepted EDS response. */
  void onEndpointsAccepted(Consumer<List<Any>> listener) {
    this.endpointsListener = listener;
  }

  synchronized void start() {
    openStream();
    for (XdsResourceHandler<?> handler : handlers.values()) {
      if (handler.wildcard()) {
        subscribe(handler.typeUrl(), List.of());
      }
    }
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
    Duration delay = backoff.nextBackoff(streamFailures++);
    log.warn(
        "ADS stream of {} {}; keeping the last configuration, reconnecting in {} ms",
        node.getId(),
        why,
        delay.toMillis());
    try {
      scheduler.schedule(this::reconnect, delay.toNanos(), TimeUnit.NANOSECONDS);
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
    for (String type : XdsResourceHandler.subscriptionOrder(handlers.values())) {
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
    XdsResourceHandler<?> handler = handlers.get(type);
    List<Any> resourceList;
    try {
      if (handler == null) {
        throw new IllegalArgumentException("unsupported resource type " + type);
      }
      // The JVM's one copy of each resource: sidecars holding the same resources share them and
      // their decoded configuration (SharedXdsResources).
      resourceList = SharedXdsResources.JVM.canonical(response.getResourcesList());
      XdsResources candidate = decodeInto(handler, resourceList);
      sidecar.accept(candidate.toProxyConfig(shortVersions()));
      resources = candidate;
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
    accepted.put(type, acceptedAfter(handler, resourceList));
    if (type.equals(XdsNames.TYPE_ENDPOINT)) {
      endpointsListener.accept(accepted.get(type));
    }
    send(request(type, response.getVersionInfo(), response.getNonce()));
    // Follow-up subscriptions go after the ACK, as Envoy sends them.
    handler
        .followUpTypeUrl()
        .ifPresent(followUp -> subscribe(followUp, handler.followUpNames(resources)));
  }

  private <T> XdsResources decodeInto(XdsResourceHandler<T> handler, List<Any> resourceList) {
    return resources.withResponse(
        handler,
        handler.decode(resourceList),
        subscriptions.getOrDefault(handler.typeUrl(), List.of()));
  }

  /**
   * The resources of {@code type} held after accepting {@code response}: as {@link
   * XdsResources#withResponse}, a by-name type keeps the subscribed resources the response omits.
   */
  private List<Any> acceptedAfter(XdsResourceHandler<?> handler, List<Any> response) {
    if (handler.wildcard()) {
      return List.copyOf(response);
    }
    List<String> subscribed = subscriptions.getOrDefault(handler.typeUrl(), List.of());
    Map<String, Any> byName = new LinkedHashMap<>();
    for (Any held : accepted.getOrDefault(handler.typeUrl(), List.of())) {
      String name = Resources.getResourceName(held);
      if (subscribed.contains(name)) {
        byName.put(name, held);
      }
    }
    for (Any any : response) {
      byName.put(Resources.getResourceName(any), any);
    }
    return List.copyOf(byName.values());
  }

  /** Accepted versions by short type name ({@code CDS}), as the sidecar's config carries them. */
  private Map<String, String> shortVersions() {
    Map<String, String> shortVersions = new LinkedHashMap<>();
    versions.forEach((type, version) -> shortVersions.put(XdsNames.shortType(type), version));
    return shortVersions;
  }

  /** What this proxy holds, in the JSON shape of Envoy's {@code /config_dump}. */
  synchronized String configDump() {
    ConfigDump.Builder dump = ConfigDump.newBuilder();
    for (XdsResourceHandler<?> handler : handlers.values()) {
      dump.addConfigs(
          handler.configDump(
              accepted.getOrDefault(handler.typeUrl(), List.of()),
              versions.get(handler.typeUrl())));
    }
    try {
      return JsonFormat.printer().usingTypeRegistry(XdsJson.TYPES).print(dump);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("config dump is not printable: " + e.getMessage(), e);
    }
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
