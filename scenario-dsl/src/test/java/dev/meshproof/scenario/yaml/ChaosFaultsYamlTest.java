package dev.meshproof.scenario.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.chaos.NetworkFault;
import dev.meshproof.chaos.ServiceFault;
import dev.meshproof.chaos.network.Toxic;
import dev.meshproof.fake.behavior.Latency;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.chaos.FaultSpec;
import dev.meshproof.scenario.chaos.InstanceSelector;
import dev.meshproof.scenario.chaos.Link;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The file forms of network faults on links, partitions, drains, scale changes, resets and latency
 * distributions: read into the chaos plan, written back as read, and bad input reported at its
 * line.
 */
class ChaosFaultsYamlTest {
  private static final String SCENARIO =
      """
      name: catalog under chaos
      services:
        - name: catalog
          versions: {v1: 1, v2: 1}
      clients: [client]
      traffic:
        - from: client
          url: http://catalog/
          requests: 50
      chaos:
        - at: 0s
          FAULT
      """;

  private static final InstanceSelector V2 =
      new InstanceSelector("catalog", Optional.of("v2"), Optional.empty());

  private static Scenario scenario(String fault) {
    return ScenarioYaml.parse("s.yaml", SCENARIO.replace("FAULT", fault), f -> Optional.empty())
        .scenario();
  }

