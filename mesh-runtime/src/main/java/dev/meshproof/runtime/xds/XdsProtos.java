package dev.meshproof.runtime.xds;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import java.net.InetSocketAddress;

/** Small protobuf pieces every per-type builder shares. */
final class XdsProtos {
  /**
   * "Fetch this over the same ADS stream, and wait for it however long it takes", as istiod points
   * RDS and EDS ({@code cluster_builder.go maybeApplyEdsConfig}: {@code initial_fetch_timeout: 0s};
   * Envoy's default would give up after 15 s and serve the cluster without endpoints).
   */
  static final ConfigSource ADS =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
          .setInitialFetchTimeout(com.google.protobuf.Duration.getDefaultInstance())
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  private XdsProtos() {}

  static Address address(InetSocketAddress address) {
    return Address.newBuilder()
        .setSocketAddress(
            SocketAddress.newBuilder()
                // An unresolved address is a DNS name a STRICT_DNS cluster resolves.
                .setAddress(
                    address.isUnresolved()
                        ? address.getHostString()
                        : address.getAddress().getHostAddress())
                .setPortValue(address.getPort()))
        .build();
  }

  /**
   * An endpoint with istiod's {@code filter_metadata.istio.workload} ({@code
   * <workload>;<namespace>;<canonical service>;<canonical revision>;<cluster>}, istiod's {@code
   * util.AppendLbEndpointMetadata}): who serves it, for the stats filter's destination labels.
   */
  static LbEndpoint lbEndpoint(InetSocketAddress address, String istioWorkload) {
    return lbEndpoint(address).toBuilder()
        .setMetadata(
            io.envoyproxy.envoy.config.core.v3.Metadata.newBuilder()
                .putFilterMetadata(
                    "istio",
                    com.google.protobuf.Struct.newBuilder()
                        .putFields(
                            "workload",
                            com.google.protobuf.Value.newBuilder()
                                .setStringValue(istioWorkload)
                                .build())
                        .build()))
        .build();
  }

  static LbEndpoint lbEndpoint(InetSocketAddress address) {
    return LbEndpoint.newBuilder()
        .setEndpoint(Endpoint.newBuilder().setAddress(address(address)))
        .build();
  }

  /**
   * A protobuf duration equal to {@code duration} (zero has its seconds set, as Envoy reads it).
   */
  static com.google.protobuf.Duration duration(java.time.Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }
}
