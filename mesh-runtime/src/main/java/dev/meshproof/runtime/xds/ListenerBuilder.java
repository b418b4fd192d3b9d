package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * LDS for one proxy: {@code virtualOutbound} at the sidecar's outbound address, its routes fetched
 * over RDS, and for a serving workload {@code virtualInbound} with its one route inline. Each
 * listener has one HTTP connection manager whose only HTTP filter is the router.
 */
final class ListenerBuilder {
  private final TranslationInput input;
  private final RouteConfigBuilder routes;

  ListenerBuilder(TranslationInput input, RouteConfigBuilder routes) {
    this.input = input;
    this.routes = routes;
  }

  List<Listener> build() {
    List<Listener> listeners = new ArrayList<>();
    listeners.add(outboundListener(input.proxy().outbound()));
    input.proxy().inbound().ifPresent(inbound -> listeners.add(inboundListener(inbound)));
    return listeners;
  }

  private static Listener outboundListener(InetSocketAddress address) {
    HttpConnectionManager hcm =
        httpConnectionManager("outbound")
            .setRds(
                Rds.newBuilder()
                    .setConfigSource(XdsProtos.ADS)
                    .setRouteConfigName(XdsNames.OUTBOUND_ROUTE))
            .build();
    return listener(XdsNames.OUTBOUND_LISTENER, address, TrafficDirection.OUTBOUND, hcm);
  }

  private Listener inboundListener(ProxyNode.Inbound inbound) {
    HttpConnectionManager hcm =
        httpConnectionManager("inbound_" + inbound.servicePort())
            .setRouteConfig(routes.inboundRouteConfig(inbound))
            .build();
    return listener(XdsNames.INBOUND_LISTENER, inbound.listener(), TrafficDirection.INBOUND, hcm);
  }

  private static HttpConnectionManager.Builder httpConnectionManager(String statPrefix) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .addHttpFilters(
            HttpFilter.newBuilder()
                .setName("envoy.filters.http.router")
                .setTypedConfig(Any.pack(Router.getDefaultInstance())));
  }

  private static Listener listener(
      String name,
      InetSocketAddress address,
      TrafficDirection direction,
      HttpConnectionManager hcm) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(XdsProtos.address(address))
        .setTrafficDirection(direction)
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        // Envoy selects the filter by the typed_config type; this legacy name is
                        // the one java-control-plane's ensureConsistent() follows to RDS names.
                        .setName("envoy.http_connection_manager")
                        .setTypedConfig(Any.pack(hcm))))
        .build();
  }
}
