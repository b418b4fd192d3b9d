package dev.meshproof.runtime.xds;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

/**
 * A sidecar as the control plane knows it: its xDS node id and the addresses the translation must
 * put in its listeners. {@code inbound} is empty for a client-only workload.
 */
public record ProxyNode(
    String id,
    String workload,
    String namespace,
    Map<String, String> labels,
    InetSocketAddress outbound,
    Optional<Inbound> inbound) {

  public ProxyNode {
    labels = Map.copyOf(labels);
  }

  /**
   * Istio's sidecar node id: {@code sidecar~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local}.
   */
  public static String sidecarId(String ip, String pod, String namespace) {
    return "sidecar~" + ip + "~" + pod + "." + namespace + "~" + namespace + ".svc.cluster.local";
  }

  /** The inbound side: the service port, where the sidecar listens, where the app listens. */
  public record Inbound(int servicePort, InetSocketAddress listener, InetSocketAddress app) {}
}
