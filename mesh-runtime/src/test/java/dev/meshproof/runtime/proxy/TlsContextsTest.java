package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.policy.route.StringMatcher;
import dev.meshproof.runtime.proxy.ProxyConfig.SecretConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.TlsContextConfig;
import dev.meshproof.runtime.security.MeshCa;
import dev.meshproof.runtime.security.SpiffeId;
import dev.meshproof.runtime.security.WorkloadCertificate;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A sidecar's TLS contexts are rebuilt on every accepted response; a context that presents a
 * certificate is reused while its configuration and secrets are unchanged, and a rotated secret
 * gets a new one at once.
 */
class TlsContextsTest {
  private static final Clock CLOCK = Clock.systemUTC();
  private static final MeshCa CA = MeshCa.selfSigned(SpiffeId.DEFAULT_TRUST_DOMAIN, CLOCK);

  /** ISTIO_MUTUAL toward catalog: this proxy's certificate, the mesh root, catalog's SAN. */
  private static final TlsContextConfig MUTUAL =
      new TlsContextConfig(
          "default",
          "ROOTCA",
          List.of(new StringMatcher.Exact("spiffe://cluster.local/ns/default/sa/catalog", false)),
          Optional.of("outbound_.80_._.catalog.default.svc.cluster.local"),
          false,
          List.of(),
          List.of("istio-peer-exchange", "istio"));

  private static Map<String, SecretConfig> secrets(WorkloadCertificate own) {
    return Map.of(
        "default",
        new SecretConfig.TlsCertificate(own.privateKey(), own.chain()),
        "ROOTCA",
        new SecretConfig.ValidationContext(List.of(CA.root())));
  }

  private static WorkloadCertificate issue() {
    return CA.issue(
        SpiffeId.parse("spiffe://cluster.local/ns/default/sa/client").orElseThrow(),
        Duration.ofHours(1));
  }

  @Test
  void anUnchangedConfigurationReusesItsContextsAcrossResponses() {
    WorkloadCertificate own = issue();

    SslContext first = TlsContexts.context(MUTUAL, false, secrets(own), CLOCK).orElseThrow();
    // The next response decodes the same secrets again: equal, not the same instances.
    SslContext next = TlsContexts.context(MUTUAL, false, secrets(own), CLOCK).orElseThrow();
    SslContext server = TlsContexts.context(MUTUAL, true, secrets(own), CLOCK).orElseThrow();

    assertThat(next).isSameAs(first);
    assertThat(server).as("the other side is another context").isNotSameAs(first);
    assertThat(server.isServer()).isTrue();
  }

  @Test
  void aRotatedCertificateGetsANewContextAtOnce() {
    SslContext before = TlsContexts.context(MUTUAL, false, secrets(issue()), CLOCK).orElseThrow();

    SslContext after = TlsContexts.context(MUTUAL, false, secrets(issue()), CLOCK).orElseThrow();

    assertThat(after).isNotSameAs(before);
  }

  @Test
  void aContextWithoutACertificateIsBuiltPerConfigurationSoNoSidecarsShareIt() {
    TlsContextConfig simple =
        new TlsContextConfig(
            "", "ROOTCA", List.of(), Optional.of("catalog"), false, List.of(), List.of());
    Map<String, SecretConfig> secrets = secrets(issue());

    SslContext first = TlsContexts.context(simple, false, secrets, CLOCK).orElseThrow();
    SslContext next = TlsContexts.context(simple, false, secrets, CLOCK).orElseThrow();

    assertThat(next).isNotSameAs(first);
  }

  @Test
  void aContextWhoseRootsHaveNotArrivedIsAbsentAndNotRemembered() {
    WorkloadCertificate own = issue();
    Map<String, SecretConfig> withoutRoots =
        Map.of("default", new SecretConfig.TlsCertificate(own.privateKey(), own.chain()));

    assertThat(TlsContexts.context(MUTUAL, false, withoutRoots, CLOCK)).isEmpty();
    assertThat(TlsContexts.context(MUTUAL, false, secrets(own), CLOCK)).isPresent();
  }
}
