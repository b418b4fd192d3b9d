package dev.meshproof.scenario.targets;

import dev.meshproof.chaos.ChaosEvent;
import dev.meshproof.chaos.ChaosRun;
import dev.meshproof.chaos.ChaosTimeline;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.Seeds;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import dev.meshproof.scenario.traffic.TrafficRunner;
import dev.meshproof.scenario.traffic.TrafficSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What running a scenario means on any target: deploy the topology, apply the Istio configuration,
 * wait until every proxy ACKed it, start the chaos plan, send the traffic, stop the chaos (every
 * fault reverted) and collect the evidence. The {@link Deployment} is closed and every fault
 * reverted also when a step fails.
 */
public final class ScenarioOrchestrator {
  private ScenarioOrchestrator() {}

  /**
   * Runs {@code scenario} on what {@code deployer} deploys.
   *
   * @throws ScenarioAbortedException when the scenario cannot reach its traffic
   */
  public static TargetRun run(Scenario scenario, Deployer deployer) {
    try (Deployment deployment = deployer.deploy(scenario, Seeds.of(scenario))) {
      for (IstioSource source : scenario.istio()) {
        deployment.apply(source);
      }
      deployment.awaitSynced();

      ChaosTimeline timeline = scenario.chaos().resolve(deployment);
      List<RequestObservation> observations = new ArrayList<>();
      List<ChaosEvent> chaosEvents;
      try (ChaosRun chaos = ChaosRun.onSystemClock(timeline).start()) {
        for (TrafficSpec traffic : scenario.traffic()) {
          observations.addAll(
              TrafficRunner.run(deployment.client(traffic.from()), traffic, scenario.seed()));
        }
        // Reverting before collecting the events puts the REVERTED entries in the log.
        chaos.close();
        chaosEvents = chaos.events();
      }

      Map<String, String> attachments = new LinkedHashMap<>();
      if (!chaosEvents.isEmpty()) {
        attachments.put(
            "chaos_events",
            chaosEvents.stream().map(ChaosEvent::toString).collect(Collectors.joining("\n")));
      }
      deployment
          .configDumps()
          .forEach((workload, dump) -> attachments.put("config_dump " + workload, dump));
      if (!observations.stream()
          .allMatch(r -> r.kind() == HttpOutcome.Kind.RESPONSE && r.status() < 500)) {
        // Failed requests are explained by the proxies' own words, when they keep a log.
        attachments.putAll(proxyLogAttachments(deployment));
      }
      return new TargetRun(new Observations(observations), attachments);
    }
  }

  /** The proxies' logs as attachments ({@code proxy_log <workload>}), for any abort or failure. */
  static Map<String, String> proxyLogAttachments(Deployment deployment) {
    Map<String, String> logs = new LinkedHashMap<>();
    deployment.proxyLogs().forEach((workload, log) -> logs.put("proxy_log " + workload, log));
    return logs;
  }
}
