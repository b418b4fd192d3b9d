package dev.meshproof.runtime.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.SidecarRequest;
import dev.meshproof.runtime.xds.ProxyIdentity;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvoyBootstrapTest {

  @Test
  void bootstrapNodeIsTheSharedIdentityWithTheMeshsIstioVersion() throws Exception {
    SidecarRequest request =
        new SidecarRequest(
            ProxyIdentity.sidecarId("127.0.0.1", "catalog-v1-0", "default"),
            "catalog-v1-0",
            "default",
            Map.of("app", "catalog", "version", "v1"),
            List.of(80),
            new InetSocketAddress("127.0.0.1", 15010),
            null,
            RandomSource.seeded(1),
            IstioVersion.of("1.28"),
            List.of());

    Bootstrap.Builder bootstrap = Bootstrap.newBuilder();
    JsonFormat.parser()
        .usingTypeRegistry(
            JsonFormat.TypeRegistry.newBuilder().add(HttpProtocolOptions.getDescriptor()).build())
        .merge(EnvoyBootstrap.json(request, 15000), bootstrap);

    assertThat(bootstrap.getNode()).isEqualTo(ProxyIdentity.of(request).toNode());
    assertThat(bootstrap.getNode().getMetadata().getFieldsOrThrow("ISTIO_VERSION").getStringValue())
        .isEqualTo("1.28.0");
  }
}
