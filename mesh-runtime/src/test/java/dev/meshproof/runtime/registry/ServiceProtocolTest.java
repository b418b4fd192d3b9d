package dev.meshproof.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceProtocolTest {

  @Test
  void thePortNamePrefixUpToTheFirstDashIsTheProtocolCaseInsensitive() {
    assertThat(ServiceProtocol.ofPort("grpc", Optional.empty())).isEqualTo(ServiceProtocol.GRPC);
    assertThat(ServiceProtocol.ofPort("grpc-echo", Optional.empty()))
        .isEqualTo(ServiceProtocol.GRPC);
    assertThat(ServiceProtocol.ofPort("HTTP2-api", Optional.empty()))
        .isEqualTo(ServiceProtocol.HTTP2);
    assertThat(ServiceProtocol.ofPort("http", Optional.empty())).isEqualTo(ServiceProtocol.HTTP);
    assertThat(ServiceProtocol.ofPort("tcp-db", Optional.empty())).isEqualTo(ServiceProtocol.TCP);
  }

  @Test
  void grpcWebIsCheckedBeforeTheDashAndUnknownNamesAreUnsupported() {
    assertThat(ServiceProtocol.ofPort("grpc-web-ui", Optional.empty()))
        .isEqualTo(ServiceProtocol.GRPC_WEB);
    assertThat(ServiceProtocol.ofPort("web", Optional.empty()))
        .isEqualTo(ServiceProtocol.UNSUPPORTED);
    assertThat(ServiceProtocol.ofPort("", Optional.empty())).isEqualTo(ServiceProtocol.UNSUPPORTED);
    assertThat(ServiceProtocol.ofPort("grpcx", Optional.empty()))
        .isEqualTo(ServiceProtocol.UNSUPPORTED);
  }

  @Test
  void appProtocolWinsOverTheNameWithKubernetesStandardNames() {
    assertThat(ServiceProtocol.ofPort("http", Optional.of("grpc"))).isEqualTo(ServiceProtocol.GRPC);
    assertThat(ServiceProtocol.ofPort("web", Optional.of("kubernetes.io/h2c")))
        .isEqualTo(ServiceProtocol.HTTP2);
    assertThat(ServiceProtocol.ofPort("grpc", Optional.of("kubernetes.io/ws")))
        .isEqualTo(ServiceProtocol.HTTP);
  }

  @Test
  void onlyHttp2GrpcAndGrpcWebAreHttp2Upstreams() {
    assertThat(ServiceProtocol.values())
        .filteredOn(ServiceProtocol::isHttp2)
        .containsExactly(ServiceProtocol.HTTP2, ServiceProtocol.GRPC, ServiceProtocol.GRPC_WEB);
  }
}
