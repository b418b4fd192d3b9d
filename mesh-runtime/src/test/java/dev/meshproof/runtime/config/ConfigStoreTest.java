package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The config store records creation order as the API server does: once, on first apply. */
class ConfigStoreTest {
  private static String vs(String name, String metadataExtra) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s%s}
        spec:
          hosts: [catalog]
          http:
          - route:
            - destination: {host: catalog}
        """
        .formatted(name, metadataExtra);
  }

  private static List<IstioResource> parse(String yaml) {
    return IstioYamlParser.parse(yaml, "in.yaml", "default");
  }

  @Test
  void eachNewResourceGetsTheNextApplySequenceAndAReplacementKeepsIt() {
    ConfigStore store = new ConfigStore();
    List<IstioResource> first = store.apply(parse(vs("b", "") + "---\n" + vs("a", "")));
    assertThat(first).extracting(r -> r.meta().applySequence()).containsExactly(1L, 2L);
    store.apply(parse(vs("c", "")));
    List<IstioResource> again = store.apply(parse(vs("b", ", labels: {changed: yes}")));
    assertThat(again.get(0).meta().applySequence()).isEqualTo(1L);
    assertThat(store.resources(IstioKinds.VIRTUAL_SERVICE))
        .extracting(vs -> vs.meta().name() + "@" + vs.meta().applySequence())
        .containsExactly("a@2", "b@1", "c@3");
  }

  @Test
  void creationTimestampIsReadAsRfc3339() {
    ResourceMeta meta =
        parse(vs("a", ", creationTimestamp: \"2026-01-31T12:00:00+01:00\"")).get(0).meta();
    assertThat(meta.creationTimestamp()).contains(Instant.parse("2026-01-31T11:00:00Z"));
    assertThat(parse(vs("a", ", creationTimestamp: 2026-01-31T12:00:00Z")).get(0).meta())
        .extracting(ResourceMeta::creationTimestamp)
        .isEqualTo(Optional.of(Instant.parse("2026-01-31T12:00:00Z")));
  }

  @Test
  void aCreationTimestampThatIsNotRfc3339IsALocatedError() {
    InvalidConfigException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            InvalidConfigException.class, () -> parse(vs("a", ", creationTimestamp: yesterday")));
    assertThat(error.problems().get(0).toString())
        .isEqualTo(
            "in.yaml:3:40: metadata.creationTimestamp: \"yesterday\" is not an RFC 3339 timestamp"
                + " (expected: e.g. 2026-01-31T12:00:00Z)");
  }

  @Test
  void oldestFirstIsIstiosCreationOrderWithApplyOrderStandingInForMissingTimestamps() {
    ConfigStore store = new ConfigStore();
    store.apply(
        parse(
            vs("applied-1st", "")
                + "---\n"
                + vs("z-old", ", creationTimestamp: 2020-01-01T00:00:00Z")
                + "---\n"
                + vs("applied-3rd", "")
                + "---\n"
                + vs("a-old", ", creationTimestamp: 2020-01-01T00:00:00Z")
                + "---\n"
                + vs("oldest", ", creationTimestamp: 2019-06-01T00:00:00Z")));
    assertThat(
            store.resources(IstioKinds.VIRTUAL_SERVICE).stream()
                .map(VirtualService::meta)
                .sorted(ResourceMeta.OLDEST_FIRST)
                .map(ResourceMeta::name))
        // written timestamps first (equal ones by name, as Istio), then apply order
        .containsExactly("oldest", "a-old", "z-old", "applied-1st", "applied-3rd");
  }
}
