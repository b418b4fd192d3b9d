package dev.meshproof.scenario.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.MeshConfigHandle;
import dev.meshproof.chaos.ServiceTarget;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.Seeds;
import dev.meshproof.scenario.chaos.Chaos;
import dev.meshproof.scenario.traffic.TrafficClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The orchestration order over an in-memory deployment that records every call. */
class ScenarioOrchestratorTest {
  private static final String YAML = "kind: VirtualService";

  private final List<String> calls = new ArrayList<>();

  private Scenario.Builder scenario() {
    return Scenario.named("orchestration")
        .service("catalog", s -> s.version("v1").version("v2"))
        .client("client")
        .istio("a.yaml", YAML)
        .istio("b.yaml", YAML)
        .traffic(t -> t.from("client").get("http://catalog/").requests(2))
        .chaos(c -> c.at(Duration.ZERO, Chaos.controlPlaneOutage()))
        .seed(42);
  }

  @Test
  void appliesConfigThenSyncsThenInjectsChaosThenSendsTrafficThenRevertsAndCloses() {
    FakeDeployment deployment = new FakeDeployment(HttpOutcome.Kind.RESPONSE, 200);

    TargetRun run = ScenarioOrchestrator.run(scenario().build(), deploying(deployment));

    assertThat(calls)
        .containsExactly(
            "deploy seed 42",
            "apply a.yaml",
            "apply b.yaml",
            "awaitSynced",
            "stop istiod",
            "send http://catalog/",
            "send http://catalog/",
            "start istiod",
            "configDumps",
            "close");
    assertThat(run.observations().requests()).hasSize(2);
    assertThat(run.findings()).isEmpty();
    assertThat(run.attachments()).containsOnlyKeys("chaos_events", "config_dump client-0");
    assertThat(run.attachments().get("chaos_events"))
        .contains("INJECTED instance istiod: stopped", "REVERTED instance istiod: stopped");
  }

