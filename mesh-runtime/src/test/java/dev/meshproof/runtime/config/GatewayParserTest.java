package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which Gateway servers Meshproof serves: plain HTTP (with {@code tls.httpsRedirect}, which istiod
 * treats as a plain-text server) and opaque TCP; any other TLS setting is refused at its line as
 * not supported yet, never ignored.
 */
class GatewayParserTest {

  private static Gateway parse(String servers) {
    List<IstioResource> resources =
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: gw}
            spec:
              selector: {istio: ingressgateway}
              servers:
            """
                + servers,
            "gw.yaml",
            "default");
    return (Gateway) resources.get(0);
  }

  @Test
  void httpServerWithHttpsRedirectAndTcpServerAreServed() {
    Gateway gateway =
        parse(
            """
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: [secure.example.com]
                tls: {httpsRedirect: true}
              - port: {number: 31400, name: tcp, protocol: TCP}
                hosts: ["*"]
            """);
    assertThat(gateway.servers().get(0).httpsRedirect()).isTrue();
    assertThat(gateway.servers().get(0).tlsMode()).isEmpty();
    assertThat(gateway.servers().get(1).protocol()).isEqualTo("TCP");
    assertThat(gateway.servers().get(1).httpsRedirect()).isFalse();
  }

  @Test
  void tlsTerminationIsRefusedAtItsLineAsNotSupportedYet() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                      - port: {number: 80, name: http, protocol: HTTP}
                        hosts: [secure.example.com]
                        tls: {httpsRedirect: true, credentialName: cert}
                    """))
        .isInstanceOf(InvalidConfigException.class)
        .satisfies(
            e ->
                assertThat(((InvalidConfigException) e).problems())
                    .anySatisfy(
                        p -> {
                          assertThat(p.message()).contains("not supported by Meshproof yet");
                          assertThat(p.line()).isEqualTo(9);
                        }));
    assertThatThrownBy(
            () ->
                parse(
                    """
                      - port: {number: 443, name: https, protocol: HTTPS}
                        hosts: [secure.example.com]
                        tls: {mode: SIMPLE, credentialName: cert}
                    """))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("not supported by Meshproof yet");
  }
}
