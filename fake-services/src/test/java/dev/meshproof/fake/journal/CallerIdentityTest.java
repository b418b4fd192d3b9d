package dev.meshproof.fake.journal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallerIdentityTest {
  @Test
  void takesTheUriOfTheLastElement() {
    String xfcc =
        "By=spiffe://cluster.local/ns/a/sa/x;URI=spiffe://cluster.local/ns/a/sa/first,"
            + "By=spiffe://cluster.local/ns/b/sa/y;Subject=\"CN=a,O=b;c\";"
            + "URI=spiffe://cluster.local/ns/b/sa/last";
    assertThat(CallerIdentity.fromXfcc(xfcc)).hasValue("spiffe://cluster.local/ns/b/sa/last");
  }

  @Test
  void emptyWithoutUri() {
    assertThat(CallerIdentity.fromXfcc("Hash=abc;Subject=\"\"")).isEmpty();
    assertThat(CallerIdentity.fromXfcc(null)).isEmpty();
    assertThat(CallerIdentity.fromXfcc("")).isEmpty();
  }

  @Test
  void mirroredMeansHostEndsWithShadow() {
    assertThat(JournalEntry.isMirrored("catalog-shadow:80")).isTrue();
    assertThat(JournalEntry.isMirrored("catalog.default.svc.cluster.local-shadow")).isTrue();
    assertThat(JournalEntry.isMirrored("catalog:80")).isFalse();
    assertThat(JournalEntry.isMirrored(null)).isFalse();
  }

  /** Istio 1.28+ keeps the mirror's Host: straight from Envoy, x-envoy-internal marks the copy. */
  @Test
  void mirroredAlsoMeansEnvoyMarkedTheCopyInternal() {
    assertThat(JournalEntry.isMirrored("catalog:80", "true")).isTrue();
    assertThat(JournalEntry.isMirrored("catalog-shadow:80", null)).isTrue();
    assertThat(JournalEntry.isMirrored("catalog:80", null)).isFalse();
    assertThat(JournalEntry.isMirrored("catalog:80", "false")).isFalse();
  }
}
