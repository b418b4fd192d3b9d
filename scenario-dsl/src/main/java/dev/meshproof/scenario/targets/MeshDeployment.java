package dev.meshproof.scenario.targets;

import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.MeshConfigHandle;
import dev.meshproof.chaos.ServiceTarget;
import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.fake.journal.JournalEntry;
import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.Workload;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.transport.HttpConnectionPool;
import dev.meshproof.runtime.xds.XdsRejectedException;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.Seeds;
import dev.meshproof.scenario.ServiceSpec;
import dev.meshproof.scenario.traffic.TrafficClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A scenario's topology on a {@link Mesh} on loopback: one echo workload per service instance
 * behind its sidecar, one client workload per client. The data plane decides what the sidecars are:
 * the embedded Netty sidecar or real Envoy processes. Everything runs in this JVM, but only
 * interface handles leave it.
 */
public final class MeshDeployment implements Deployment {
  private final Mesh mesh;
  private final List<EchoServer> apps = new ArrayList<>();
  private final List<JournalEntry> stoppedJournals =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private Seeds seeds;
  private final Map<String, Workload> clients = new LinkedHashMap<>();
  private final OwnApps ownApps = new OwnApps();

  /** Instances whose app is the user's own, by the inbound address other sidecars send to. */
  private final Map<String, Deployment.Instance> ownInstances = new LinkedHashMap<>();

  private final Map<String, SidecarlessClient> withoutSidecar = new LinkedHashMap<>();
  private HttpConnectionPool directConnections;

  private MeshDeployment(Mesh mesh) {
    this.mesh = mesh;
  }

  /** Deploys scenarios on a mesh whose sidecars {@code dataPlane} makes, one per deployment. */
  public static Deployer on(Supplier<DataPlane> dataPlane) {
    Objects.requireNonNull(dataPlane, "dataPlane");
    return (scenario, seeds) -> start(scenario, seeds, dataPlane.get());
  }

  private static MeshDeployment start(Scenario scenario, Seeds seeds, DataPlane dataPlane) {
    Mesh.Builder builder =
        Mesh.builder()
            .seed(seeds.mesh())
            .istioVersion(scenario.istioVersion())
            .compatibilityVersion(scenario.compatibilityVersion())
            .outboundTrafficPolicy(scenario.outboundTrafficPolicy())
            .dataPlane(dataPlane);
    scenario.security().ca().ifPresent(builder::security);
    MeshDeployment deployment = new MeshDeployment(builder.start());
    try {
      deployment.deployTopology(scenario, seeds);
      return deployment;
    } catch (InvalidConfigException e) {
      deployment.close();
      throw new ScenarioAbortedException(e.getMessage(), Map.of(), e);
    } catch (RuntimeException e) {
      deployment.close();
      throw e;
    }
  }

  private void deployTopology(Scenario scenario, Seeds seeds) {
    this.seeds = seeds;
    for (ServiceSpec service : scenario.services()) {
      for (String version : service.replicasByVersion().keySet()) {
        for (String instance : service.instanceNames(version)) {
          java.net.InetSocketAddress address;
          if (service.app(version).isPresent()) {
            address =
                ownApps.start(
                    service.app(version).get(),
                    service.name(),
                    version,
                    instance,
                    java.nio.file.Path.of("").toAbsolutePath());
          } else {
            EchoServer app = startApp(service.name(), version, instance, 0);
            apps.add(app);
            address = app.address();
          }
          Workload workload =
              mesh.deploy(
                  WorkloadSpec.builder(instance)
                      .label("version", version)
                      .serviceAccount(scenario.security().serviceAccountOf(service.name(), version))
                      .serves(service.name(), service.port(), address)
                      .build());
          if (service.app(version).isPresent()) {
            workload
                .sidecar()
                .inboundAddress()
                .ifPresent(
                    inbound ->
                        ownInstances.put(
                            "127.0.0.1:" + inbound.getPort(),
                            new Deployment.Instance(service.name(), version, instance)));
          }
        }
      }
    }
    for (String client : scenario.clients()) {
      if (scenario.security().withoutSidecar(client)) {
        withoutSidecar.put(client, new SidecarlessClient(mesh, directConnections()));
        continue;
      }
      clients.put(
          client,
          mesh.deploy(
              WorkloadSpec.builder(client + "-0")
                  .label("app", client)
                  .serviceAccount(scenario.security().serviceAccountOfClient(client))
                  .build()));
    }
  }

  private HttpConnectionPool directConnections() {
    if (directConnections == null) {
      directConnections = new HttpConnectionPool(mesh.eventLoops(), Duration.ofSeconds(10));
    }
    return directConnections;
  }

