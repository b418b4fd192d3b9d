package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kinds beyond VirtualService and DestinationRule: Istio's other networking and security kinds
 * are validated, then rejected as not supported yet; Kubernetes topology kinds parse; kinds outside
 * the simulation are accepted as not simulated; bad input is located to file:line:column.
 */
class ManifestKindsTest {

  private static InvalidConfigException rejected(String yaml) {
    try {
      IstioYamlParser.parse(yaml, "m.yaml", "default");
    } catch (InvalidConfigException e) {
      return e;
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void serviceEntryWithEndpointsAndResolutionNoneIsRejectedAsIstioDoes() {
    assertThat(
            rejected(
                    """
                    apiVersion: networking.istio.io/v1
                    kind: ServiceEntry
                    metadata: {name: ext}
                    spec:
                      hosts: [api.example.com]
                      ports: [{number: 80, name: http, protocol: HTTP}]
                      resolution: NONE
                      endpoints:
                      - address: 127.0.0.1
                        ports: {htp: 8080}
                    """)
                .getMessage())
        .contains("m.yaml:9:3: spec.endpoints: endpoints are set with resolution NONE")
        .contains(
            "m.yaml:10:18: spec.endpoints[0].ports.htp: endpoint port htp is not a port of the"
                + " ServiceEntry (expected one of: http)");
  }

  @Test
  void resolutionNoneParsesOnlyWithLoopbackAddresses() {
    List<IstioResource> resources =
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: legacy}
            spec:
              hosts: [legacy.example.com]
              addresses: [127.0.0.1, 127.0.0.9/32]
              ports: [{number: 81, name: http, protocol: HTTP, targetPort: 8081}]
              resolution: NONE
            """,
            "m.yaml",
            "default");
    assertThat(resources)
        .singleElement()
        .isInstanceOfSatisfying(
            ServiceEntry.class,
            se -> assertThat(se.addresses()).containsExactly("127.0.0.1", "127.0.0.9/32"));

    String message =
        rejected(
                """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: off-loopback}
                spec:
                  hosts: [legacy.example.com]
                  addresses: [127.0.0.1, 10.0.0.1, 127.0.0.0/8]
                  ports: [{number: 81, name: http, protocol: HTTP}]
                  resolution: NONE
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: no-addresses}
                spec:
                  hosts: [legacy.example.com]
                  ports: [{number: 81, name: http, protocol: HTTP}]
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: static-addresses}
                spec:
                  hosts: [api.example.com]
                  addresses: [127.0.0.1]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  resolution: STATIC
                  endpoints: [{address: 127.0.0.1}]
                """)
            .getMessage();
    assertThat(message)
        .contains(
            "m.yaml:6:14: spec.addresses[1]: \"10.0.0.1\" is not a loopback address (expected: an"
                + " IPv4 address in 127.0.0.0/8, optionally /32")
        .contains("m.yaml:6:14: spec.addresses[2]: \"127.0.0.0/8\" is not a loopback address")
        .contains(
            "m.yaml:14:3: spec.resolution: resolution NONE (the default) without addresses"
                + " (supported: NONE with addresses in 127.0.0.0/8")
        .contains(
            "spec.addresses: addresses with resolution STATIC (supported: with resolution NONE)"
                + " is valid Istio, but not supported by Meshproof yet");
  }

  @Test
  void staticServiceEntryOnLoopbackParses() {
    List<IstioResource> resources =
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: ext}
            spec:
              hosts: [api.example.com]
              location: MESH_INTERNAL
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints: [{address: 127.0.0.1, ports: {http: 8080}, labels: {version: v1}}]
            """,
            "m.yaml",
            "default");
    assertThat(resources)
        .singleElement()
        .isInstanceOfSatisfying(
            ServiceEntry.class,
            se -> {
              assertThat(se.location()).isEqualTo(ServiceEntry.Location.MESH_INTERNAL);
              assertThat(se.resolution()).isEqualTo(ServiceEntry.Resolution.STATIC);
              assertThat(se.endpoints().get(0).ports()).containsEntry("http", 8080);
            });
  }

  @Test
  void serviceEntryValuesBeyondStaticHttpOnLoopbackAreRejectedAsNotSupportedYet() {
    String message =
        rejected(
                """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: ext}
                spec:
                  hosts: [api.example.com]
                  ports: [{number: 443, name: tls, protocol: TLS}]
                  resolution: DNS_ROUND_ROBIN
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: vm}
                spec: {address: 10.0.0.7, weight: 3}
                """)
            .getMessage();
    assertThat(message)
        .contains(
            "m.yaml:6:46: spec.ports[0].protocol: protocol TLS (supported: HTTP, HTTP2, GRPC)"
                + " is valid Istio, but not supported by Meshproof yet")
        .contains(
            "m.yaml:7:15: spec.resolution: resolution DNS_ROUND_ROBIN (supported: STATIC, DNS,"
                + " NONE with loopback addresses) is valid Istio,"
                + " but not supported by Meshproof yet")
        .contains(
            "m.yaml:12:17: spec.address: \"10.0.0.7\" is not a loopback address (expected:"
                + " 127.0.0.0/8")
        .contains("m.yaml:12:27: spec.weight: valid Istio, but not supported by Meshproof yet");
  }

  @Test
  void securityKindsAreValidatedBeforeBeingRejected() {
    assertThat(
            rejected(
                    """
                    apiVersion: security.istio.io/v1
                    kind: PeerAuthentication
                    metadata: {name: default}
                    spec:
                      mtls: {mode: STRIKT}
                    ---
                    apiVersion: security.istio.io/v1
                    kind: AuthorizationPolicy
                    metadata: {name: deny}
                    spec:
                      action: DENIED
                      rules: [{to: [{operation: {method: [GET]}}]}]
                    """)
                .getMessage())
        .contains(
            "m.yaml:5:16: spec.mtls.mode: \"STRIKT\" is not allowed (expected one of: UNSET,"
                + " DISABLE, PERMISSIVE, STRICT)")
        .contains("m.yaml:11:11: spec.action: \"DENIED\" is not allowed")
        .contains("spec.rules[0].to[0].operation.method: unknown field");
  }

  @Test
  void deploymentWithoutLabelsIsRejectedWithItsLine() {
    assertThat(
            rejected(
                    """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: reviews-v1}
                    spec:
                      selector: {matchLabels: {app: reviews}}
                      template:
                        spec:
                          containers: [{name: reviews, image: reviews:1}]
                    """)
                .getMessage())
        .contains("m.yaml:7:5: spec.template.metadata.labels: required field is missing or empty");
  }

  @Test
  void serviceTrafficDistributionIsRefusedNotIgnored() {
    // istiod turns it into failoverPriority locality balancing: not simulated yet.
    assertThat(
            rejected(
                    """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: catalog}
                    spec:
                      selector: {app: catalog}
                      ports: [{name: http, port: 80}]
                      trafficDistribution: PreferClose
                    """)
                .getMessage())
        .contains(
            "m.yaml:7:3: spec.trafficDistribution: valid Istio, but not supported by Meshproof yet");
  }

  @Test
  void deploymentSelectorMustMatchTheTemplateLabels() {
    assertThat(
            rejected(
                    """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: reviews-v1}
                    spec:
                      selector: {matchLabels: {app: reviews, version: v1}}
                      template:
                        metadata: {labels: {app: reviews, version: v2}}
                        spec:
                          containers: [{name: reviews, image: reviews:1, imagePullPolicy: Never}]
                    """)
                .getMessage())
        .contains(
            "m.yaml:7:15: spec.template.metadata.labels: selector does not match template labels:"
                + " version=v1");
  }

  @Test
  void unknownKindAndDuplicateNamesAreLocated() {
    String message =
        rejected(
                """
                apiVersion: v1
                kind: Service
                metadata: {name: reviews}
                spec: {ports: [{port: 9080}], selector: {app: reviews}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: reviews}
                spec: {ports: [{port: 9080}], selector: {app: reviews}}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                spec: {}
                """)
            .getMessage();
    assertThat(message)
        .contains(
            "m.yaml:6:1: metadata.name: Service default/reviews is already defined at m.yaml:1")
        .contains("m.yaml:12:7: kind: \"Widget\" is not a kind Meshproof knows");
  }

  @Test
  void notSimulatedKindsAreAcceptedWithTheirContentUnread() {
    List<IstioResource> resources =
        IstioYamlParser.parse(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {key: value}
            ---
            apiVersion: networking.istio.io/v1alpha3
            kind: EnvoyFilter
            metadata: {name: lua}
            spec: {configPatches: []}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: bookinfo-reviews}
            """,
            "m.yaml",
            "default");
    assertThat(resources)
        .filteredOn(NotSimulatedResource.class::isInstance)
        .map(r -> ((NotSimulatedResource) r).describe())
        .containsExactly(
            "v1 ConfigMap default/settings (m.yaml:1)",
            "networking.istio.io/v1alpha3 EnvoyFilter default/lua (m.yaml:6)");
    assertThat(resources.get(2)).isInstanceOf(KubernetesServiceAccount.class);
  }
}
