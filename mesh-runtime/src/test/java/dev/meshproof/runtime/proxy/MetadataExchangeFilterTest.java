package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.policy.telemetry.IstioWorkload;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import dev.meshproof.runtime.xds.ProxyIdentity;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The metadata exchange filter as istio-proxy's {@code peer_metadata} with {@code istio_headers}:
 * the caller's sidecar sends its node metadata in {@code x-envoy-peer-metadata}, the callee's
 * discovers the caller's workload, app and version from it and removes the headers before the app.
 */
class MetadataExchangeFilterTest {
  private static final IstioWorkload CLIENT =
      IstioWorkload.of("client-0", "default", Map.of("app", "client", "version", "v1"));

  private static final MetadataExchangeFilter.Local LOCAL =
      MetadataExchangeFilter.Local.of(
          ProxyIdentity.sidecar(
                  "client-0",
                  "default",
                  Map.of("app", "client", "version", "v1"),
                  IstioVersion.CURRENT)
              .toNode(),
          CLIENT);

  private static final HttpFilterConfig.MetadataExchange OUTBOUND =
      new HttpFilterConfig.MetadataExchange(false, false, true, true);
  private static final HttpFilterConfig.MetadataExchange INBOUND =
      new HttpFilterConfig.MetadataExchange(true, true, false, false);

  @Test
  void theCallersMetadataDecodesToItsWorkloadAppVersionAndCluster() {
    assertThat(MetadataExchangeFilter.decodePeer(LOCAL.value()))
        .contains(
            new IstioWorkload("client", "default", "client", "v1", "client", "v1", "Kubernetes"));
    assertThat(LOCAL.id()).isNotEmpty();
    assertThat(MetadataExchangeFilter.decodePeer("not base64 ***")).isEmpty();
  }

  @Test
  void aRememberedPeerIsTheDecodedOneAndTheMemoryStaysBounded() {
    assertThat(MetadataExchangeFilter.knownPeer(LOCAL.value()))
        .isEqualTo(MetadataExchangeFilter.decodePeer(LOCAL.value()))
        .isPresent();
    // Asked again: the same answer (now remembered), also for a value that does not decode.
    assertThat(MetadataExchangeFilter.knownPeer(LOCAL.value()))
        .isEqualTo(MetadataExchangeFilter.decodePeer(LOCAL.value()));
    assertThat(MetadataExchangeFilter.knownPeer("not base64 ***")).isEmpty();
    assertThat(MetadataExchangeFilter.knownPeer("not base64 ***")).isEmpty();
    for (int i = 0; i <= MetadataExchangeFilter.KNOWN_PEERS_LIMIT; i++) {
      MetadataExchangeFilter.knownPeer("caller-" + i);
    }
    assertThat(MetadataExchangeFilter.knownPeersCount())
        .isBetween(1, MetadataExchangeFilter.KNOWN_PEERS_LIMIT);
    assertThat(MetadataExchangeFilter.knownPeer(LOCAL.value()))
        .isEqualTo(MetadataExchangeFilter.decodePeer(LOCAL.value()));
  }

