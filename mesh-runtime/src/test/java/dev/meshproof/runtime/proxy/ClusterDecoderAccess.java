package dev.meshproof.runtime.proxy;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;

/** Lets translation tests in other packages ask how the embedded sidecar decodes a cluster. */
public final class ClusterDecoderAccess {
  private ClusterDecoderAccess() {}

  /** Whether the sidecar sends the cluster's requests upstream as HTTP/2. */
  public static boolean http2(Cluster cluster) {
    return ClusterDecoder.connectionSettings(cluster, cluster.getName()).http2();
  }

  /** The cluster as the sidecar decodes it. */
  public static ProxyConfig.ClusterConfig decode(Cluster cluster) {
    return ClusterDecoder.cluster(cluster);
  }
}
