package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class IstioKindsTest {
  private static final String VS =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: %s, namespace: %s}
      spec:
        hosts: [catalog]
        http:
        - route:
          - destination: {host: catalog}
      """;

  @Test
  void tableListsEveryKindWithItsApiVersions() {
    assertThat(IstioKinds.ALL)
        .extracting(IstioKind::kind)
        .containsExactly(
            "VirtualService",
            "DestinationRule",
            "ServiceEntry",
            "WorkloadEntry",
            "Gateway",
            "Sidecar",
            "PeerAuthentication",
            "AuthorizationPolicy",
            "RequestAuthentication");
    assertThat(IstioKinds.VIRTUAL_SERVICE.apiVersions())
        .containsExactly(
            "networking.istio.io/v1",
            "networking.istio.io/v1beta1",
            "networking.istio.io/v1alpha3");
    assertThat(IstioKinds.byKind("DestinationRule")).contains(IstioKinds.DESTINATION_RULE);
    assertThat(IstioKinds.byKind("Gateway")).contains(IstioKinds.GATEWAY);
    assertThat(IstioKinds.byKind("HTTPRoute")).isEmpty();
    assertThat(IstioKinds.lookup("gateway.networking.k8s.io/v1", "Gateway"))
        .get()
        .extracting(IstioKind::support)
        .isEqualTo(IstioKind.Support.NOT_SIMULATED);
    assertThat(IstioKinds.lookup("v1", "Service")).contains(IstioKinds.KUBERNETES_SERVICE);
    assertThat(IstioKinds.KUBERNETES_SERVICE.apiVersions()).containsExactly("v1");
  }

  @Test
  void unknownKindIsRejectedWithTheSupportedKindsFromTheTable() {
    assertThatThrownBy(
            () ->
                IstioYamlParser.parse(
                    """
                    apiVersion: networking.istio.io/v1
                    kind: Gatewy
                    metadata: {name: gw}
                    spec: {}
                    """,
                    "gw.yaml",
                    "default"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "gw.yaml:2:7: kind: \"Gatewy\" is not a kind Meshproof knows (expected one of: "
                + "VirtualService, DestinationRule, ServiceEntry");
  }

  @Test
  void apiVersionOutsideTheKindsVersionsIsRejectedListingThem() {
    assertThatThrownBy(
            () ->
                IstioYamlParser.parse(
                    """
                    apiVersion: security.istio.io/v1
                    kind: DestinationRule
                    metadata: {name: catalog}
                    spec: {host: catalog}
                    """,
                    "dr.yaml",
                    "default"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "apiVersion: \"security.istio.io/v1\" is not an API version of DestinationRule"
                + " (expected one of: networking.istio.io/v1, networking.istio.io/v1alpha3,"
                + " networking.istio.io/v1beta1)");
  }

  @Test
  void storeIsQueriedByKindInKeyOrderAndApplyReplacesByKey() {
    ConfigStore store = new ConfigStore();
    store.apply(
        IstioYamlParser.parse(
            VS.formatted("b", "default")
                + "---\n"
                + VS.formatted("a", "other")
                + "---\n"
                + """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: catalog}
                spec: {host: catalog}
                """,
            "mixed.yaml",
            "default"));
    store.apply(IstioYamlParser.parse(VS.formatted("b", "default"), "again.yaml", "default"));

    List<VirtualService> services = store.resources(IstioKinds.VIRTUAL_SERVICE);
    assertThat(services)
        .extracting(vs -> vs.meta().namespace() + "/" + vs.meta().name())
        .containsExactly("default/b", "other/a");
    assertThat(services.get(0).meta().source()).isEqualTo("again.yaml");
    assertThat(store.resources(IstioKinds.DESTINATION_RULE))
        .extracting(DestinationRule::host)
        .containsExactly("catalog");
  }
}
