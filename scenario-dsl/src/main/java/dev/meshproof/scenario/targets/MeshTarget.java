package dev.meshproof.scenario.targets;

import dev.meshproof.chaos.ChaosEvent;
import dev.meshproof.chaos.ChaosRun;
import dev.meshproof.chaos.ChaosTimeline;
import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.MeshConfigHandle;
import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.Workload;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.xds.XdsRejectedException;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.RunHandles;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ServiceSpec;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import dev.meshproof.scenario.traffic.TrafficRunner;
import dev.meshproof.scenario.traffic.TrafficSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs scenarios on a {@link Mesh} on loopback: one echo workload per service instance behind its
 * sidecar, one client workload per client, the scenario's Istio YAML applied, traffic sent once
 * every proxy ACKed. The data plane decides what the sidecars are.
 */
public final class MeshTarget implements Target {
  private final String name;
  private final Supplier<DataPlane> dataPlane;
  private final Supplier<Optional<String>> unavailableReason;

  public MeshTarget(
      String name, Supplier<DataPlane> dataPlane, Supplier<Optional<String>> unavailableReason) {
    this.name = name;
    this.dataPlane = dataPlane;
    this.unavailableReason = unavailableReason;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<String> unavailableReason() {
    return unavailableReason.get();
  }

  @Override
  public TargetRun run(Scenario scenario) {
    List<EchoServer> apps = new ArrayList<>();
    try (Mesh mesh = Mesh.builder().seed(scenario.seed()).dataPlane(dataPlane.get()).start()) {
      try {
        for (ServiceSpec service : scenario.services()) {
          for (String version : service.replicasByVersion().keySet()) {
            for (String instance : service.instanceNames(version)) {
              EchoServer app =
                  EchoServer.builder()
                      .service(service.name())
                      .version(version)
                      .instance(instance)
                      .eventLoopGroup(mesh.eventLoops())
                      .seed(scenario.seed() ^ instance.hashCode())
                      .build()
                      .start();
              apps.add(app);
              mesh.deploy(
                  WorkloadSpec.builder(instance)
                      .label("version", version)
                      .serves(service.name(), service.port(), app.address())
                      .build());
            }
          }
        }
        Map<String, Workload> clients = new LinkedHashMap<>();
        for (String client : scenario.clients()) {
          clients.put(
              client,
              mesh.deploy(WorkloadSpec.builder(client + "-0").label("app", client).build()));
        }
        for (IstioSource source : scenario.istio()) {
          mesh.apply(source.yaml(), source.source());
        }
        try {
          mesh.awaitSynced();
        } catch (XdsRejectedException e) {
          throw new ScenarioAbortedException(e.getMessage(), proxyLogs(mesh), e);
        } catch (IllegalStateException e) {
          throw new ScenarioAbortedException(
              "proxies did not sync: " + e.getMessage(), proxyLogs(mesh), e);
        }

        ChaosTimeline timeline = scenario.chaos().apply(handles(mesh, apps));
        List<RequestObservation> observations = new ArrayList<>();
        List<ChaosEvent> chaosEvents;
        try (ChaosRun chaos = ChaosRun.onSystemClock(timeline).start()) {
          for (TrafficSpec traffic : scenario.traffic()) {
            observations.addAll(TrafficRunner.run(clients.get(traffic.from()).http(), traffic));
          }
          chaos.close();
          chaosEvents = chaos.events();
        }
        Map<String, String> attachments = new LinkedHashMap<>();
        if (!chaosEvents.isEmpty()) {
          attachments.put(
              "chaos_events",
              chaosEvents.stream()
                  .map(ChaosEvent::toString)
                  .collect(java.util.stream.Collectors.joining("\n")));
        }
        for (Workload client : clients.values()) {
          attachments.put("config_dump " + client.name(), client.sidecar().configDump());
        }
        if (!observations.stream()
            .allMatch(
                r ->
                    r.kind() == dev.meshproof.runtime.client.HttpOutcome.Kind.RESPONSE
                        && r.status() < 500)) {
          // Failed requests are explained by the proxies' own words, when they keep a log.
          attachments.putAll(proxyLogs(mesh));
        }
        return new TargetRun(new Observations(observations), attachments);
      } catch (InvalidConfigException e) {
        throw new ScenarioAbortedException(e.getMessage(), Map.of(), e);
      } finally {
        // The apps share the mesh's event loops: stop them before the mesh shuts those down.
        apps.forEach(EchoServer::close);
      }
    }
  }

  private static RunHandles handles(Mesh mesh, List<EchoServer> apps) {
    return new RunHandles() {
      @Override
      public List<EchoServer> instances(String service, String version) {
        return apps.stream()
            .filter(a -> a.service().equals(service) && a.version().equals(version))
            .toList();
      }

      @Override
      public List<EchoServer> instances(String service) {
        return apps.stream().filter(a -> a.service().equals(service)).toList();
      }

      @Override
      public MeshConfigHandle mesh() {
        return MeshConfigHandle.of(mesh);
      }

      @Override
      public InstanceHandle controlPlane() {
        return InstanceHandle.of(
            "istiod",
            mesh::stopControlPlane,
            () -> {
              mesh.startControlPlane();
              mesh.awaitSynced();
            });
      }
    };
  }

  private static Map<String, String> proxyLogs(Mesh mesh) {
    Map<String, String> logs = new LinkedHashMap<>();
    for (Workload workload : mesh.workloads()) {
      String log = workload.sidecar().log();
      if (!log.isEmpty()) {
        logs.put("proxy_log " + workload.name(), log);
      }
    }
    return logs;
  }
}
