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
        "scale: {name: catalog, version: v2, replicas: 0}",
        "service: {name: catalog, instance: catalog-v2-0, notReady: true, answering: '503'}",
        "duration: 2s\n    service: {name: catalog, instance: catalog-v2-0, flap: {notReady: 300ms,"
            + " ready: 200ms}, answering: '503'}",
        "duration: 3s\n    service: {name: catalog, version: v2, ramp: {errors: {from: 0.1, to:"
            + " 0.5, statuses: '503'}, steps: 5}}",
        "duration: 3s\n    service: {name: catalog, ramp: {latency: {from: 10ms, to: 100ms}}}",
        "after: {requests: 100}\n    service: {name: catalog, hang: 0.5}"
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

  @Test
  void readinessFlappingRampsAndStartOnEventReadIntoThePlan() {
    Scenario scenario =
        ScenarioYaml.parse(
                "s.yaml",
                SCENARIO.replace(
                    "FAULT",
                    """
                    duration: 2s
                        service: {name: catalog, version: v2, ramp: {errors: {from: 0, to: 0.4, statuses: '503'}, steps: 3}}
                      - at: 100ms
                        after: {faultEnds: 0}
                        duration: 1s
                        service: {name: catalog, instance: catalog-v2-0, flap: {notReady: 300ms, ready: 200ms}}
                      - at: 0s
                        after: {requests: 20}
                        service: {name: catalog, instance: catalog-v1-0, notReady: true}"""),
                f -> Optional.empty())
            .scenario();

    assertThat(scenario.chaos().faults())
        .extracting(f -> f.fault())
        .containsExactly(
            new FaultSpec.Ramp(
                V2,
                new FaultSpec.ErrorRamp(0, 0.4, dev.meshproof.fake.behavior.StatusMix.parse("503")),
                Optional.of(3)),
            new FaultSpec.Flap(
                new InstanceSelector("catalog", Optional.empty(), Optional.of("catalog-v2-0")),
                Duration.ofMillis(300),
                Duration.ofMillis(200),
                Optional.empty()),
            new FaultSpec.NotReady(
                new InstanceSelector("catalog", Optional.empty(), Optional.of("catalog-v1-0")),
                Optional.empty()));
    assertThat(scenario.chaos().faults())
        .extracting(f -> f.after().map(Object::toString).orElse("start"))
        .containsExactly("start", "FaultEnds[entry=0]", "Requests[count=20]");
  }

  @Test
  void badRampsFlappingAndEventsAreProblemsAtTheirEntry() {
    assertThat(problems("service: {name: catalog, flap: {notReady: 300ms, ready: 200ms}}"))
        .contains("s.yaml:11")
        .contains("duration: none (expected: a duration for a ramp or flapping");
    assertThat(problems("service: {name: catalog, hang: 0.5, answering: '503'}"))
        .contains("answering: only with notReady or flap");
    assertThat(
            problems(
                "duration: 1s\n    service: {name: catalog, ramp: {errors: {from: 0.1, to: 2,"
                    + " statuses: '503'}}}"))
        .contains("s.yaml:13:61")
        .contains("ramp.errors.to: 2 is out of range");
    assertThat(problems("after: {faultEnds: 0}\n    service: {name: catalog, hang: 0.5}"))
        .contains(
            "after.faultEnds: 0 (expected: the index of an earlier chaos entry with a"
                + " duration, none before the first entry)");
    assertThat(problems("after: {requests: 0}\n    service: {name: catalog, hang: 0.5}"))
        .contains("s.yaml:12")
        .contains("requests: 0");
  }

  @Test
  void aFaultAfterRequestsNeedsTrafficTheRunCountsOneByOne() {
    assertThat(
            ScenarioYamlProblems.of(
                () ->
                    ScenarioYaml.parse(
                        "s.yaml",
                        SCENARIO
                            .replace("requests: 50", "requests: 50\n    rate: 100")
                            .replace(
                                "FAULT",
                                "after: {requests: 10}\n    service: {name: catalog, hang: 0.5}"),
                        f -> Optional.empty())))
        .contains("chaos.after.requests: traffic")
        .contains("(expected: closed-loop HTTP1 traffic");
  }

  /** The message of the problems a parse reports. */
  private static final class ScenarioYamlProblems {
    static String of(Runnable parse) {
      try {
        parse.run();
      } catch (InvalidScenarioException | IllegalArgumentException e) {
        return e.getMessage();
      }
      throw new AssertionError("expected problems");
    }
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
