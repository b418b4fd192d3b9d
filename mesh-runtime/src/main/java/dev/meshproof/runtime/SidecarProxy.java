package dev.meshproof.runtime;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * A workload's sidecar, whichever data plane runs it (the embedded Netty sidecar, a real Envoy
 * process): where the app sends outbound traffic, where the mesh delivers inbound traffic, and its
 * xDS node id. Closing it stops the proxy and everything it started.
 */
public interface SidecarProxy extends AutoCloseable {

  /**
   * The xDS node id, shaped like Istio's ({@code sidecar~127.0.0.1~pod.ns~ns.svc.cluster.local}).
   */
  String proxyId();

  /** Where the app sends requests for other services (the stand-in for iptables capture). */
  InetSocketAddress outboundAddress();

  /** Where other sidecars send requests for this workload; empty for a client-only workload. */
  Optional<InetSocketAddress> inboundAddress();

  /**
   * Where other sidecars send requests for each port of the served Service, by port, in the
   * Service's declaration order (the first is {@link #inboundAddress()}); empty for a client-only
   * workload.
   */
  java.util.Map<Integer, InetSocketAddress> inboundAddresses();

  /**
   * An ingress gateway's listener addresses by Gateway server port (where a client outside the mesh
   * sends requests for {@code port}); empty for a sidecar.
   */
  default java.util.Map<Integer, InetSocketAddress> gatewayAddresses() {
    return java.util.Map.of();
  }

  /**
   * The proxy's admin interface on loopback ({@code /ready}, {@code /config_dump}, ...), if any.
   */
  default Optional<InetSocketAddress> adminAddress() {
    return Optional.empty();
  }

  /** The proxy's configuration as Envoy's {@code /config_dump} JSON, as evidence. */
  String configDump();

  /**
   * Waits until the proxy serves the configuration it ACKed (an Envoy binds listeners after the
   * ACK); the embedded sidecar serves on ACK, so it returns at once.
   *
   * @throws IllegalStateException when the proxy died or is not ready in time, with its log
   */
  default void awaitReady(java.time.Duration timeout) {}

  /** Why the proxy is not running any more (e.g. an Envoy process that exited), if it is not. */
  default Optional<String> failure() {
    return Optional.empty();
  }

  /**
   * The lines the proxy's access loggers wrote so far, oldest first, each as its JSON keys and
   * values ({@code route_name}, {@code upstream_cluster}, {@code request_id}, ... as the xDS {@code
   * json_format} names them; {@code -} for a value that does not exist). The same keys and values
   * on every data plane, so a request's evidence reads the same. Empty when the proxy keeps none.
   */
  default java.util.List<java.util.Map<String, String>> accessLogLines() {
    return java.util.List.of();
  }

  /**
   * The requests the proxy served, each in Envoy's default access-log format ({@code [start] "GET
   * /path HTTP/1.1" 503 UF,URX 0 91 12 - "-" "ua" "id" "authority" "host"}), oldest first: an
   * in-memory sink kept whatever formats the xDS configured; empty when the proxy keeps none (an
   * Envoy process writes only the configured format).
   */
  default java.util.List<String> accessLogText() {
    return java.util.List.of();
  }

  /** The proxy's own log, attached to a failing result; empty when it keeps none. */
  default String log() {
    return "";
  }

  @Override
  void close();
}
