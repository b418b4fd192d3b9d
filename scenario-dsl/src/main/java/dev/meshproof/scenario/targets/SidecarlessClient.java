package dev.meshproof.scenario.targets;

import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.Workload;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.client.MeshHttpClient;
import dev.meshproof.runtime.transport.HttpConnectionPool;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client without a sidecar, as a pod without injection: it sends plaintext HTTP/1.1 with no
 * identity straight to an instance of the destination service, where kube-proxy and the callee's
 * iptables would deliver it: the instance sidecar's inbound listener. The service is the first
 * label of the URL's host ({@code catalog}, {@code catalog.default.svc.cluster.local}); instances
 * are taken in turn (round robin in deployment order).
 */
final class SidecarlessClient {
  private final Mesh mesh;
  private final HttpConnectionPool connections;
  private final AtomicInteger next = new AtomicInteger();

  /**
   * Links from this client rerouted through toxic proxies: a callee sidecar's inbound address ->
   * the proxy in front of it. Without a sidecar there is no EDS to reroute, so the client itself
   * connects to the proxy, as its packets would cross the degraded network.
   */
  private final Map<InetSocketAddress, InetSocketAddress> via = new ConcurrentHashMap<>();

  SidecarlessClient(Mesh mesh, HttpConnectionPool connections) {
    this.mesh = mesh;
    this.connections = connections;
  }

  /** What this client sends to {@code inbound} (a callee's sidecar) goes to {@code proxy}. */
  void routeLink(InetSocketAddress inbound, InetSocketAddress proxy) {
    via.put(inbound, proxy);
  }

  /**
   * The address a TCP connection from this client to {@code host} reaches: the next instance's
   * inbound listener (through its toxic proxy when the link is degraded), taken in turn as for
   * HTTP.
   *
   * @throws IllegalArgumentException when the service has no instance (a refused connection)
   */
  InetSocketAddress tcpAddress(String host) {
    String service = host.contains(".") ? host.substring(0, host.indexOf('.')) : host;
    List<InetSocketAddress> inbound =
        mesh.workloads().stream()
            .filter(w -> w.spec().service().filter(service::equals).isPresent())
            .map(Workload::sidecar)
            .flatMap(s -> s.inboundAddress().stream())
            .toList();
    if (inbound.isEmpty()) {
      throw new IllegalArgumentException(
          "no instance of service " + service + " for a caller without a sidecar");
    }
    InetSocketAddress to = inbound.get(Math.floorMod(next.getAndIncrement(), inbound.size()));
    return via.getOrDefault(to, to);
  }

  CompletableFuture<HttpOutcome> send(HttpRequestSpec request) {
    String host = request.url().getHost();
    String service = host.contains(".") ? host.substring(0, host.indexOf('.')) : host;
    List<InetSocketAddress> inbound =
        mesh.workloads().stream()
            .filter(w -> w.spec().service().filter(service::equals).isPresent())
            .map(Workload::sidecar)
            .flatMap(s -> s.inboundAddress().stream())
            .toList();
    if (inbound.isEmpty()) {
      // No instance: as a ClusterIP without endpoints, the connection is refused.
      return CompletableFuture.completedFuture(
          new HttpOutcome(
              HttpOutcome.Kind.CONNECT_FAILURE,
              0,
              java.util.Map.of(),
              "",
              Duration.ZERO,
              "no instance of service " + service + " for a caller without a sidecar"));
    }
    InetSocketAddress to = inbound.get(Math.floorMod(next.getAndIncrement(), inbound.size()));
    return new MeshHttpClient(connections, via.getOrDefault(to, to)).send(request);
  }
}
