package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Sidecars in one JVM that receive equal resources hold one copy of each and one decoded
 * configuration of it; a different resource (a new version) is its own, and a resource that does
 * not decode is not remembered.
 */
class SharedXdsResourcesTest {

  private static Any assignment(String cluster, int port) {
    return Any.pack(
        ClusterLoadAssignment.newBuilder()
            .setClusterName(cluster)
            .addEndpoints(
                LocalityLbEndpoints.newBuilder()
                    .addLbEndpoints(
                        LbEndpoint.newBuilder()
                            .setEndpoint(
                                Endpoint.newBuilder()
                                    .setAddress(
                                        Address.newBuilder()
                                            .setSocketAddress(
                                                SocketAddress.newBuilder()
                                                    .setAddress("127.0.0.1")
                                                    .setPortValue(port))))))
            .build());
  }

  /** What a sidecar's gRPC stream delivers: its own parsed copy of the bytes on the wire. */
  private static Any received(Any sent) throws Exception {
    return Any.parseFrom(sent.toByteArray());
  }

  @Test
  void equalResourcesReceivedBySeveralSidecarsAreHeldAndDecodedOnce() throws Exception {
    SharedXdsResources shared = new SharedXdsResources();
    Any sent = assignment("outbound|80||catalog.default.svc.cluster.local", 20001);
    Any first = shared.canonical(List.of(received(sent))).get(0);
    Any second = shared.canonical(List.of(received(sent))).get(0);
    assertThat(second).isSameAs(first);

    AtomicInteger decodes = new AtomicInteger();
    var one = shared.decoded(first, a -> decode(a, decodes));
    var two = shared.decoded(second, a -> decode(a, decodes));
    assertThat(decodes).hasValue(1);
    assertThat(two).isSameAs(one);
    assertThat(one.name()).isEqualTo("outbound|80||catalog.default.svc.cluster.local");

    // A new version of the resource is another resource: its own copy and its own decoding.
    Any moved =
        shared
            .canonical(
                List.of(
                    received(assignment("outbound|80||catalog.default.svc.cluster.local", 20002))))
            .get(0);
    assertThat(moved).isNotSameAs(first);
    var decodedMoved = shared.decoded(moved, a -> decode(a, decodes));
    assertThat(decodes).hasValue(2);
    assertThat(decodedMoved.config()).isNotEqualTo(one.config());
  }

  @Test
  void theHandlersDecodeThroughTheJvmTable() throws Exception {
    Any sent = assignment("outbound|80||reviews.default.svc.cluster.local", 20003);
    Map<String, List<java.net.InetSocketAddress>> one =
        XdsResourceHandler.ENDPOINTS.decode(
            SharedXdsResources.JVM.canonical(List.of(received(sent))));
    Map<String, List<java.net.InetSocketAddress>> two =
        XdsResourceHandler.ENDPOINTS.decode(
            SharedXdsResources.JVM.canonical(List.of(received(sent))));
    assertThat(two.get("outbound|80||reviews.default.svc.cluster.local"))
        .isSameAs(one.get("outbound|80||reviews.default.svc.cluster.local"));
  }

  @Test
  void aResourceThatDoesNotDecodeIsNotRemembered() throws Exception {
    SharedXdsResources shared = new SharedXdsResources();
    Any bad = shared.canonical(List.of(received(Any.pack(Cluster.getDefaultInstance())))).get(0);
    AtomicInteger attempts = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(
              () ->
                  shared.<Object>decoded(
                      bad,
                      a -> {
                        attempts.incrementAndGet();
                        throw new IllegalArgumentException("CDS: no name");
                      }))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("CDS: no name");
    }
    assertThat(attempts).hasValue(2);
  }

  private static SharedXdsResources.Named<List<java.net.InetSocketAddress>> decode(
      Any resource, AtomicInteger decodes) {
    decodes.incrementAndGet();
    ClusterLoadAssignment assignment =
        XdsDecoder.unpack(resource, ClusterLoadAssignment.class, "EDS");
    return new SharedXdsResources.Named<>(
        assignment.getClusterName(), EndpointDecoder.endpoints(assignment));
  }
}
