package dev.meshproof.scenario.own;

import static dev.meshproof.scenario.expect.Expectations.split;
import static dev.meshproof.scenario.expect.Expectations.successRate;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.meshproof.scenario.AppSpec;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.Targets;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The user's own service behind the mesh, on both data planes: catalog v1 is an HTTP server the
 * test started itself (JDK HttpServer), catalog v2 a command the mesh starts (this JVM's {@code
 * java} running {@link OwnTestApp} on the port the mesh picked) and stops. Neither names itself in
 * its answers, so the 50/50 split can only pass when each request is attributed by the upstream
 * host its client's sidecar logged. The scenario is read from its file form and equals its Java
 * form.
 */
class OwnServiceIT {
  private static final String ISTIO =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: catalog}
      spec:
        host: catalog
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - route:
          - destination: {host: catalog, subset: v1}
            weight: 50
          - destination: {host: catalog, subset: v2}
            weight: 50
      """;

  private static HttpServer mine;

  @BeforeAll
  static void startMyServer() throws Exception {
    mine = OwnTestApp.start(0, "mine");
  }

  @AfterAll
  static void stopMyServer() {
    mine.stop(0);
  }

  private static List<String> command() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classes =
        Path.of(OwnTestApp.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    return List.of(java, "-cp", classes, OwnTestApp.class.getName(), AppSpec.PORT);
  }

  private static Scenario javaForm(int port, List<String> command) {
    return Scenario.named("my own service behind the mesh")
        .seed(7)
        .service(
            "catalog",
            s ->
                s.ownServer("v1", new InetSocketAddress("127.0.0.1", port))
                    .ownCommand(
                        "v2",
                        1,
                        new AppSpec.Command(
                            command, Map.of(), AppSpec.Command.DEFAULT_START_TIMEOUT)))
        .client("web")
        .istio("catalog.yaml", ISTIO)
        .traffic(
            t ->
                t.named("traffic-1")
                    .from("web")
                    .get("http://catalog/")
                    .requests(200)
                    .concurrency(4))
        .expect(successRate().atLeast(1.0))
        .expect(split("catalog").byVersion(Map.of("v1", 0.5, "v2", 0.5)).atAlpha(1e-6))
        .build();
  }

  private static Scenario fileForm(int port, List<String> command) {
    StringBuilder argv = new StringBuilder();
    for (String arg : command) {
      argv.append(argv.length() == 0 ? "" : ", ").append('"').append(arg).append('"');
    }
    String file =
        """
        name: my own service behind the mesh
        seed: 7
        services:
          - name: catalog
            versions: {v1: 1, v2: 1}
            apps:
              v1: {address: "127.0.0.1:%d"}
              v2: {command: [%s]}
        clients: [web]
        istio:
          - file: catalog.yaml
        traffic:
          - {from: web, url: "http://catalog/", requests: 200, concurrency: 4}
        expect:
          - successRate: {atLeast: 1.0}
          - split: {service: catalog, byVersion: {v1: 0.5, v2: 0.5}, alpha: 1.0e-6}
        """
            .formatted(port, argv);
    return ScenarioYaml.parse(
            "own.scenario.yaml",
            file,
            f -> f.equals("catalog.yaml") ? Optional.of(ISTIO) : Optional.empty())
        .scenario();
  }

  @TestFactory
  Stream<DynamicTest> myServerAndACommandTheMeshStartsServeBehindTheMeshOnEveryTarget()
      throws Exception {
    int port = mine.getAddress().getPort();
    List<String> command = command();
    Scenario scenario = fileForm(port, command);
    assertThat(ScenarioYaml.write(scenario, Map.of(), false))
        .isEqualTo(ScenarioYaml.write(javaForm(port, command), Map.of(), false));
    return Stream.of(Targets.embedded(), Targets.envoy())
        .map(target -> DynamicTest.dynamicTest(target.name(), () -> check(scenario, target)));
  }

  private static void check(Scenario scenario, Target target) {
    ScenarioResult result = ScenarioRunner.run(scenario, target);
    if (result.status() == Status.SKIPPED) {
      org.junit.jupiter.api.Assumptions.abort(result.failure().orElse("target unavailable"));
    }
    assertThat(result.status()).as(result.toString()).isEqualTo(Status.PASSED);
    assertThat(result.traffic().sent()).isEqualTo(200);
    assertThat(result.traffic().responses()).isEqualTo(200);
  }
}
