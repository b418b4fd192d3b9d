package dev.meshproof.runtime.topology;

import java.util.List;
import java.util.Map;

/**
 * One Deployment of a {@link Topology}: its pod labels ({@code app}, {@code version}), the service
 * account its pods run as, its replicas, and the Service ports that select it.
 *
 * @param origin {@code file:line} of the Deployment, for messages
 */
public record TopologyWorkload(
    String name,
    String namespace,
    Map<String, String> labels,
    String serviceAccount,
    int replicas,
    List<ServicePort> serves,
    String origin) {

  public TopologyWorkload {
    labels = Map.copyOf(labels);
    serves = List.copyOf(serves);
  }

  /**
   * A port of a Service whose selector matches this workload's labels, with the Service's {@code
   * networking.istio.io/exportTo} annotation (empty: everywhere).
   */
  public record ServicePort(String service, int port, String name, List<String> exportTo) {
    public ServicePort {
      exportTo = List.copyOf(exportTo);
    }

    /** A port of a Service exported everywhere. */
    public ServicePort(String service, int port, String name) {
      this(service, port, name, List.of());
    }
  }
}
