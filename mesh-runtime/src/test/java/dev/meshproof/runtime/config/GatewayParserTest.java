package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which Gateway servers Meshproof serves: plain HTTP (with {@code tls.httpsRedirect}, which istiod
 * treats as a plain-text server), opaque TCP, HTTPS with SIMPLE or MUTUAL and PASSTHROUGH, each
 * validated as the webhook's {@code validateTLSOptions}; any other TLS setting is refused at its
 * line as not supported yet, never ignored.
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
                        tls: {mode: ISTIO_MUTUAL}
                    """))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "\"ISTIO_MUTUAL\" on a HTTPS server is valid Istio, but not supported");
    assertThatThrownBy(
            () ->
                parse(
                    """
                      - port: {number: 443, name: https, protocol: HTTPS}
                        hosts: [secure.example.com]
                        tls: {mode: SIMPLE, credentialName: cert, minProtocolVersion: TLSV1_3}
                    """))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("minProtocolVersion");
  }

  @Test
  void httpsServersWithSimpleMutualAndPassthroughAreServed() {
    Gateway gateway =
        parse(
            """
              - port: {number: 443, name: https, protocol: HTTPS}
                hosts: [secure.example.com]
                tls: {mode: SIMPLE, serverCertificate: /c.pem, privateKey: /k.pem}
              - port: {number: 443, name: https-mutual, protocol: HTTPS}
                hosts: [orders.example.com]
                tls: {mode: MUTUAL, credentialName: orders, subjectAltNames: [a]}
              - port: {number: 15443, name: tls, protocol: TLS}
                hosts: [db.example.com]
                tls: {mode: PASSTHROUGH}
            """);
    Gateway.ServerTls simple = gateway.servers().get(0).tls().orElseThrow();
    assertThat(simple.terminates()).isTrue();
    assertThat(simple.serverCertificate()).contains("/c.pem");
    Gateway.ServerTls mutual = gateway.servers().get(1).tls().orElseThrow();
    assertThat(mutual.mutual()).isTrue();
    assertThat(mutual.credentialName()).contains("orders");
    assertThat(mutual.subjectAltNames()).containsExactly("a");
    assertThat(gateway.servers().get(2).tls().orElseThrow().mode()).isEqualTo("PASSTHROUGH");
  }

  @Test
  void certificatesAreRequiredAsTheWebhookRequiresThem() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                      - port: {number: 443, name: https, protocol: HTTPS}
                        hosts: [secure.example.com]
                        tls: {mode: MUTUAL, serverCertificate: /c.pem}
                    """))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("MUTUAL TLS requires a private key")
        .hasMessageContaining("MUTUAL TLS requires a client CA bundle");
    assertThatThrownBy(
            () ->
                parse(
                    """
                      - port: {number: 443, name: https, protocol: HTTPS}
                        hosts: [secure.example.com]
                    """))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("server must have TLS settings for HTTPS/TLS protocols");
  }
}
