package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The negative half of MeshServiceEntry: iia-ch5-egress without the book's ServiceEntry fails on
 * every target, since REGISTRY_ONLY answers forum's calls to jsonplaceholder.typicode.com with 502
 * as it does for any other external host; mesh-service-entry-none without its resolution NONE entry
 * fails the same way for 127.0.0.1:9081. So the entries, not the stand-in apps, are what let the
 * calls through.
 */
class EgressCatalogueNegativeIT {
  /** A harmless document in place of the ServiceEntry: the scenario's only Istio file. */
  private static final String NO_SERVICE_ENTRY =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: no-service-entry
      """;

  @TestFactory
  Stream<DynamicTest> withoutTheServiceEntryTheExternalHostIsBlocked() {
    return withoutServiceEntry("iia-ch5-egress.scenario.yaml")
        .failsOnEveryTarget(
            result ->
                assertThat(result.expectations())
                    .filteredOn(e -> !e.passed())
                    .extracting(e -> e.description())
                    .singleElement()
                    .satisfies(d -> assertThat(d).contains("jsonplaceholder")));
  }

  /**
   * mesh-service-entry-none without its entry: 127.0.0.1:9081 is outside the registry, so
   * REGISTRY_ONLY answers 502 and the server is never reached; the entry's host name, 404 while the
   * entry gives port 9081 a listener, becomes 502 as well. The other port and the other address
   * keep their 502 (no listener of their own with or without the entry), so exactly the two cases
   * the entry decides fail.
   */
  @TestFactory
  Stream<DynamicTest> withoutTheNoneEntryItsAddressIsBlocked() {
    return withoutServiceEntry("mesh-service-entry-none.scenario.yaml")
        .failsOnEveryTarget(
            result ->
                assertThat(result.expectations())
                    .filteredOn(e -> !e.passed())
                    .extracting(e -> e.description())
                    .satisfiesExactlyInAnyOrder(
                        d -> assertThat(d).contains("traffic 'entry-address' "),
                        d -> assertThat(d).contains("traffic 'entry-host-name' ")));
  }

  private static CatalogueNegative withoutServiceEntry(String file) {
    return CatalogueNegative.of(file, "without its ServiceEntry").everyIstioFile(NO_SERVICE_ENTRY);
  }
}
