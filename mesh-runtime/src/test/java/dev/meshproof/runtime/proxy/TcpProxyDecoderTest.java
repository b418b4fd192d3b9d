package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import org.junit.jupiter.api.Test;

/** The embedded sidecar decodes the {@code tcp_proxy} it honours and NACKs the rest. */
class TcpProxyDecoderTest {

  private static Listener listener(TcpProxy proxy) {
    return Listener.newBuilder()
        .setName("tcp-echo.default.svc.cluster.local_9000")
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(12000)))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName("envoy.filters.network.tcp_proxy")
                        .setTypedConfig(Any.pack(proxy))))
        .build();
  }

  @Test
  void weightedClustersDecodeWithTheirWeights() {
    var config =
        ListenerDecoder.listener(
            listener(
                TcpProxy.newBuilder()
                    .setStatPrefix("tcp-echo.default")
                    .setWeightedClusters(
                        TcpProxy.WeightedCluster.newBuilder()
                            .addClusters(
                                TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                                    .setName("a")
                                    .setWeight(80))
                            .addClusters(
                                TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                                    .setName("b")
                                    .setWeight(20)))
                    .build()));

    var proxy = config.filterChains().get(0).tcpProxy().orElseThrow();
    assertThat(proxy.statPrefix()).isEqualTo("tcp-echo.default");
    assertThat(proxy.clusters())
        .extracting(c -> c.name() + "=" + c.weight())
        .containsExactly("a=80", "b=20");
    assertThat(config.routesResolved()).isTrue();
  }

  @Test
  void fieldsTheSidecarDoesNotHonourAreNacked() {
    assertThatThrownBy(
            () ->
                ListenerDecoder.listener(
                    listener(
                        TcpProxy.newBuilder()
                            .setStatPrefix("s")
                            .setCluster("a")
                            .setIdleTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(5))
                            .build())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tcp_proxy")
        .hasMessageContaining("idle_timeout");
    assertThatThrownBy(
            () -> ListenerDecoder.listener(listener(TcpProxy.newBuilder().setCluster("a").build())))
        .hasMessageContaining("stat_prefix is empty");
    assertThatThrownBy(
            () ->
                ListenerDecoder.listener(
                    listener(TcpProxy.newBuilder().setStatPrefix("s").build())))
        .hasMessageContaining("no cluster");
  }
}
