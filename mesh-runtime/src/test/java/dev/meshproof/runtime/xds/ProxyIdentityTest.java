package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Value;
import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.SidecarRequest;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyIdentityTest {

  @Test
  void sidecarNodeCarriesIstiosIdClusterAndMetadata() {
    ProxyIdentity identity =
        ProxyIdentity.sidecar(
            "catalog-v1-0",
            "shop",
            Map.of("app", "catalog", "version", "v1"),
            IstioVersion.of("1.28"));

    Node node = identity.toNode();

    assertThat(node.getId())
        .isEqualTo("sidecar~127.0.0.1~catalog-v1-0.shop~shop.svc.cluster.local");
    assertThat(node.getCluster()).isEqualTo("catalog.shop");
    Map<String, Value> metadata = node.getMetadata().getFieldsMap();
    assertThat(metadata.keySet())
        .containsExactlyInAnyOrder("NAMESPACE", "NAME", "LABELS", "ISTIO_VERSION");
    assertThat(metadata.get("NAMESPACE").getStringValue()).isEqualTo("shop");
    assertThat(metadata.get("NAME").getStringValue()).isEqualTo("catalog-v1-0");
    assertThat(metadata.get("ISTIO_VERSION").getStringValue()).isEqualTo("1.28.0");
    assertThat(metadata.get("LABELS").getStructValue().getFieldsMap())
        .containsOnlyKeys("app", "version")
        .containsEntry("version", Value.newBuilder().setStringValue("v1").build());
  }

  @Test
  void workloadWithoutAppLabelIsItsOwnServiceCluster() {
    ProxyIdentity identity =
        ProxyIdentity.sidecar("client-0", "default", Map.of(), IstioVersion.CURRENT);
    assertThat(identity.toNode().getCluster()).isEqualTo("client-0.default");
  }

  @Test
  void dataPlaneRequestYieldsTheSameNodeAsTheMeshsIdentity() {
    ProxyIdentity identity =
        ProxyIdentity.sidecar(
            "client-0", "default", Map.of("app", "client"), IstioVersion.of("1.30"));
    SidecarRequest request =
        new SidecarRequest(
            identity.id(),
            "client-0",
            "default",
            Map.of("app", "client"),
            List.of(),
            new InetSocketAddress("127.0.0.1", 15010),
            null,
            RandomSource.seeded(1),
            IstioVersion.of("1.30"),
            List.of());

    assertThat(ProxyIdentity.of(request)).isEqualTo(identity);
    assertThat(ProxyIdentity.of(request).toNode()).isEqualTo(identity.toNode());
  }
}
