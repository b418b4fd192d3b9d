package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class IstioYamlParserTest {

  @Test
  void parsesAWeightedVirtualServiceAndItsDestinationRule() {
    List<IstioResource> resources =
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: catalog
              namespace: shop
            spec:
              hosts: [catalog]
              http:
              - route:
                - destination: {host: catalog, subset: v1}
                  weight: 90
                - destination: {host: catalog, subset: v2}
                  weight: 10
            ---
            apiVersion: networking.istio.io/v1beta1
            kind: DestinationRule
            metadata: {name: catalog}
            spec:
              host: catalog
              trafficPolicy:
                loadBalancer: {simple: ROUND_ROBIN}
              subsets:
              - name: v1
                labels: {version: v1}
            """,
            "catalog.yaml",
            "default");

    VirtualService vs = (VirtualService) resources.get(0);
    assertThat(vs.meta().namespace()).isEqualTo("shop");
    assertThat(vs.http().get(0).route())
        .extracting(r -> r.weight().getAsInt())
        .containsExactly(90, 10);
    DestinationRule dr = (DestinationRule) resources.get(1);
    assertThat(dr.meta().namespace()).isEqualTo("default");
    assertThat(dr.subset("v1").orElseThrow().labels()).containsEntry("version", "v1");
  }

  @Test
  void unknownFieldIsReportedWithLineColumnPathAndAllowedFields() {
    assertThatThrownBy(
            () ->
                IstioYamlParser.parse(
                    """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: catalog}
                    spec:
                      hosts: [catalog]
                      http:
                      - route:
                        - destination: {host: catalog}
                          wieght: 90
                    """,
                    "vs.yaml",
                    "default"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "vs.yaml:9:7: spec.http[0].route[0].wieght: unknown field (allowed: destination, weight, headers)");
  }

  @Test
  void wrongTypeAndZeroTotalWeightAreAllReportedAtOnce() {
    InvalidConfigException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            InvalidConfigException.class,
            () ->
                IstioYamlParser.parse(
                    """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: catalog}
                    spec:
                      hosts: [catalog]
                      http:
                      - route:
                        - destination: {host: catalog, subset: v1}
                          weight: ninety
                        - destination: {host: catalog, subset: v2}
                          weight: 10
                      - route:
                        - destination: {host: catalog, subset: v1}
                          weight: 0
                        - destination: {host: catalog, subset: v2}
                          weight: 0
                    """,
                    "vs.yaml",
                    "default"));
    assertThat(error.problems())
        .extracting(ConfigProblem::toString)
        .contains(
            "vs.yaml:9:15: spec.http[0].route[0].weight: \"ninety\" is not a non-negative integer;"
                + " weights are relative to their sum",
            "vs.yaml:13:5: spec.http[1].route: total destination weight = 0 (expected: at least"
                + " one destination with a positive weight)");
  }

  @Test
  void syntaxErrorNamesTheLine() {
    assertThatThrownBy(
            () ->
                IstioYamlParser.parse(
                    "kind: VirtualService\nspec: [unclosed\n", "bad.yaml", "default"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("bad.yaml:3:1: not valid YAML");
  }

  @Test
  void validIstioThatIsNotImplementedYetIsRejectedNotIgnored() {
    assertThatThrownBy(
            () ->
                IstioYamlParser.parse(
                    """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: catalog}
                    spec:
                      hosts: [catalog]
                      http:
                      - match: [{gateways: [mesh]}]
                        route:
                        - destination: {host: catalog}
                    """,
                    "vs.yaml",
                    "default"))
        .hasMessageContaining(
            "spec.http[0].match[0].gateways: valid Istio, but not supported by Meshproof yet");
  }

  @Test
  void unsupportedKindListsTheSupportedOnes() {
    assertThatThrownBy(
            () ->
                IstioYamlParser.parse(
                    "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: x}\nspec: {}\n",
                    "x.yaml",
                    "default"))
        .hasMessageContaining(
            "x.yaml:2:7: kind: RequestAuthentication is valid Istio, but not supported by"
                + " Meshproof yet (it would be silently ignored; supported: VirtualService,"
                + " DestinationRule, ServiceEntry, WorkloadEntry, Gateway, Sidecar, PeerAuthentication,"
                + " AuthorizationPolicy)");
  }
}