  private static String problems(String fault) {
    try {
      scenario(fault);
    } catch (InvalidScenarioException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected problems in: " + fault);
  }

  private static FaultSpec fault(String fault) {
    return scenario(fault).chaos().faults().get(0).fault();
  }

  @Test
  void readsALatencyToxicOnTheLinkFromOneClient() {
    FaultSpec spec =
        fault(
            "network: {link: {from: client, to: {name: catalog, version: v2}}, latency: 200ms,"
                + " jitter: 50ms, toxicity: 0.5}");

    assertThat(spec)
        .isEqualTo(
            new FaultSpec.OnLink(
                Link.between("client", V2),
                new NetworkFault.Degrade(
                    new Toxic.Latency(
                        Duration.ofMillis(200), Duration.ofMillis(50), Toxic.Stream.DOWNSTREAM),
                    0.5)));
    assertThat(scenario("network: {link: {to: {name: catalog}}, reset: true}").chaos().links())
        .containsExactly(
            Link.toSidecarsOf(new InstanceSelector("catalog", Optional.empty(), Optional.empty())));
  }

  @Test
  void readsEveryToxicWithItsDirection() {
    assertThat(
            fault("network: {link: {app: {name: catalog}}, direction: upstream, bandwidth: 1000}"))
        .extracting(f -> ((NetworkFault.Degrade) ((FaultSpec.OnLink) f).disruption()).toxic())
        .isEqualTo(new Toxic.Bandwidth(1000, Toxic.Stream.UPSTREAM));
    assertThat(toxic("slowClose: 1s"))
        .isEqualTo(new Toxic.SlowClose(Duration.ofSeconds(1), down()));
    assertThat(toxic("timeout: 2s")).isEqualTo(new Toxic.Timeout(Duration.ofSeconds(2), down()));
    assertThat(toxic("limitData: 100")).isEqualTo(new Toxic.LimitData(100, down()));
    assertThat(toxic("blackhole: true")).isEqualTo(Toxic.blackhole());
    assertThat(toxic("direction: upstream, blackhole: true"))
        .isEqualTo(new Toxic.Blackhole(Set.of(Toxic.Stream.UPSTREAM)));
    assertThat(toxic("slicer: {averageSize: 64, sizeVariation: 16, delay: 5ms}"))
        .isEqualTo(new Toxic.Slicer(64, 16, Duration.ofMillis(5), down()));
  }

  @Test
  void readsPartitionsDrainsAndScaleChanges() {
    assertThat(fault("partition: {from: client, to: {name: catalog, version: v2}}"))
        .isEqualTo(new FaultSpec.OnLink(Link.between("client", V2), new NetworkFault.Refuse()));
    assertThat(fault("partition: {to: {name: catalog, version: v2}, mode: blackhole}"))
        .isEqualTo(
            new FaultSpec.OnLink(
                Link.toSidecarsOf(V2), new NetworkFault.Degrade(Toxic.blackhole(), 1.0)));
    assertThat(fault("service: {name: catalog, instance: catalog-v2-0, drain: true}"))
        .isEqualTo(
            new FaultSpec.DrainInstances(
                new InstanceSelector("catalog", Optional.empty(), Optional.of("catalog-v2-0"))));
    assertThat(fault("scale: {name: catalog, version: v2, replicas: 3}"))
        .isEqualTo(new FaultSpec.Scale("catalog", "v2", 3));
  }

  @Test
  void readsApplicationResetsAndLatencyDistributions() {
    assertThat(fault("service: {name: catalog, reset: 0.2}"))
        .extracting(f -> ((FaultSpec.OnService) f).effect())
        .isEqualTo(new ServiceFault.ConnectionFault(dev.meshproof.fake.behavior.Fault.RESET, 0.2));
    assertThat(
            fault(
                "service: {name: catalog, latencyDistribution: {logNormal: {median: 20ms, sigma:"
                    + " 0.5}}}"))
        .extracting(f -> ((FaultSpec.OnService) f).effect())
        .isEqualTo(
            new ServiceFault.LatencyDistribution(
                new Latency.LogNormal(Duration.ofMillis(20), 0.5)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "network: {link: {from: client, to: {name: catalog, version: v2}}, latency: 200ms, jitter:"
            + " 50ms, toxicity: 0.5}",
        "network: {link: {app: {name: catalog}}, direction: upstream, bandwidth: 1000}",
        "network: {link: {to: {name: catalog}}, reset: true}",
        "network: {link: {to: {name: catalog}}, slicer: {averageSize: 64, sizeVariation: 16,"
            + " delay: 5ms}}",
        "network: {link: {to: {name: catalog}}, direction: upstream, blackhole: true}",
        "network: {link: {app: {name: catalog}}, blackhole: true}",
        "partition: {from: client, to: {name: catalog, version: v2}}",
        "partition: {to: {name: catalog, version: v2}, mode: blackhole}",
        "service: {name: catalog, instance: catalog-v2-0, drain: true}",
        "service: {name: catalog, reset: 0.2}",
        "service: {name: catalog, latencyDistribution: {uniform: {min: 10ms, max: 30ms}}}",
        "scale: {name: catalog, version: v2, replicas: 0}"
      })
  void writesEachFaultBackAsItWasRead(String text) {
    Scenario scenario = scenario(text);

    String yaml = ScenarioYaml.write(scenario, Map.of(), false);

    assertThat(
            ScenarioYaml.parse("back.yaml", yaml, f -> Optional.empty())
                .scenario()
                .chaos()
                .faults())
        .isEqualTo(scenario.chaos().faults());
  }

  @Test
  void badNetworkFaultsAreProblemsAtTheirLine() {
    assertThat(problems("network: {link: {to: {name: catalog}}, jitter: 50ms, reset: true}"))
        .contains("s.yaml:11")
        .contains("network.jitter: only with latency");
    assertThat(problems("network: {link: {from: client, app: {name: catalog}}, timeout: 1s}"))
        .contains("network.link.from: only with to");
    assertThat(problems("network: {link: {to: {name: catalog}}, latency: 1s, reset: true}"))
        .contains("s.yaml:12")
        .contains("more than one of [latency, reset]");
    assertThat(problems("partition: {from: clint, to: {name: catalog}}"))
        .contains("chaos.link.from: clint (expected one of the declared clients: [client])");
    assertThat(problems("network: {link: {to: {name: catalogue}}, reset: true}"))
        .contains("chaos.service: catalogue")
        .contains("catalog");
    assertThat(problems("scale: {name: catalog, version: v9, replicas: 2}"))
        .contains("chaos.version: v9");
    assertThat(problems("partition: {to: {name: catalog}, mode: drop}"))
        .contains("refuse")
        .contains("blackhole");
  }

  private static Toxic toxic(String fields) {
    FaultSpec.OnLink onLink =
        (FaultSpec.OnLink) fault("network: {link: {to: {name: catalog}}, " + fields + "}");
    return ((NetworkFault.Degrade) onLink.disruption()).toxic();
  }

  private static Toxic.Stream down() {
    return Toxic.Stream.DOWNSTREAM;
  }
}
