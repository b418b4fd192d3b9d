package dev.meshproof.runtime.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import dev.meshproof.runtime.SidecarRequest;
import dev.meshproof.runtime.xds.ProxyIdentity;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.net.InetSocketAddress;

/**
 * The bootstrap of an Envoy sidecar, shaped as Istio's sidecar bootstrap: the Istio node id and
 * metadata (the same {@link ProxyIdentity} node the embedded sidecar sends), an admin listener on
 * loopback, and ADS over gRPC to the control plane as the source of every listener, route, cluster
 * and endpoint. Nothing else is static: what Envoy routes by comes from the same translation that
 * feeds the embedded sidecar.
 */
final class EnvoyBootstrap {
  static final String XDS_CLUSTER = "xds-grpc";

  private EnvoyBootstrap() {}

  static String json(SidecarRequest request, int adminPort) {
    ConfigSource ads =
        ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();
    Bootstrap bootstrap =
        Bootstrap.newBuilder()
            .setNode(ProxyIdentity.of(request).toNode())
            .setAdmin(Admin.newBuilder().setAddress(loopback(adminPort)))
            .setDynamicResources(
                Bootstrap.DynamicResources.newBuilder()
                    .setAdsConfig(
                        ApiConfigSource.newBuilder()
                            .setApiType(ApiConfigSource.ApiType.GRPC)
                            .setTransportApiVersion(ApiVersion.V3)
                            .addGrpcServices(
                                GrpcService.newBuilder()
                                    .setEnvoyGrpc(
                                        GrpcService.EnvoyGrpc.newBuilder()
                                            .setClusterName(XDS_CLUSTER))))
                    .setCdsConfig(ads)
                    .setLdsConfig(ads))
            .setStaticResources(
                Bootstrap.StaticResources.newBuilder()
                    .addClusters(xdsCluster(request.controlPlane())))
            .build();
    try {
      return JsonFormat.printer()
          .usingTypeRegistry(
              JsonFormat.TypeRegistry.newBuilder().add(HttpProtocolOptions.getDescriptor()).build())
          .print(bootstrap);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("bootstrap is not printable: " + e.getMessage(), e);
    }
  }

  private static Cluster xdsCluster(InetSocketAddress controlPlane) {
    return Cluster.newBuilder()
        .setName(XDS_CLUSTER)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Durations.fromSeconds(1))
        .putTypedExtensionProtocolOptions(
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            Any.pack(
                HttpProtocolOptions.newBuilder()
                    .setExplicitHttpConfig(
                        HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                    .build()))
        .setLoadAssignment(
            ClusterLoadAssignment.newBuilder()
                .setClusterName(XDS_CLUSTER)
                .addEndpoints(
                    LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(
                            LbEndpoint.newBuilder()
                                .setEndpoint(
                                    Endpoint.newBuilder()
                                        .setAddress(loopback(controlPlane.getPort()))))))
        .build();
  }

  private static Address loopback(int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(port))
        .build();
  }
}
