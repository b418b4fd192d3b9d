package dev.meshproof.runtime.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analyzer against Istio's own analyzer test data ({@code
 * pkg/config/analysis/analyzers/testdata} and the expectations of {@code analyzers_test.go}, copied
 * into the test resources, {@code istio-analyzer/}; {@code -Dmeshproof.istio.corpus} points
 * elsewhere): for every case in scope, the same codes on the same resources, as a multiset, and
 * nothing else.
 *
 * <p>In scope: the cases of the analyzers that judge the mesh configuration Meshproof simulates —
 * where traffic goes (VirtualService destinations: hosts, ports, subsets), how it is originated
 * (DestinationRule TLS verification) and how a Service port's protocol is read. Out of scope, and
 * why: annotations, injection, webhooks, images, security contexts, deployments, external control
 * planes, MeshNetworks, CRD versions and condition status (cluster and installation state that a
 * loopback mesh has no notion of); Kubernetes Gateways (virtualServiceKubernetesGateways: Meshproof
 * serves none), internal gateway references (IST0165), and the Gateway analyzers that need the
 * gateway's secrets (IST0138/IST0161 certificates, IST0101 credentialName: Gateway TLS is another
 * area's); AuthorizationPolicy analyzers other than workloads and source namespaces,
 * RequestAuthentication, JWT routing, Telemetry, EnvoyFilter, WasmPlugin (features not simulated
 * yet); the ServiceEntry address case with {@code ISTIO_META_DNS_AUTO_ALLOCATE} (it needs a mesh
 * config input, and Meshproof's mesh has no DNS proxy). Also in scope: VirtualService unreachable
 * rules and ineffective matches (IST0130/0131, from Istio's validation), ServiceEntry addresses and
 * conflicting protocols (IST0134, IST0177), DestinationRule hosts and subsets (IST0174, IST0173,
 * with node topology labels), Sidecar selectors (IST0101, IST0110, IST0111, IST0167), and the
 * Gateways a VirtualService is bound to (IST0101 gateway, IST0132), conflicting Gateways (IST0145),
 * and the ingress gateway's ports (IST0101 selector, IST0162), with istioctl's default ingress
 * gateway pod and Service for files that declare none, and AuthorizationPolicies without workloads
 * or with unknown source namespaces (IST0127, IST0101 namespace).
 */
class AnalyzerCorpusTest {

  /** Istio's corpus, copied into the test resources (NOTICE there); a property points elsewhere. */
  private static final Path CORPUS = corpus();

  private static Path corpus() {
    String override = System.getProperty("meshproof.istio.corpus");
    if (override != null) {
      return Path.of(override);
    }
    try {
      return Path.of(
              AnalyzerCorpusTest.class
                  .getResource("/istio-analyzer/analyzer-expectations.tsv")
                  .toURI())
          .getParent();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Case name of analyzer-expectations.tsv to the analyzer Istio's test runs for it. */
  private static final Map<String, Check> IN_SCOPE =
      Map.ofEntries(
          Map.entry("virtualServiceDestinationHosts", Check.VIRTUAL_SERVICE_DESTINATION_HOSTS),
          Map.entry("virtualServiceDestinationRules", Check.VIRTUAL_SERVICE_DESTINATION_RULES),
          Map.entry("portNameNotFollowConvention", Check.SERVICE_PORT_NAMES),
          Map.entry("namedPort", Check.SERVICE_PORT_NAMES),
          Map.entry("unnamedPortInSystemNamespace", Check.SERVICE_PORT_NAMES),
          Map.entry("dupmatches", Check.VIRTUAL_SERVICE_UNREACHABLE_RULES),
          Map.entry(
              "missing Addresses and Protocol in Service Entry", Check.SERVICE_ENTRY_ADDRESSES),
          Map.entry(
              "ServiceEntry Addresses Required Lowercase Protocol", Check.SERVICE_ENTRY_ADDRESSES),
          Map.entry(
              "ServiceEntry Addresses Required Uppercase Protocol", Check.SERVICE_ENTRY_ADDRESSES),
          Map.entry("ServiceEntry Addresses Allocated", Check.SERVICE_ENTRY_ADDRESSES),
          Map.entry(
              "ServiceEntry conflicting protocols on same host and port",
              Check.SERVICE_ENTRY_CONFLICTING_PROTOCOLS),
          Map.entry(
              "ServiceEntry no conflict same protocol", Check.SERVICE_ENTRY_CONFLICTING_PROTOCOLS),
          Map.entry(
              "ServiceEntry no conflict non-overlapping exportTo scopes",
              Check.SERVICE_ENTRY_CONFLICTING_PROTOCOLS),
          Map.entry("DestinationRuleWithFakeHost", Check.DESTINATION_RULE_SUBSETS),
          Map.entry("DestinationRuleSubsetsNotSelectPods", Check.DESTINATION_RULE_SUBSETS),
          Map.entry("DestinationRuleSubsetsWithTopologyLabels", Check.DESTINATION_RULE_SUBSETS),
          Map.entry("DestinationRuleEmptyTopologyLabels", Check.DESTINATION_RULE_SUBSETS),
          Map.entry("virtualServiceGateways", Check.VIRTUAL_SERVICE_GATEWAYS),
          Map.entry(
              "host defined in virtualservice not found in the gateway",
              Check.VIRTUAL_SERVICE_GATEWAYS),
          Map.entry(
              "host defined in virtualservice not found in the gateway(beta version)",
              Check.VIRTUAL_SERVICE_GATEWAYS),
          Map.entry(
              "host defined in virtualservice not found in the gateway with ns",
              Check.VIRTUAL_SERVICE_GATEWAYS),
          Map.entry(
              "host defined in virtualservice not found in the gateway with ns(beta version)",
              Check.VIRTUAL_SERVICE_GATEWAYS),
          Map.entry("conflicting gateways detect", Check.CONFLICTING_GATEWAYS),
          Map.entry("gateways with different port are non-conflicting", Check.CONFLICTING_GATEWAYS),
          Map.entry(
              "conflicting gateways with multiple port declarations", Check.CONFLICTING_GATEWAYS),
          Map.entry("conflicting gateways detect by sub selector", Check.CONFLICTING_GATEWAYS),
          Map.entry("conflicting gateways detect: no port", Check.CONFLICTING_GATEWAYS),
          Map.entry("Analyze conflicting gateway with list type", Check.CONFLICTING_GATEWAYS),
          Map.entry("gatewayNoWorkload", Check.GATEWAY_PORTS),
          Map.entry("gatewayBadPort", Check.GATEWAY_PORTS),
          Map.entry("gatewayCorrectPort", Check.GATEWAY_PORTS),
          Map.entry("gatewayCustomIngressGateway", Check.GATEWAY_PORTS),
          Map.entry("gatewayCustomIngressGatewayBadPort", Check.GATEWAY_PORTS),
          Map.entry("gatewayCustomIngressGatewayBadPortWithoutTarget", Check.GATEWAY_PORTS),
          Map.entry("gatewayCustomIngressGatewayTranslation", Check.GATEWAY_PORTS),
          Map.entry("gatewayServiceMatchPod", Check.GATEWAY_PORTS),
          Map.entry("authorizationpolicies", Check.POLICY_SELECTORS),
          Map.entry("sidecarSelector", Check.SIDECAR_SELECTORS),
          Map.entry("sidecarDefaultSelector", Check.SIDECAR_SELECTORS));

  static Stream<Arguments> cases() throws IOException {
    Path tsv = CORPUS.resolve("analyzer-expectations.tsv");
    assertThat(tsv).as("Istio analyzer corpus (set -Dmeshproof.istio.corpus)").exists();
    List<Arguments> cases = new ArrayList<>();
    for (String line : Files.readAllLines(tsv)) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] cols = line.split("\t", -1);
      Check check =
          cols[0].startsWith("destinationrule with")
              ? Check.DESTINATION_RULE_CA_CERTIFICATES
              : IN_SCOPE.get(cols[0]);
      if (check != null) {
        cases.add(Arguments.of(cols[0], cols[1], check, cols.length > 2 ? cols[2] : ""));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("cases")
  void reportsIstiosCodesOnIstiosResources(String name, String files, Check check, String expected)
      throws IOException {
    List<Analyzer.Source> sources = new ArrayList<>();
    for (String file : files.split(",")) {
      Path path = CORPUS.resolve("analyzer-testdata").resolve(file);
      sources.add(new Analyzer.Source(path.toString(), Files.readString(path)));
    }

    List<Finding> findings = Analyzer.run(sources, List.of(), List.of(check));

    List<String> actual =
        findings.stream()
            .map(f -> f.code().code() + ":" + f.code().istioName() + ":" + f.resource())
            .sorted()
            .toList();
    List<String> wanted =
        expected.isEmpty() ? List.of() : Arrays.stream(expected.split(";")).sorted().toList();
    assertThat(actual).as(findings.toString()).isEqualTo(wanted);
  }

  @org.junit.jupiter.api.Test
  void everyInScopeCaseIsInTheCorpus() throws IOException {
    assertThat(cases().count()).isEqualTo(IN_SCOPE.size() + 11);
  }
}
