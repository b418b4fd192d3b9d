package dev.meshproof.scenario.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.chaos.ChaosTimeline;
import dev.meshproof.chaos.InstanceFault;
import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.MeshConfigHandle;
import dev.meshproof.chaos.ProxyFault;
import dev.meshproof.chaos.ServiceFault;
import dev.meshproof.chaos.ServiceTarget;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.scenario.Scenario;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChaosPlanTest {
  private final List<String> applied = new ArrayList<>();
  private final InstanceHandle istiod = InstanceHandle.of("istiod", () -> {}, () -> {});
  private final MeshConfigHandle mesh = (yaml, source) -> applied.add(source);

  private final ChaosHandles handles =
      new ChaosHandles() {
        @Override
        public List<ServiceTarget> instances(String service) {
          return List.of(target("reviews-v1-0"), target("reviews-v2-0"), target("reviews-v2-1"));
        }

        @Override
        public List<ServiceTarget> instances(String service, String version) {
          return instances(service).stream()
              .filter(t -> t.name().startsWith(service + "-" + version + "-"))
              .toList();
        }

        @Override
        public MeshConfigHandle meshConfig() {
          return mesh;
        }

        @Override
        public InstanceHandle controlPlane() {
          return istiod;
        }
      };

  private static ServiceTarget target(String name) {
    return new ServiceTarget(name, new BehaviorControl(Behavior.defaults()));
  }

  @Test
  void resolvesEachSpecAgainstTheDeploymentsHandlesKeepingItsWindow() {
    ChaosPlan plan =
        ChaosPlan.builder()
            .at(Duration.ofSeconds(5), Chaos.service("reviews").version("v2").errors(0.3, "503"))
            .lasting(Duration.ofSeconds(10))
            .at(Duration.ZERO, Chaos.controlPlaneOutage())
            .at(Duration.ofSeconds(1), Chaos.proxy("abort", "fault: yes", "fault: no"))
            .build();

    ChaosTimeline timeline = plan.resolve(handles);

    assertThat(timeline.faults()).hasSize(3);
    assertThat(timeline.faults().get(0).fault()).isEqualTo(InstanceFault.stop(istiod));
    assertThat(timeline.faults().get(1).fault())
        .isEqualTo(new ProxyFault(mesh, "abort", "fault: yes", "fault: no"));
    ServiceFault errors = (ServiceFault) timeline.faults().get(2).fault();
    assertThat(errors.targets())
        .extracting(ServiceTarget::name)
        .containsExactly("reviews-v2-0", "reviews-v2-1");
    assertThat(errors.description())
        .isEqualTo("service reviews-v2-0,reviews-v2-1: errors 30% 503:1");
    assertThat(timeline.faults().get(2).at()).isEqualTo(Duration.ofSeconds(5));
    assertThat(timeline.faults().get(2).duration()).contains(Duration.ofSeconds(10));
  }

  @Test
  void anInstanceSelectorPicksOnePod() {
    ChaosPlan plan =
        ChaosPlan.builder()
            .at(Duration.ZERO, Chaos.service("reviews").instance("reviews-v2-1").notReady())
            .build();

    ServiceFault fault = (ServiceFault) plan.resolve(handles).faults().get(0).fault();

    assertThat(fault.targets()).extracting(ServiceTarget::name).containsExactly("reviews-v2-1");
  }

  @Test
  void thePlanIsDataThatComparesByValue() {
    ChaosPlan a =
        ChaosPlan.builder()
            .at(Duration.ZERO, Chaos.service("reviews").latency(Duration.ofMillis(50)))
            .build();
    ChaosPlan b =
        ChaosPlan.builder()
            .at(Duration.ZERO, Chaos.service("reviews").latency(Duration.ofMillis(50)))
            .build();

    assertThat(a).isEqualTo(b);
    assertThat(a.faults().get(0).fault())
        .isEqualTo(
            new FaultSpec.OnService(
                new InstanceSelector("reviews", Optional.empty(), Optional.empty()),
                new ServiceFault.AddedLatency(Duration.ofMillis(50))));
  }

  @Test
  void noPlanResolvesToNoTimeline() {
    assertThat(ChaosPlan.none().resolve(handles)).isEqualTo(ChaosTimeline.none());
  }

  @Test
  void lastingMustFollowAFaultWithoutDuration() {
    assertThatThrownBy(() -> ChaosPlan.builder().lasting(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must follow an at(offset, fault)");
    assertThatThrownBy(
            () -> ChaosPlan.builder().at(Duration.ofSeconds(-1), Chaos.controlPlaneOutage()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at: PT-1S");
  }

  @Test
  void blankProxyYamlIsRejectedWhenPlanned() {
    assertThatThrownBy(() -> Chaos.proxy("abort", " ", "restore: yes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("faultYaml: blank");
  }

  @Test
  void aScenarioRejectsFaultsOnUndeclaredServicesVersionsAndInstances() {
    assertThatThrownBy(() -> scenarioWithFault(Chaos.service("ratings").notReady()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chaos.service: ratings (expected one of the declared services: [reviews])");
    assertThatThrownBy(() -> scenarioWithFault(Chaos.service("reviews").version("v3").notReady()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chaos.version: v3 (expected one of the versions of reviews: [v1, v2])");
    assertThatThrownBy(
            () ->
                scenarioWithFault(
                    Chaos.service("reviews").version("v1").instance("reviews-v2-0").notReady()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chaos.instance: reviews-v2-0 (expected one of [reviews-v1-0])");
  }

  private static Scenario scenarioWithFault(FaultSpec fault) {
    return Scenario.named("chaos")
        .service("reviews", s -> s.version("v1").version("v2"))
        .client("client")
        .traffic(t -> t.from("client").get("http://reviews/").requests(1))
        .chaos(c -> c.at(Duration.ZERO, fault))
        .build();
  }
}