  @Test
  void outboundSendsTheHeadersAndInboundDiscoversThenRemovesThem() {
    RequestContext outgoing = request(Map.of());
    FilterDecision sent = new MetadataExchangeFilter(OUTBOUND, LOCAL).onRequest(outgoing);
    assertThat(sent).isInstanceOf(FilterDecision.ContinueWith.class);
    assertThat(outgoing.downstream().headers().get(MetadataExchangeFilter.HEADER))
        .isEqualTo(LOCAL.value());
    assertThat(outgoing.downstream().headers().get(MetadataExchangeFilter.HEADER_ID))
        .isEqualTo(LOCAL.id());

    RequestContext arriving =
        request(
            Map.of(
                MetadataExchangeFilter.HEADER, List.of(LOCAL.value()),
                MetadataExchangeFilter.HEADER_ID, List.of(LOCAL.id())));
    arriving.downstream().headers().set(MetadataExchangeFilter.HEADER, LOCAL.value());
    arriving.downstream().headers().set(MetadataExchangeFilter.HEADER_ID, LOCAL.id());
    var hcm = Optional.of(hcm(INBOUND));
    assertThat(MetadataExchangeFilter.downstreamPeer(hcm, arriving)).contains(decoded());

    FilterDecision stripped =
        new MetadataExchangeFilter(INBOUND, MetadataExchangeFilter.Local.NONE).onRequest(arriving);
    assertThat(arriving.downstream().headers().contains(MetadataExchangeFilter.HEADER)).isFalse();
    assertThat(arriving.downstream().headers().contains(MetadataExchangeFilter.HEADER_ID))
        .isFalse();
    assertThat(((FilterDecision.ContinueWith) stripped).request().headers().headers())
        .doesNotContainKeys(MetadataExchangeFilter.HEADER, MetadataExchangeFilter.HEADER_ID);
    // Without the filter in the chain nothing is discovered.
    assertThat(MetadataExchangeFilter.downstreamPeer(Optional.empty(), arriving)).isEmpty();
  }

  @Test
  void istiodsFilterDecodesAndOtherMethodsAreRefused() {
    assertThat(MetadataExchangeFilter.decode(filter("downstream", "istio_headers"), "at"))
        .isEqualTo(INBOUND);
    assertThat(MetadataExchangeFilter.decode(filter("upstream", "istio_headers"), "at"))
        .isEqualTo(OUTBOUND);
    assertThatThrownBy(() -> MetadataExchangeFilter.decode(filter("downstream", "baggage"), "at"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("downstream_propagation: method baggage is not supported")
        .hasMessageContaining("(expected: istio_headers)");
  }

  private static IstioWorkload decoded() {
    return new IstioWorkload("client", "default", "client", "v1", "client", "v1", "Kubernetes");
  }

  /** istiod's SidecarInboundMetadataFilter / SidecarOutboundMetadataFilter shape. */
  private static HttpFilter filter(String side, String propagationMethod) {
    Value headers = method("istio_headers");
    Struct config =
        Struct.newBuilder()
            .putFields(
                side + "_discovery",
                Value.newBuilder()
                    .setListValue(
                        ListValue.newBuilder()
                            .addValues(headers)
                            .addValues(method("workload_discovery")))
                    .build())
            .putFields(
                side + "_propagation",
                Value.newBuilder()
                    .setListValue(ListValue.newBuilder().addValues(method(propagationMethod)))
                    .build())
            .build();
    return HttpFilter.newBuilder()
        .setName("istio.metadata_exchange")
        .setTypedConfig(
            Any.pack(
                com.github.xds.type.v3.TypedStruct.newBuilder()
                    .setTypeUrl(MetadataExchangeFilter.CONFIG_TYPE)
                    .setValue(config)
                    .build()))
        .setIsOptional(true)
        .build();
  }

  private static Value method(String name) {
    return Value.newBuilder()
        .setStructValue(
            Struct.newBuilder()
                .putFields(
                    name, Value.newBuilder().setStructValue(Struct.getDefaultInstance()).build()))
        .build();
  }

  private static ProxyConfig.HttpConnectionManagerConfig hcm(HttpFilterConfig.MetadataExchange mx) {
    return new ProxyConfig.HttpConnectionManagerConfig(
        "inbound_80", List.of(), List.of(mx, new HttpFilterConfig.Router()), "", Optional.empty());
  }

  private static RequestContext request(Map<String, List<String>> headers) {
    return new RequestContext(
        "virtualInbound",
        new RequestHeaders("GET", "/", "catalog", headers),
        "req-1",
        Instant.EPOCH,
        RequestPathFixtures.routing(),
        Optional.empty(),
        RequestPathFixtures.get("/"),
        Runnable::run);
  }
}
