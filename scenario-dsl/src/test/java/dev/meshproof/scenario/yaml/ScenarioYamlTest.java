package dev.meshproof.scenario.yaml;

import static dev.meshproof.scenario.expect.Expectations.attempts;
import static dev.meshproof.scenario.expect.Expectations.ejection;
import static dev.meshproof.scenario.expect.Expectations.latency;
import static dev.meshproof.scenario.expect.Expectations.mirrored;
import static dev.meshproof.scenario.expect.Expectations.overflows;
import static dev.meshproof.scenario.expect.Expectations.response;
import static dev.meshproof.scenario.expect.Expectations.responseFlag;
import static dev.meshproof.scenario.expect.Expectations.servedBy;
import static dev.meshproof.scenario.expect.Expectations.split;
import static dev.meshproof.scenario.expect.Expectations.successRate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.chaos.Chaos;
import dev.meshproof.scenario.expect.Expectation;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScenarioYamlTest {
  private static final String ISTIO =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata:
        name: catalog
      spec:
        host: catalog
        subsets:
          - name: v1
            labels: {version: v1}
      """;

  private static final String VALID =
      """
      name: catalog canary
      services:
        - name: catalog
          versions: {v1: 1, v2: 1}
      clients: [client]
      traffic:
        - from: client
          url: http://catalog/
          requests: 20
      expect:
        - split: {service: catalog, byVersion: {v1: 0.5, v2: 0.5}, alpha: 0.001}
      """;

  private static ScenarioFile parse(String text) {
    return ScenarioYaml.parse("s.yaml", text, f -> Optional.empty());
  }

  private static String problems(String text) {
    try {
      parse(text);
    } catch (InvalidScenarioException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected problems in:\n" + text);
  }

  @Test
  void readsAScenarioFileIntoTheJavaModel() {
    Scenario scenario = parse(VALID).scenario();

    assertThat(scenario.name()).isEqualTo("catalog canary");
    assertThat(scenario.services().get(0).replicasByVersion()).containsEntry("v2", 1);
    assertThat(scenario.traffic().get(0).requests()).isEqualTo(20);
    assertThat(scenario.expectations())
        .extracting(Expectation::description)
        .containsExactly(
            split("catalog")
                .byVersion(Map.of("v1", 0.5, "v2", 0.5))
                .atAlpha(0.001)
                .build()
                .description());
  }

  @Test
  void aMisspeltKeyNamesItsLineColumnAndTheNearestKey() {
    String text = VALID.replace("    requests: 20", "    reqests: 20");

    assertThat(problems(text))
        .contains(
            "s.yaml:9:5: traffic[0].reqests: unknown field \"reqests\", did you mean"
                + " \"requests\"?")
        .contains("allowed: [name, from, url, method, headers, body, requests,")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void anEnumValueListsTheAllowedValues() {
    String text =
        VALID.replace(
            "- split: {service: catalog, byVersion: {v1: 0.5, v2: 0.5}, alpha: 0.001}",
            "- responseFlag: {flag: UX}");

    assertThat(problems(text))
        .contains("s.yaml:11:26: expect[0].responseFlag.flag: \"UX\", did you mean \"UC\"?")
        .contains("expected: one of [DI, FI, NR, UC, UF, UH, URX, UT]");
  }

  @Test
  void anUnknownMethodListsTheMethodsThatCanBeSent() {
    String text =
        VALID.replace("    url: http://catalog/", "    url: http://catalog/\n    method: GTE");

    assertThat(problems(text))
        .contains(
            "traffic[0].method: \"GTE\", did you mean \"GET\"? (expected: one of [GET, HEAD,"
                + " POST, PUT, DELETE, PATCH, OPTIONS])");
  }

  @Test
  void everyProblemIsReportedNotOnlyTheFirst() {
    String text =
        """
        name: broken
        clients: client
        traffic:
          - from: client
            requests: many
            concurrency: 5000
            every: soon
        """;

    String message = problems(text);

    assertThat(message)
        .contains("invalid scenario (5 problems)")
        .contains("s.yaml:2:10: clients: found \"client\" (expected: a list)")
        .contains("s.yaml:4:5: traffic[0].url: required field is missing")
        .contains("s.yaml:5:15: traffic[0].requests: found \"many\" (expected: an integer")
        .contains(
            "s.yaml:6:18: traffic[0].concurrency: 5000 is out of range (expected: an"
                + " integer from 1 to 1024)")
        .contains("s.yaml:7:12: traffic[0].every: found \"soon\" (expected: a duration");
  }

  @Test
  void exactlyOneAlternativeIsRequired() {
    String text = VALID.replace("alpha: 0.001}", "byInstance: {catalog-v1-0: 1.0}}");

    assertThat(problems(text))
        .contains(
            "expect[0].split: more than one of [byVersion, byInstance] among the"
                + " alternatives (expected: exactly one of [byVersion, byInstance])");
  }

  @Test
  void theDslsRefusalIsReportedWhereTheBlockWasWritten() {
    String text = VALID.replace("  - from: client", "  - from: productpage");

    assertThat(problems(text))
        .contains(
            "s.yaml:7:11: traffic[0].from: \"productpage\" is not a declared client"
                + " (expected one of [client])");
  }

  @Test
  void istioYamlIsCheckedBeforeAnythingRuns() {
    String text = VALID + "istio:\n  - file: missing.yaml\n  - inline: \"kind: Nope\"\n";

    assertThat(problems(text))
        .contains("s.yaml:13:11: istio[0].file: no such file: missing.yaml")
        .contains("s.yaml:14:5: istio[1]: Istio YAML:");
  }

  @Test
  void yamlSyntaxErrorsArePositioned() {
    assertThat(problems("name: [unclosed\nclients: []\n"))
        .startsWith("invalid scenario (1 problem):\n  s.yaml:");
  }

  @Test
  void aJavaScenarioWritesToYamlAndReadsBackTheSame() {
    Scenario scenario =
        Scenario.named("everything")
            .istioVersion(IstioVersion.of("1.28"))
            .seed(42)
            .service("catalog", s -> s.version("v1", 3).version("v2").port(9080))
            .client("client")
            .istio("inline.yaml", ISTIO)
            .traffic(
                t ->
                    t.named("a")
                        .from("client")
                        .request("POST", "http://catalog:9080/x?y=1")
                        .body("{\"order\": 1}")
                        .header("end-user", "jason")
                        .requests(7)
                        .concurrency(2)
                        .every(Duration.ofMillis(20))
                        .timeout(Duration.ofSeconds(2)))
            .chaos(
                c ->
                    c.at(Duration.ZERO, Chaos.service("catalog").version("v1").errors(0.3, "503"))
                        .lasting(Duration.ofSeconds(1))
                        .at(
                            Duration.ofMillis(500),
                            Chaos.service("catalog").latency(Duration.ofMillis(20)))
                        .at(
                            Duration.ZERO,
                            Chaos.service("catalog").instance("catalog-v1-0").hang(0.5))
                        .at(Duration.ZERO, Chaos.service("catalog").notReady())
                        .at(Duration.ZERO, Chaos.proxy("abort", ISTIO, ISTIO))
                        .at(Duration.ZERO, Chaos.controlPlaneOutage()))
            .expect(
                split("catalog")
                    .forTraffic("a")
                    .byInstance(Map.of("catalog-v1-0", 1.0))
                    .atAlpha(1e-6))
            .expect(successRate().atLeast(0.99))
            .expect(attempts().forTraffic("a").distribution(Map.of(1, 0.5, 2, 0.5)).atAlpha(0.01))
            .expect(attempts().exactly(3))
            .expect(
                latency()
                    .atLeast(Duration.ofMillis(1))
                    .atMost(Duration.ofMillis(200), Duration.ofMillis(50)))
            .expect(responseFlag("UT").forTraffic("a"))
            .expect(overflows().none())
            .expect(overflows().atLeast(2))
            .expect(servedBy("catalog-v1-0").atMost(1))
            .expect(
                ejection("catalog-v1-0")
                    .lastsAtLeast(Duration.ofSeconds(1))
                    .readmittedWithin(Duration.ofMillis(1500))
                    .atAlpha(5e-6))
            .expect(
                response()
                    .forTraffic("a")
                    .status(301)
                    .header("location", "http://catalog-new/")
                    .headerAbsent("x-echo-instance")
                    .body("")
                    .receivedPath("/new?y=1")
                    .receivedAuthority("catalog-internal")
                    .receivedHeader("x-set", "mesh")
                    .receivedHeaderAbsent("x-remove"))
            .expect(mirrored("catalog").version("v2").forTraffic("a").all().authority("c"))
            .expect(mirrored("catalog").fraction(0.3).atAlpha(5e-6))
            .expect(mirrored("catalog").none())
            .expect(responseFlag("FI").forTraffic("a").status(418).fraction(0.4).atAlpha(1e-4))
            .expect(responseFlag("FI").status(503))
            .expect(responseFlag("DI").delayOf(Duration.ofMillis(290)).fraction(0))
            .build();

    String yaml = ScenarioYaml.write(scenario, Map.of("id", "x"), false);
    ScenarioFile back = parse(yaml);

    assertThat(ScenarioYaml.write(back.scenario(), back.metadata(), false)).isEqualTo(yaml);
    assertThat(back.metadata()).containsEntry("id", "x");
    assertThat(back.scenario().istioVersion()).isEqualTo(IstioVersion.of("1.28"));
    assertThat(back.scenario().seed()).isEqualTo(scenario.seed());
    assertThat(back.scenario().services()).isEqualTo(scenario.services());
    assertThat(back.scenario().chaos()).isEqualTo(scenario.chaos());
    assertThat(back.scenario().istio()).isEqualTo(scenario.istio());
    assertThat(back.scenario().traffic().get(0).request().headers())
        .isEqualTo(scenario.traffic().get(0).request().headers());
    assertThat(back.scenario().traffic().get(0).request().method()).isEqualTo("POST");
    assertThat(back.scenario().traffic().get(0).request().body())
        .isEqualTo(scenario.traffic().get(0).request().body());
    assertThat(back.scenario().expectations())
        .extracting(Expectation::description)
        .isEqualTo(scenario.expectations().stream().map(Expectation::description).toList());
  }

  @Test
  void theFaultFlagsAndMirrorsAreCheckedAsTheJavaDslChecksThem() {
    String text =
        VALID.replace(
            "  - split: {service: catalog, byVersion: {v1: 0.5, v2: 0.5}, alpha: 0.001}",
            """
              - responseFlag: {flag: FI, fraction: 0.5}
              - responseFlag: {flag: UT, status: 503}
              - mirrored: {service: catalog, none: false}
              - response: {received: {headers: {end-user: jason}}}
            """);

    assertThat(problems(text))
        .contains("expect[0]", "responseFlag(FI): no status given")
        .contains("expect[1]", "status: 503 for UT (expected: 200..599, for FI only)")
        .contains("expect[2]", "none: false (expected: true, or leave it out)")
        .contains("expect[3]", "received header: end-user (expected: an x- header");
  }

  @Test
  void aMirrorNamesOneShare() {
    String text =
        VALID.replace(
            "  - split: {service: catalog, byVersion: {v1: 0.5, v2: 0.5}, alpha: 0.001}",
            "  - mirrored: {service: catalog, all: true, fraction: 0.5}");

    assertThat(problems(text))
        .contains(
            "expect[0].mirrored: more than one of [all, fraction] among the alternatives"
                + " (expected: exactly one of [all, none, fraction])");
  }

  @Test
  void topologyManifestsAndCompatibilityVersionAreRead() {
    String manifest =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: catalog
        spec:
          selector: {app: catalog}
          ports:
          - name: http
            port: 8080
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: catalog-v2
        spec:
          replicas: 2
          selector:
            matchLabels: {app: catalog, version: v2}
          template:
            metadata:
              labels: {app: catalog, version: v2}
            spec:
              containers:
              - name: catalog
                image: catalog
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: shop
        spec:
          selector:
            matchLabels: {app: shop}
          template:
            metadata:
              labels: {app: shop}
            spec:
              containers:
              - name: shop
                image: shop
        """;
    String text =
        """
        name: from manifests
        istioVersion: "1.32"
        compatibilityVersion: "1.28"
        topology:
          manifests: [k8s/app.yaml]
        traffic:
          - from: shop
            url: http://catalog:8080/
        """;

    Scenario scenario =
        ScenarioYaml.parse(
                "s.yaml",
                text,
                f -> f.equals("k8s/app.yaml") ? Optional.of(manifest) : Optional.empty())
            .scenario();

    assertThat(scenario.services())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.name()).isEqualTo("catalog");
              assertThat(s.port()).isEqualTo(8080);
              assertThat(s.replicasByVersion()).isEqualTo(Map.of("v2", 2));
            });
    assertThat(scenario.clients()).containsExactly("shop");
    assertThat(scenario.compatibilityVersion()).isEqualTo(IstioVersion.of("1.28"));
    String written = ScenarioYaml.write(scenario, Map.of(), false);
    assertThat(written).contains("compatibilityVersion: 1.28.0");
    // Written back, the manifests stand for what they declare: no derived services or clients.
    assertThat(written)
        .contains("topology:\n  manifests:\n    - k8s/app.yaml")
        .doesNotContain("services:")
        .doesNotContain("clients:");
    Scenario back =
        ScenarioYaml.parse(
                "s.yaml",
                written,
                f -> f.equals("k8s/app.yaml") ? Optional.of(manifest) : Optional.empty())
            .scenario();
    assertThat(back.compatibilityVersion()).isEqualTo(IstioVersion.of("1.28"));
    assertThat(back.services()).isEqualTo(scenario.services());
    assertThat(back.clients()).isEqualTo(scenario.clients());
    assertThat(ScenarioYaml.write(back, Map.of(), false)).isEqualTo(written);
  }

  @Test
  void aMissingOrBadManifestIsReportedAtItsEntry() {
    String text =
        """
        name: from manifests
        topology:
          manifests: [gone.yaml, bad.yaml]
        clients: [client]
        traffic:
          - from: client
            url: http://catalog/
        """;
    String bad = "apiVersion: v1\nkind: Sevrice\nmetadata:\n  name: catalog\n";

    String message = "";
    try {
      ScenarioYaml.parse(
          "s.yaml", text, f -> f.equals("bad.yaml") ? Optional.of(bad) : Optional.empty());
    } catch (InvalidScenarioException e) {
      message = e.getMessage();
    }

    assertThat(message)
        .contains("s.yaml:3:15: topology.manifests[0]: no such file: gone.yaml")
        .contains("s.yaml:3:26: topology.manifests[1]: Kubernetes manifest: bad.yaml:2:")
        .contains("Sevrice");
  }

  @Test
  void httpsTrafficFromTheGatewayReadsItsTlsFilesAndIsRefusedElsewhere() {
    String text =
        """
        name: tls
        services:
          - name: catalog
        clients: [istio-ingressgateway, client]
        traffic:
          - name: https
            from: istio-ingressgateway
            url: https://catalog.example.com/items
            tls: {caCertificates: ca.pem, clientCertificate: c.pem, privateKey: k.pem, sni: ""}
          - from: client
            url: https://catalog/items
            tls: {caCertificates: ca.pem}
          - from: istio-ingressgateway
            url: https://catalog.example.com/
          - from: istio-ingressgateway
            url: http://catalog.example.com/
            tls: {caCertificates: gone.pem}
        expect:
          - response: {traffic: https, outcome: refused}
        """;
    String pem = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n";
    String message = "";
    try {
      ScenarioYaml.parse(
          "s.yaml",
          text,
          f -> f.endsWith(".pem") && !f.equals("gone.pem") ? Optional.of(pem) : Optional.empty());
    } catch (InvalidScenarioException e) {
      message = e.getMessage();
    }
    assertThat(message)
        .contains("https traffic is a client outside the mesh calling the ingress gateway")
        .contains("https needs the client's tls")
        .contains("tls applies to https traffic only")
        .doesNotContain("traffic[0]");

    Scenario scenario =
        ScenarioYaml.parse(
                "s.yaml",
                text.substring(0, text.indexOf("  - from: client"))
                    + text.substring(text.indexOf("expect:")),
                f -> Optional.of(pem))
            .scenario();
    var request = scenario.traffic().get(0).request();
    assertThat(request.port()).isEqualTo(443);
    assertThat(request.authority()).isEqualTo("catalog.example.com");
    assertThat(request.tls().orElseThrow().sni()).contains("");
    assertThat(request.tls().orElseThrow().certificateChain()).contains(pem);
    assertThat(scenario.expectations().get(0).description())
        .isEqualTo(
            "every request of traffic 'https' is refused (no response: connection failed, closed or"
                + " reset)");
  }

  @Test
  void aJavaOnlyExpectationHasNoFileForm() {
    Expectation custom =
        new Expectation() {
          @Override
          public String description() {
            return "custom";
          }

          @Override
          public dev.meshproof.scenario.result.ExpectationResult evaluate(
              dev.meshproof.scenario.traffic.Observations observations) {
            throw new AssertionError("not evaluated");
          }
        };
    Scenario scenario =
        Scenario.named("custom")
            .client("client")
            .traffic(t -> t.from("client").get("http://catalog/"))
            .expect(custom)
            .build();

    assertThatThrownBy(() -> ScenarioYaml.write(scenario, Map.of(), false))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("(custom) has no scenario-file form");
  }

  @Test
  void grpcTrafficAndAGrpcPortRoundTripWithTheirExpectations() {
    String text =
        """
        name: grpc
        services:
          - name: echo
            portName: grpc-echo
        clients: [client]
        traffic:
          - name: calls
            from: client
            protocol: GRPC
            url: http://echo/meshproof.echo.v1.EchoService/EchoStream
            headers: {x-tenant: gold}
            body: '{"message": "hi", "count": 3}'
            requests: 5
        expect:
          - grpcStatus: {code: UNAVAILABLE, traffic: calls, fraction: 0.3, alpha: 0.0001}
          - grpcStatus: {code: OK}
        """;
    Scenario scenario = parse(text).scenario();

    assertThat(scenario.services().get(0).portName()).isEqualTo("grpc-echo");
    var request = scenario.traffic().get(0).request();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.headers())
        .containsEntry("content-type", "application/grpc")
        .containsEntry("te", "trailers")
        .containsEntry("x-tenant", "gold");
    // One uncompressed, length-prefixed message: message "hi" (field 1), count 3 (field 5).
    assertThat(request.body()).containsExactly(0, 0, 0, 0, 6, 0x0a, 2, 'h', 'i', 0x28, 3);
    String written = ScenarioYaml.write(scenario, Map.of(), false);
    assertThat(written)
        .contains("protocol: GRPC")
        .contains("portName: grpc-echo")
        .contains("{\"message\":\"hi\",\"count\":3}")
        .doesNotContain("application/grpc");
    assertThat(ScenarioYaml.write(parse(written).scenario(), Map.of(), false)).isEqualTo(written);
  }

  @Test
  void grpcTrafficRefusesAPathThatIsNoMethodABodyThatIsNoEchoRequestAndAnUnknownStatus() {
    String text =
        """
        name: grpc
        services: [{name: echo, portName: grpc}]
        clients: [client]
        traffic:
          - from: client
            protocol: GRPC
            url: http://echo/items
          - from: client
            protocol: GRPC
            url: http://echo/meshproof.echo.v1.EchoService/Echo
            body: '{"mesage": "hi"}'
        """;

    assertThat(problems(text))
        .contains("url path: /items (expected for GRPC: /<package>.<Service>/<Method>")
        .contains("expected for GRPC: a meshproof.echo.v1.EchoRequest as JSON")
        .doesNotContain("\tat ");
    assertThat(
            problems(
                text.replace("url: http://echo/items", "url: http://echo/a.B/C")
                        .replace("'{\"mesage\": \"hi\"}'", "'{}'")
                    + "expect:\n  - grpcStatus: {code: UNAVAILABLED}\n"))
        .contains("grpcStatus.code: \"UNAVAILABLED\", did you mean \"UNAVAILABLE\"?");
  }

  @Test
  void aServicePortNameOutsideTheEchoProtocolsIsRefusedWithTheProtocolIstioReads() {
    assertThat(
            problems(
                """
                name: mongo
                services: [{name: db, portName: mongo-db}]
                clients: [client]
                traffic: [{from: client, url: http://db/}]
                """))
        .contains("portName: mongo-db (expected: http, http2, grpc or tcp")
        .contains("Istio reads it as MONGO");
  }
}
