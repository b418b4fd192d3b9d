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
                      - match: [{statPrefix: catalog-root}]
                        route:
                        - destination: {host: catalog}
                    """,
                    "vs.yaml",
                    "default"))
        .hasMessageContaining(
            "spec.http[0].match[0].statPrefix: valid Istio, but not supported by Meshproof yet");
  }

  @Test
  void requestAuthenticationIsReadAndItsRulesCheckedAsIstiosWebhookDoes() {
    assertThatThrownBy(
            () ->
                IstioYamlParser.parse(
                    """
                    apiVersion: security.istio.io/v1
                    kind: RequestAuthentication
                    metadata: {name: x}
                    spec:
                      targetRef: {kind: Gateway, name: gw}
                      jwtRules:
                      - audiences: [""]
                        jwksUri: ftp://keys/jwks.json
                        fromHeaders: [{prefix: "Bearer "}]
                        outputClaimToHeaders: [{header: "x y", claim: sub}]
                        jwks: "{oops"
                        colour: blue
                    """,
                    "x.yaml",
                    "default"))
        .hasMessageContaining(
            "x.yaml:5:3: spec.targetRef: valid Istio, but not supported by Meshproof yet")
        .hasMessageContaining("spec.jwtRules[0].audiences[0]: audience must be a non-empty string")
        .hasMessageContaining(
            "x.yaml:8:14: spec.jwtRules[0].jwksUri: \"ftp://keys/jwks.json\":"
                + " scheme must be http or https")
        .hasMessageContaining("spec.jwtRules[0].fromHeaders[0].name: required field is missing")
        .hasMessageContaining(
            "spec.jwtRules[0].outputClaimToHeaders[0].header: \"x y\" is not a valid HTTP header")
        .hasMessageContaining("x.yaml:11:11: spec.jwtRules[0].jwks: jwks parse error")
        .hasMessageContaining("spec.jwtRules[0].colour: unknown field");
  }

  @Test
  void requestAuthenticationWithEveryFieldIsRead() {
    RequestAuthentication ra =
        (RequestAuthentication)
            IstioYamlParser.parse(
                    """
                    apiVersion: security.istio.io/v1
                    kind: RequestAuthentication
                    metadata: {name: jwt, namespace: default}
                    spec:
                      selector: {matchLabels: {app: catalog}}
                      jwtRules:
                      - issuer: testing@secure.istio.io
                        audiences: [catalog]
                        jwksUri: http://localhost:8080/jwks.json
                        fromHeaders: [{name: x-jwt, prefix: "Bearer "}]
                        fromParams: [token]
                        fromCookies: [session]
                        forwardOriginalToken: true
                        outputPayloadToHeader: x-payload
                        outputClaimToHeaders: [{header: x-sub, claim: sub}]
                        timeout: 2s
                    """,
                    "ra.yaml",
                    "default")
                .get(0);
    RequestAuthentication.JwtRule rule = ra.jwtRules().get(0);
    assertThat(ra.selector()).containsEntry("app", "catalog");
    assertThat(rule.issuer()).isEqualTo("testing@secure.istio.io");
    assertThat(rule.fromHeaders())
        .containsExactly(new RequestAuthentication.HeaderLocation("x-jwt", "Bearer "));
    assertThat(rule.fromParams()).containsExactly("token");
    assertThat(rule.fromCookies()).containsExactly("session");
    assertThat(rule.forwardOriginalToken()).isTrue();
    assertThat(rule.outputPayloadToHeader()).isEqualTo("x-payload");
    assertThat(rule.outputClaimToHeaders())
        .containsExactly(new RequestAuthentication.ClaimToHeader("x-sub", "sub"));
    assertThat(rule.timeout()).contains(java.time.Duration.ofSeconds(2));
  }
}