  @Test
  void analyzerErrorsStopTheScenarioBeforeAnythingIsDeployed() {
    FakeDeployment deployment = new FakeDeployment(HttpOutcome.Kind.RESPONSE, 200);
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: catalog
        spec:
          hosts: [catalog]
          http:
          - route:
            - destination:
                host: catalog
                subset: v3
            - destination:
                host: ghost
        """;
    Scenario scenario =
        Scenario.named("bad references")
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .istio("bad.yaml", yaml)
            .traffic(t -> t.from("client").get("http://catalog/").requests(1))
            .build();

    assertThatThrownBy(() -> ScenarioOrchestrator.run(scenario, deploying(deployment)))
        .isInstanceOf(ScenarioAbortedException.class)
        .hasMessageContaining(
            "IST0101 Error VirtualService catalog bad.yaml:11 Referenced host+subset in"
                + " destinationrule not found: \"catalog+v3\"")
        .hasMessageContaining(
            "IST0101 Error VirtualService catalog bad.yaml:13 Referenced host not found:"
                + " \"ghost\"");
    assertThat(calls).isEmpty();
  }

  @Test
  void failedRequestsAttachTheProxyLogs() {
    FakeDeployment deployment = new FakeDeployment(HttpOutcome.Kind.RESPONSE, 503);

    TargetRun run = ScenarioOrchestrator.run(scenario().build(), deploying(deployment));

    assertThat(run.attachments())
        .containsEntry("proxy_log client-0", "upstream reset")
        .containsKey("config_dump client-0");
  }

  @Test
  void chaosIsRevertedAndTheDeploymentClosedWhenTrafficFails() {
    FakeDeployment deployment = new FakeDeployment(null, 0);

    assertThatThrownBy(() -> ScenarioOrchestrator.run(scenario().build(), deploying(deployment)))
        .hasMessageContaining("client crashed");
    assertThat(calls).endsWith("stop istiod", "send http://catalog/", "start istiod", "close");
  }

  @Test
  void anAbortBeforeTrafficInjectsNothingAndStillCloses() {
    FakeDeployment deployment = new FakeDeployment(HttpOutcome.Kind.RESPONSE, 200);
    deployment.nack = true;

    assertThatThrownBy(() -> ScenarioOrchestrator.run(scenario().build(), deploying(deployment)))
        .isInstanceOf(ScenarioAbortedException.class)
        .hasMessage("NACK from client-0");
    assertThat(calls)
        .containsExactly("deploy seed 42", "apply a.yaml", "apply b.yaml", "awaitSynced", "close");
  }

  @Test
  void serviceFaultsResolveToTheSelectedInstancesBehaviour() {
    FakeDeployment deployment = new FakeDeployment(HttpOutcome.Kind.RESPONSE, 200);
    Scenario scenario =
        Scenario.named("service fault")
            .service("catalog", s -> s.version("v1").version("v2"))
            .client("client")
            .traffic(t -> t.from("client").get("http://catalog/").requests(1))
            .chaos(
                c -> c.at(Duration.ZERO, Chaos.service("catalog").version("v2").errors(1, "503")))
            .build();
    deployment.onSend =
        () ->
            calls.add(
                "v1 errorRate "
                    + deployment.v1.get().errorRate()
                    + ", v2 errorRate "
                    + deployment.v2.get().errorRate());

    ScenarioOrchestrator.run(scenario, deploying(deployment));

    assertThat(calls).contains("v1 errorRate 0.0, v2 errorRate 1.0");
    assertThat(deployment.v2.get()).isEqualTo(Behavior.defaults());
  }

  private Deployer deploying(FakeDeployment deployment) {
    return (scenario, seeds) -> {
      calls.add("deploy seed " + seeds.scenario());
      assertThat(seeds).isEqualTo(Seeds.of(scenario));
      return deployment;
    };
  }

  /** Records calls; its client answers every request with one outcome, or throws when none. */
  private final class FakeDeployment implements Deployment {
    private final HttpOutcome.Kind kind;
    private final int status;
    final BehaviorControl v1 = new BehaviorControl(Behavior.defaults());
    final BehaviorControl v2 = new BehaviorControl(Behavior.defaults());
    boolean nack;
    Runnable onSend = () -> {};

    FakeDeployment(HttpOutcome.Kind kind, int status) {
      this.kind = kind;
      this.status = status;
    }

    @Override
    public void apply(IstioSource source) {
      calls.add("apply " + source.source());
    }

    @Override
    public void awaitSynced() {
      calls.add("awaitSynced");
      if (nack) {
        throw new ScenarioAbortedException("NACK from client-0", proxyLogs(), null);
      }
    }

    @Override
    public TrafficClient client(String client) {
      assertThat(client).isEqualTo("client");
      return request -> {
        calls.add("send " + request.url());
        onSend.run();
        if (kind == null) {
          throw new IllegalStateException("client crashed");
        }
        return CompletableFuture.completedFuture(outcome());
      };
    }

    private HttpOutcome outcome() {
      return new HttpOutcome(kind, status, Map.of(), "", Duration.ofMillis(1), "");
    }

    @Override
    public List<dev.meshproof.fake.journal.JournalEntry> journal() {
      return List.of();
    }

    @Override
    public Map<String, String> configDumps() {
      calls.add("configDumps");
      return Map.of("client-0", "{}");
    }

    @Override
    public Map<String, String> proxyLogs() {
      return Map.of("client-0", "upstream reset");
    }

    @Override
    public List<ServiceTarget> instances(String service) {
      return List.of(new ServiceTarget("catalog-v1-0", v1), new ServiceTarget("catalog-v2-0", v2));
    }

    @Override
    public List<ServiceTarget> instances(String service, String version) {
      return instances(service).stream().filter(t -> t.name().contains(version)).toList();
    }

    @Override
    public MeshConfigHandle meshConfig() {
      return (yaml, source) -> calls.add("apply " + source);
    }

    @Override
    public InstanceHandle controlPlane() {
      return InstanceHandle.of(
          "istiod", () -> calls.add("stop istiod"), () -> calls.add("start istiod"));
    }

    @Override
    public void close() {
      calls.add("close");
    }
  }
}