  @Override
  public void apply(IstioSource source) {
    try {
      mesh.apply(source.yaml(), source.source());
    } catch (InvalidConfigException e) {
      throw new ScenarioAbortedException(e.getMessage(), Map.of(), e);
    }
  }

  @Override
  public void awaitSynced() {
    try {
      mesh.awaitSynced();
    } catch (XdsRejectedException e) {
      throw new ScenarioAbortedException(
          e.getMessage(), ScenarioOrchestrator.proxyLogAttachments(this), e);
    } catch (IllegalStateException e) {
      throw new ScenarioAbortedException(
          "proxies did not sync: " + e.getMessage(),
          ScenarioOrchestrator.proxyLogAttachments(this),
          e);
    }
  }

  /** An echo instance on {@code port} (0: an ephemeral one), seeded from the instance name. */
  private EchoServer startApp(String service, String version, String instance, int port) {
    return EchoServer.builder()
        .service(service)
        .version(version)
        .instance(instance)
        .port(port)
        .eventLoopGroup(mesh.eventLoops())
        .seed(seeds.instance(instance))
        .build()
        .start();
  }

  /**
   * Stops the instance's echo process abruptly (its sidecar's connections are refused) and starts a
   * fresh one on the same port with the same seed; the stopped process's journal is kept.
   */
  @Override
  public InstanceHandle instance(String instance) {
    EchoServer app =
        apps.stream()
            .filter(a -> a.instance().equals(instance))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "instance: "
                            + instance
                            + " (expected one of "
                            + apps.stream().map(EchoServer::instance).toList()
                            + ")"));
    int port = app.address().getPort();
    return InstanceHandle.of(
        instance,
        () -> {
          EchoServer running = running(instance);
          stoppedJournals.addAll(running.journal().entries());
          running.close();
        },
        () -> {
          EchoServer restarted = startApp(app.service(), app.version(), instance, port);
          synchronized (apps) {
            apps.set(apps.indexOf(running(instance)), restarted);
          }
        });
  }

  private EchoServer running(String instance) {
    synchronized (apps) {
      return apps.stream().filter(a -> a.instance().equals(instance)).findFirst().orElseThrow();
    }
  }

  @Override
  public List<ServiceTarget> instances(String service) {
    return apps.stream().filter(a -> a.service().equals(service)).map(ServiceTarget::of).toList();
  }

  @Override
  public List<ServiceTarget> instances(String service, String version) {
    return apps.stream()
        .filter(a -> a.service().equals(service) && a.version().equals(version))
        .map(ServiceTarget::of)
        .toList();
  }

  @Override
  public MeshConfigHandle meshConfig() {
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

  @Override
  public TrafficClient client(String client) {
    SidecarlessClient direct = withoutSidecar.get(client);
    if (direct != null) {
      return direct::send;
    }
    Workload workload = clients.get(client);
    if (workload == null) {
      throw new IllegalStateException(
          "client " + client + " is not deployed (deployed: " + clients.keySet() + ")");
    }
    return TrafficClient.of(workload.http()::send, workload.sidecar().outboundAddress());
  }

  @Override
  public List<JournalEntry> journal() {
    List<JournalEntry> entries = new java.util.ArrayList<>();
    entries.addAll(stoppedJournals);
    apps.forEach(app -> entries.addAll(app.journal().entries()));
    return entries;
  }

  @Override
  public Optional<List<Map<String, String>>> accessLog(String client) {
    return Optional.ofNullable(clients.get(client)).map(w -> w.sidecar().accessLogLines());
  }

  @Override
  public Map<String, Deployment.Instance> ownAppInstances() {
    return java.util.Collections.unmodifiableMap(ownInstances);
  }

  @Override
  public List<String> notSimulated() {
    return mesh.notSimulated();
  }

  @Override
  public Map<String, String> configDumps() {
    Map<String, String> dumps = new LinkedHashMap<>();
    for (Workload client : clients.values()) {
      dumps.put(client.name(), client.sidecar().configDump());
    }
    return dumps;
  }

  @Override
  public Map<String, String> proxyLogs() {
    Map<String, String> logs = new LinkedHashMap<>();
    for (Workload workload : mesh.workloads()) {
      String log = workload.sidecar().log();
      if (!log.isEmpty()) {
        logs.put(workload.name(), log);
      }
    }
    // The user's own apps' output sits beside the proxies' logs as evidence.
    logs.putAll(ownApps.logs());
    return logs;
  }

  @Override
  public void close() {
    try {
      // The apps share the mesh's event loops: stop them before the mesh shuts those down.
      apps.forEach(EchoServer::close);
      if (directConnections != null) {
        directConnections.close();
      }
    } finally {
      try {
        ownApps.close();
      } finally {
        mesh.close();
      }
    }
  }
}
