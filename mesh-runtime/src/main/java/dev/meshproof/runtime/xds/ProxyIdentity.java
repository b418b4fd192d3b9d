package dev.meshproof.runtime.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.SidecarRequest;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Map;
import java.util.Objects;

/**
 * Who a sidecar is to the control plane, and the one place its xDS {@link Node} is built: the Istio
 * node id, the cluster ({@code <app>.<namespace>}) and the metadata Istio's pilot-agent puts in the
 * bootstrap ({@code NAMESPACE}, {@code NAME}, {@code LABELS}, {@code ISTIO_VERSION}). The embedded
 * sidecar and Envoy's bootstrap both send {@link #toNode()}, so the two data planes identify
 * themselves identically.
 *
 * @param id the xDS node id, by which the control plane keys the proxy's snapshot
 * @param workload the pod name
 * @param namespace the pod's namespace
 * @param labels the pod's labels
 * @param istioVersion the Istio release the proxy reports (the mesh's selected version)
 */
public record ProxyIdentity(
    String id,
    String workload,
    String namespace,
    Map<String, String> labels,
    IstioVersion istioVersion) {

  /** Every sidecar of the mesh runs on loopback, the stand-in for its pod IP. */
  private static final String POD_IP = "127.0.0.1";

  public ProxyIdentity {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(istioVersion, "istioVersion");
  }

  /** The identity a data plane's sidecar announces for {@code request}. */
  public static ProxyIdentity of(SidecarRequest request) {
    return new ProxyIdentity(
        request.proxyId(),
        request.workload(),
        request.namespace(),
        request.labels(),
        request.istioVersion());
  }

  /** The identity of a sidecar of pod {@code workload}, with Istio's sidecar node id. */
  public static ProxyIdentity sidecar(
      String workload, String namespace, Map<String, String> labels, IstioVersion istioVersion) {
    return new ProxyIdentity(
        sidecarId(POD_IP, workload, namespace), workload, namespace, labels, istioVersion);
  }

  /**
   * The identity of an ingress gateway pod {@code workload}, with Istio's router node id ({@code
   * router~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local}, as istio-agent announces a
   * gateway).
   */
  public static ProxyIdentity router(
      String workload, String namespace, Map<String, String> labels, IstioVersion istioVersion) {
    return new ProxyIdentity(
        "router~"
            + POD_IP
            + "~"
            + workload
            + "."
            + namespace
            + "~"
            + namespace
            + ".svc.cluster.local",
        workload,
        namespace,
        labels,
        istioVersion);
  }

  /**
   * Istio's sidecar node id: {@code sidecar~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local}.
   */
  public static String sidecarId(String ip, String pod, String namespace) {
    return "sidecar~" + ip + "~" + pod + "." + namespace + "~" + namespace + ".svc.cluster.local";
  }

  /**
   * Istio's service cluster of the proxy, {@code <app label or pod>.<namespace>}, as {@code
   * istio-proxy} reports it in {@code node.cluster}.
   */
  public String serviceCluster() {
    return labels.getOrDefault("app", workload) + "." + namespace;
  }

  /** The xDS node this proxy sends in every discovery request. */
  public Node toNode() {
    Struct.Builder labelStruct = Struct.newBuilder();
    labels.forEach((k, v) -> labelStruct.putFields(k, string(v)));
    return Node.newBuilder()
        .setId(id)
        .setCluster(serviceCluster())
        .setMetadata(
            Struct.newBuilder()
                .putFields("NAMESPACE", string(namespace))
                .putFields("NAME", string(workload))
                .putFields("LABELS", Value.newBuilder().setStructValue(labelStruct).build())
                .putFields("ISTIO_VERSION", string(istioVersion.toString())))
        .build();
  }

  private static Value string(String value) {
    return Value.newBuilder().setStringValue(value).build();
  }
}
