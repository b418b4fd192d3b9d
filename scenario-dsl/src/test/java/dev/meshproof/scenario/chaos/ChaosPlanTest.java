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

        @Override
        public InstanceHandle readiness(
            String instance, Optional<dev.meshproof.fake.behavior.StatusMix> status) {
          return InstanceHandle.of(instance, () -> {}, () -> {});
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
            .at(Duration.ZERO, Chaos.service("reviews").instance("reviews-v2-1").hang(0.5))
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

  private static List<String> windows(ChaosTimeline timeline) {
    return timeline.faults().stream()
        .map(
            f ->
                f.at().toMillis()
                    + "+"
                    + f.duration().orElseThrow().toMillis()
                    + " "
                    + f.fault().description())
        .toList();
  }

  @Test
  void aRampBecomesEqualStepsBackToBackFromItsFirstValueToItsLast() {
    ChaosPlan plan =
        ChaosPlan.builder()
            .at(
                Duration.ofSeconds(1),
                Chaos.service("reviews").version("v1").errorRamp(0.0, 0.6, "503", 4))
            .lasting(Duration.ofSeconds(4))
            .at(
                Duration.ZERO,
                Chaos.service("reviews")
                    .version("v1")
                    .latencyRamp(Duration.ofMillis(100), Duration.ofMillis(300), 3))
            .lasting(Duration.ofMillis(900))
            .build();

    // The first error step is 0: nothing is injected in its second.
    assertThat(windows(plan.resolve(handles)))
        .containsExactly(
            "0+300 service reviews-v1-0: latency 100ms",
            "300+300 service reviews-v1-0: latency 200ms",
            "600+300 service reviews-v1-0: latency 300ms",
            "2000+1000 service reviews-v1-0: errors 20% 503:1",
            "3000+1000 service reviews-v1-0: errors 40% 503:1",
            "4000+1000 service reviews-v1-0: errors 60% 503:1");
  }

  @Test
  void flappingAlternatesNotReadyAndReadyPhasesCutAtTheWindowsEnd() {
    ChaosPlan plan =
        ChaosPlan.builder()
            .at(
                Duration.ofMillis(500),
                Chaos.service("reviews")
                    .instance("reviews-v2-0")
                    .flapping(Duration.ofMillis(300), Duration.ofMillis(200), "503"))
            .lasting(Duration.ofMillis(1_200))
            .build();

    assertThat(windows(plan.resolve(handles)))
        .containsExactly(
            "500+300 instance reviews-v2-0: not ready, answering 503:1",
            "1000+300 instance reviews-v2-0: not ready, answering 503:1",
            "1500+200 instance reviews-v2-0: not ready, answering 503:1");
    assertThat(plan.resolve(handles).faults().get(0).fault()).isInstanceOf(InstanceFault.class);
  }

  @Test
  void aRampOrFlappingWithoutADurationIsRefused() {
    assertThatThrownBy(
            () ->
                ChaosPlan.builder()
                    .at(Duration.ZERO, Chaos.service("reviews").errorRamp(0.1, 0.5, "503", 3))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration: none (expected: a duration for a ramp of errors");
    assertThatThrownBy(() -> Chaos.service("reviews").errorRamp(0.1, 0.5, "503", 1))
        .hasMessage("ramp.steps: 1 (expected: >= 2, a start and an end)");
  }

  @Test
  void aFaultAfterRequestsCarriesItsTriggerAndOneAfterAnEndStartsThere() {
    ChaosPlan plan =
        ChaosPlan.builder()
            .at(Duration.ofMillis(200), Chaos.service("reviews").version("v1").errors(0.5, "503"))
            .lasting(Duration.ofSeconds(1))
            .after(new StartOn.Requests(100))
            .at(Duration.ofMillis(50), Chaos.service("reviews").version("v1").hang(0.5))
            .after(new StartOn.FaultEnds(0))
            .lasting(Duration.ofSeconds(2))
            .at(Duration.ofSeconds(3), Chaos.controlPlaneOutage())
            .lasting(Duration.ofSeconds(1))
            .at(Duration.ZERO, Chaos.service("reviews").version("v1").latency(Duration.ofMillis(5)))
            .after(new StartOn.FaultEnds(2))
            .build();

    ChaosTimeline timeline = plan.resolve(handles);

    assertThat(timeline.faults())
        .extracting(
            f -> f.at().toMillis() + " " + f.trigger().map(t -> t.description()).orElse("start"))
        .containsExactlyInAnyOrder(
            "200 after 100 requests", "1250 after 100 requests", "3000 start", "4000 start");
    assertThat(plan.countsRequests()).isTrue();
  }

  @Test
  void aFaultCanOnlyWaitForTheEndOfAnEarlierEntryThatHasAnEnd() {
    ChaosPlan.Builder builder = ChaosPlan.builder().at(Duration.ZERO, Chaos.controlPlaneOutage());
    assertThatThrownBy(
            () ->
                builder
                    .at(Duration.ZERO, Chaos.service("reviews").hang(0.5))
                    .after(new StartOn.FaultEnds(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "after.faultEnds: 0 (expected: the index of an earlier chaos entry with a duration,"
                + " 0..0; entry 0 lasts until the traffic ends)");
    assertThatThrownBy(
            () ->
                ChaosPlan.builder()
                    .at(Duration.ZERO, Chaos.service("reviews").hang(0.5))
                    .after(new StartOn.FaultEnds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("after.faultEnds: 1 (expected: the index of an earlier chaos entry");
  }
}
