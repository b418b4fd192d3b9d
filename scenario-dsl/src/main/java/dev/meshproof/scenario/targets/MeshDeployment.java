package dev.meshproof.scenario.targets;

import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.MeshConfigHandle;
import dev.meshproof.chaos.ServiceTarget;
import dev.meshproof.chaos.network.ToxicProxy;
import dev.meshproof.common.RandomSource;
import dev.meshproof.fake.ProgrammableWorkload;
import dev.meshproof.fake.grpc.GrpcEchoServer;
import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.fake.journal.JournalEntry;
import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.Workload;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.envoy.ListenerPorts;
import dev.meshproof.runtime.transport.HttpConnectionPool;
import dev.meshproof.runtime.xds.XdsRejectedException;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.Seeds;
import dev.meshproof.scenario.ServiceSpec;
import dev.meshproof.scenario.chaos.Link;
import dev.meshproof.scenario.traffic.TrafficClient;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A scenario's topology on a {@link Mesh} on loopback: one echo workload per service instance
 * behind its sidecar, one client workload per client. The data plane decides what the sidecars are:
 * the embedded Netty sidecar or real Envoy processes. Everything runs in this JVM, but only
 * interface handles leave it.
 */
public final class MeshDeployment implements Deployment {
  private final Mesh mesh;
  private final List<ProgrammableWorkload> apps = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<JournalEntry> stoppedJournals =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private Seeds seeds;
  private final Map<String, Workload> clients = new LinkedHashMap<>();
  private final OwnApps ownApps = new OwnApps();

  /** Instances whose app is the user's own, by the inbound address other sidecars send to. */
  private final Map<String, Deployment.Instance> ownInstances = new LinkedHashMap<>();

  private final Map<String, SidecarlessClient> withoutSidecar = new LinkedHashMap<>();
  private HttpConnectionPool directConnections;

  /** Every service instance deployed, by instance (pod) name, in deployment order. */
  private final Map<String, Workload> serviceWorkloads = new LinkedHashMap<>();

  /**
   * The loopback port of each service instance's app (the app itself, not its sidecar or a toxic
   * proxy in front of it), by instance name: what {@code ${app.<instance>.port}} in Istio YAML
   * becomes.
   */
  private final Map<String, Integer> appPorts = new java.util.concurrent.ConcurrentHashMap<>();

  /** Toxic proxies between a sidecar and its app, by instance name. */
  private final Map<String, ToxicProxy> appProxies = new LinkedHashMap<>();

  /** Toxic proxies placed on each link of the chaos plan. */
  private final Map<Link, List<ToxicProxy>> linkProxies = new LinkedHashMap<>();

  private final List<ToxicProxy> toxicProxies = new ArrayList<>();
  private Scenario scenario;

  /**
   * How long a graceful stop waits for requests in flight, as Istio's default {@code
   * terminationDrainDuration} (5 s).
   */
  static final Duration DRAIN_DURATION = Duration.ofSeconds(5);

  /** A drained instance must see no new request for this long before it closes. */
  private static final Duration DRAIN_QUIET = Duration.ofMillis(300);

  /** TCP services' instances (Istio's tcp-echo server, each answering with its name). */
  private final List<dev.meshproof.fake.tcp.TcpEchoServer> tcpApps = new ArrayList<>();

  /** Instance name -> (service, version), for naming who answered a TCP connection. */
  private final Map<String, Map.Entry<String, String>> tcpInstances =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Runs the blocking TCP connections of TCP traffic; stopped on close. */
  private final java.util.concurrent.ExecutorService tcpConnections =
      java.util.concurrent.Executors.newCachedThreadPool(
          new java.util.concurrent.ThreadFactory() {
            private final java.util.concurrent.atomic.AtomicInteger n =
                new java.util.concurrent.atomic.AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
              Thread t = new Thread(r, "meshproof-tcp-client-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            }
          });

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
    this.scenario = scenario;
    scenario.security().proxyFiles().forEach(mesh::mountFile);
    List<Link> links = scenario.chaos().links();
    for (ServiceSpec service : scenario.services()) {
      for (String version : service.replicasByVersion().keySet()) {
        for (String instance : service.instanceNames(version)) {
          if (service.isTcp()) {
            deployTcpInstance(service, version, instance);
            continue;
          }
          if (service.app(version).isPresent()) {
            deployOwnInstance(service, version, instance);
            continue;
          }
          Workload workload = deployInstance(service, version, instance, links);
          if (scenario.security().tlsOf(service.name()).isPresent()) {
            // No sidecar in front of an app terminating TLS (inject: "false"): every sidecar's
            // endpoint for the instance is the app itself.
            mesh.routeLink(Optional.empty(), workload, running(instance).address());
          }
        }
      }
    }
    for (String client : scenario.clients()) {
      if (scenario.security().withoutSidecar(client)) {
        withoutSidecar.put(client, new SidecarlessClient(mesh, directConnections()));
        continue;
      }
      if (client.equals(Scenario.INGRESS_GATEWAY)) {
        clients.put(
            client,
            // Istio's demo-profile gateway: Service ports 80, 443, 31400, 15443 to its pod ports.
            mesh.deploy(WorkloadSpec.ingressGateway().build()));
        continue;
      }
      clients.put(
          client,
          mesh.deploy(
              located(WorkloadSpec.builder(client + "-0"), client, null)
                  .label("app", client)
                  .serviceAccount(scenario.security().serviceAccountOfClient(client))
                  .build()));
    }
    for (Link link : links) {
      linkProxies.put(link, new java.util.concurrent.CopyOnWriteArrayList<>(placeOn(link)));
    }
  }

  /**
   * {@code builder} with the pod label Istio reads a workload's locality from ({@code
   * topology.istio.io/locality}, {@code .}-separated as Kubernetes label values require), when the
   * scenario gives {@code workload} (a client, or a service's {@code version}) one.
   */
  private WorkloadSpec.Builder located(
      WorkloadSpec.Builder builder, String workload, String version) {
    scenario
        .localityOf(workload, version)
        .map(dev.meshproof.runtime.policy.lb.Locality::parse)
        .ifPresent(
            l -> builder.label(dev.meshproof.runtime.policy.lb.Locality.LABEL, l.labelValue()));
    return builder;
  }

  /**
   * Starts an instance's app and deploys its workload; with an app link on it, a toxic proxy sits
   * between the sidecar and the app (the sidecar's inbound cluster points at the proxy).
   */
  private Workload deployInstance(
      ServiceSpec service, String version, String instance, List<Link> links) {
    // Not an ephemeral port: a kill or drain closes the app and binds it again on its port, which
    // an outgoing connection of the loaded machine could otherwise take meanwhile.
    boolean multiPort = !service.morePorts().isEmpty();
    ProgrammableWorkload app =
        startApp(
            service.name(),
            version,
            instance,
            LoopbackPorts.forRebinding(),
            grpc(service),
            multiPort ? service.port() : 0);
    synchronized (apps) {
      apps.add(app);
    }
    // A Service with several HTTP ports: one HTTP echo per further port, each naming its port in
    // x-echo-port, as the first does (tcp-echo's "<instance>:<port>" for TCP).
    List<InetSocketAddress> moreAddresses = new ArrayList<>();
    for (ServiceSpec.Port port : service.morePorts()) {
      ProgrammableWorkload more =
          startApp(
              service.name(), version, instance, LoopbackPorts.forRebinding(), false, port.port());
      synchronized (apps) {
        apps.add(more);
      }
      moreAddresses.add(more.address());
    }
    InetSocketAddress served = app.address();
    appPorts.put(instance, served.getPort());
    boolean appLink =
        links.stream()
            .anyMatch(
                l -> l.hop() == Link.Hop.APP && l.to().selects(service.name(), version, instance));
    if (appLink) {
      ToxicProxy proxy = toxicProxy(instance + " sidecar -> app", app.address());
      appProxies.put(instance, proxy);
      served = proxy.address();
    }
    WorkloadSpec.Builder spec =
        located(WorkloadSpec.builder(instance), service.name(), version)
            .label("version", version)
            .serviceAccount(serviceAccount(scenario, service, version))
            .serves(service.name(), service.port(), served)
            .portName(service.portName());
    for (int i = 0; i < service.morePorts().size(); i++) {
      ServiceSpec.Port port = service.morePorts().get(i);
      spec.alsoServes(port.name(), port.port(), moreAddresses.get(i));
    }
    Workload workload = mesh.deploy(spec.build());
    serviceWorkloads.put(instance, workload);
    return workload;
  }

  /** One toxic proxy per selected instance on {@code link}, wired in at the endpoint level. */
  private List<ToxicProxy> placeOn(Link link) {
    return placeOn(link, serviceWorkloads.keySet());
  }

  /** As {@link #placeOn(Link)}, for the selected ones of {@code instances} only. */
  private List<ToxicProxy> placeOn(Link link, java.util.Collection<String> instances) {
    List<ToxicProxy> proxies = new ArrayList<>();
    for (Map.Entry<String, Workload> e : serviceWorkloads.entrySet()) {
      if (!instances.contains(e.getKey())) {
        continue;
      }
      Workload callee = e.getValue();
      String version = callee.spec().labels().get("version");
      if (!link.to().selects(callee.spec().service().orElseThrow(), version, e.getKey())) {
        continue;
      }
      if (link.hop() == Link.Hop.APP) {
        proxies.add(appProxies.get(e.getKey()));
        continue;
      }
      ToxicProxy proxy =
          toxicProxy(
              link.from().orElse("every caller") + " -> " + e.getKey(),
              callee.sidecar().inboundAddress().orElseThrow());
      SidecarlessClient direct = link.from().map(withoutSidecar::get).orElse(null);
      if (direct != null) {
        // No sidecar, no EDS to reroute: the client connects through the proxy itself.
        direct.routeLink(callee.sidecar().inboundAddress().orElseThrow(), proxy.address());
      } else {
        mesh.routeLink(link.from().map(clients::get), callee, proxy.address());
        if (link.from().isEmpty()) {
          // "Every caller" includes the callers without a sidecar.
          withoutSidecar
              .values()
              .forEach(
                  c ->
                      c.routeLink(
                          callee.sidecar().inboundAddress().orElseThrow(), proxy.address()));
        }
      }
      proxies.add(proxy);
    }
    return List.copyOf(proxies);
  }

  private ToxicProxy toxicProxy(String name, InetSocketAddress upstream) {
    ToxicProxy proxy =
        ToxicProxy.builder()
            .name(name)
            .upstream(upstream)
            // A partition re-binds this port when it ends: keep it out of the ephemeral range.
            .port(LoopbackPorts.forRebinding())
            .eventLoopGroup(mesh.eventLoops())
            .random(RandomSource.seeded(seeds.instance("toxic " + name)))
            .build()
            .start();
    toxicProxies.add(proxy);
    return proxy;
  }

  /**
   * A TCP service instance: Istio's tcp-echo server answering with the instance name, behind a
   * sidecar whose service port is TCP (a port Istio would see named {@code tcp}).
   */
  /**
   * Deploys an instance whose app is the user's own server (started by them, or a command the mesh
   * starts): its requests are attributed by the client sidecar's upstream host, since the app does
   * not say who it is.
   */
  private void deployOwnInstance(ServiceSpec service, String version, String instance) {
    java.net.InetSocketAddress address =
        ownApps.start(service.app(version).get(), service.name(), version, instance);
    appPorts.put(instance, address.getPort());
    Workload workload =
        mesh.deploy(
            located(WorkloadSpec.builder(instance), service.name(), version)
                .label("version", version)
                .serviceAccount(serviceAccount(scenario, service, version))
                .serves(service.name(), service.port(), address)
                .portName(service.portName())
                .build());
    serviceWorkloads.put(instance, workload);
    workload
        .sidecar()
        .inboundAddress()
        .ifPresent(
            inbound ->
                ownInstances.put(
                    "127.0.0.1:" + inbound.getPort(),
                    new Deployment.Instance(service.name(), version, instance)));
  }

  private void deployTcpInstance(ServiceSpec service, String version, String instance) {
    // Istio's tcp-echo server listens on every port it is given ("9000,9001,9002"): one echo per
    // Service port here. With several ports each answers "<instance>:<port>", so a connection's
    // echo says which of the pod's ports the mesh delivered it to.
    boolean multiPort = !service.morePorts().isEmpty();
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (ServiceSpec.Port port : service.ports()) {
      dev.meshproof.fake.tcp.TcpEchoServer app =
          dev.meshproof.fake.tcp.TcpEchoServer.builder()
              .service(service.name())
              .version(version)
              .instance(instance)
              .prefix(
                  multiPort
                      ? dev.meshproof.scenario.traffic.TcpTrafficClient.portPrefix(
                          instance, port.port())
                      : instance)
              .eventLoopGroup(mesh.eventLoops())
              .seed(seeds.instance(multiPort ? instance + ":" + port.port() : instance))
              .build()
              .start();
      tcpApps.add(app);
      addresses.add(app.address());
    }
    appPorts.put(instance, addresses.get(0).getPort());
    tcpInstances.put(instance, Map.entry(service.name(), version));
    WorkloadSpec.Builder spec =
        located(WorkloadSpec.builder(instance), service.name(), version)
            .label("version", version)
            .serviceAccount(serviceAccount(scenario, service, version))
            .serves(service.name(), service.port(), addresses.get(0))
            // One port: named tcp, as before; several: their own names, which must differ.
            .portName(multiPort ? service.portName() : "tcp");
    for (int i = 0; i < service.morePorts().size(); i++) {
      ServiceSpec.Port port = service.morePorts().get(i);
      spec.alsoServes(port.name(), port.port(), addresses.get(i + 1));
    }
    mesh.deploy(spec.build());
  }

  private HttpConnectionPool directConnections() {
    if (directConnections == null) {
      directConnections = new HttpConnectionPool(mesh.eventLoops(), Duration.ofSeconds(10));
    }
    return directConnections;
  }

  /**
   * The service account of a version's pods: the scenario's own ({@code serviceAccount(..)}) when
   * it names one, else the one its Kubernetes manifests give ({@code serviceAccountName}), else
   * {@code default}.
   */
  private static String serviceAccount(Scenario scenario, ServiceSpec service, String version) {
    String named = scenario.security().serviceAccountOf(service.name(), version);
    return named.equals("default") ? service.serviceAccount(version) : named;
  }

  @Override
  public void apply(IstioSource source) {
    try {
      IstioSource resolved = withAppPorts(source);
      mesh.apply(resolved.yaml(), resolved.source());
    } catch (IllegalArgumentException e) {
      throw new ScenarioAbortedException(e.getMessage(), Map.of(), e);
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

  /** Whether a service's instances are gRPC echo workloads: its port is a GRPC port. */
  private static boolean grpc(ServiceSpec service) {
    return service.protocol() == dev.meshproof.runtime.registry.ServiceProtocol.GRPC;
  }

  /**
   * An echo instance on {@code port} (0: an ephemeral one), seeded from the instance name: the gRPC
   * echo for a GRPC port, else the HTTP echo (which also serves h2c, for HTTP2 ports).
   */
  private ProgrammableWorkload startApp(
      String service, String version, String instance, int port, boolean grpc) {
    return startApp(service, version, instance, port, grpc, 0);
  }

  /**
   * As {@link #startApp(String, String, String, int, boolean)}; an HTTP echo of a pod serving
   * several Service ports names {@code servicePort} (when not 0) in {@code x-echo-port}.
   */
  private ProgrammableWorkload startApp(
      String service, String version, String instance, int port, boolean grpc, int servicePort) {
    if (grpc) {
      // gRPC runs its own (shaded) event loops: it cannot share the mesh's.
      return GrpcEchoServer.builder()
          .service(service)
          .version(version)
          .instance(instance)
          .port(port)
          .seed(seeds.instance(instance))
          .build()
          .start();
    }
    EchoServer.Builder echo =
        EchoServer.builder()
            .service(service)
            .version(version)
            .instance(instance)
            .port(port)
            .eventLoopGroup(mesh.eventLoops())
            .seed(seeds.instance(servicePort == 0 ? instance : instance + ":" + servicePort));
    if (servicePort != 0) {
      echo.servicePort(servicePort);
    }
    scenario.security().tlsOf(service).ifPresent(echo::tls);
    return echo.build().start();
  }

  /**
   * Stops the instance's echo process abruptly (its sidecar's connections are refused) and starts a
   * fresh one on the same port with the same seed; the stopped process's journal is kept.
   */
  @Override
  public InstanceHandle instance(String instance) {
    requireSinglePort(instance);
    ProgrammableWorkload app =
        apps.stream()
            .filter(a -> a.instance().equals(instance))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "instance: "
                            + instance
                            + " (expected one of "
                            + apps.stream().map(ProgrammableWorkload::instance).toList()
                            + ")"));
    int port = app.address().getPort();
    // While stopped, the port stays bound without a listener: refused as a dead process's port is,
    // and no other run's port reservation can take it before the restart binds it again.
    AtomicReference<Closeable> portHold = new AtomicReference<>();
    return InstanceHandle.of(
        instance,
        () -> {
          ProgrammableWorkload running = running(instance);
          stoppedJournals.addAll(running.journal().entries());
          running.close();
          closedApps.add(instance);
          try {
            // Returns once the closed app's socket is gone: only then are connections refused.
            portHold.set(ListenerPorts.hold(port, Duration.ofSeconds(5)));
          } catch (IOException e) {
            throw new IllegalStateException(
                "instance " + instance + ": port " + port + " still listened on after stop", e);
          }
        },
        () -> {
          Closeable hold = portHold.getAndSet(null);
          if (hold != null) {
            try {
              hold.close();
            } catch (IOException ignored) {
              // Closing an unconnected socket: nothing to report.
            }
          }
          ProgrammableWorkload restarted =
              startApp(app.service(), app.version(), instance, port, app instanceof GrpcEchoServer);
          synchronized (apps) {
            apps.set(apps.indexOf(running(instance)), restarted);
          }
          closedApps.remove(instance);
        });
  }

  private ProgrammableWorkload running(String instance) {
    synchronized (apps) {
      return apps.stream().filter(a -> a.instance().equals(instance)).findFirst().orElseThrow();
    }
  }

  @Override
  public List<ToxicProxy> link(Link link) {
    List<ToxicProxy> proxies = linkProxies.get(link);
    if (proxies == null) {
      throw new IllegalStateException(
          "link " + link + ": no toxic proxy was placed on it when the topology was deployed");
    }
    // A live view: instances a scale-up adds later join the link.
    return java.util.Collections.unmodifiableList(proxies);
  }

  /**
   * A graceful stop, as a pod's termination: the instance turns not ready and the control plane
   * pushes every caller's EDS without it; once every proxy ACKed, the app finishes what is in
   * flight (at most {@link #DRAIN_DURATION}) and closes. Start brings it back on its address and
   * ready.
   */
  @Override
  public InstanceHandle drain(String instance) {
    requireSinglePort(instance);
    Workload workload = serviceWorkloads.get(instance);
    if (workload == null) {
      throw new IllegalArgumentException(
          "instance: " + instance + " (expected one of " + serviceWorkloads.keySet() + ")");
    }
    return InstanceHandle.of(instance, () -> drainNow(instance), () -> startAndReady(instance));
  }

  /**
   * Stopping, draining or restarting an instance of a multi-port service would have to do it on
   * every port's app at once: not supported yet, so said instead of half done.
   */
  private void requireSinglePort(String instance) {
    Workload workload = serviceWorkloads.get(instance);
    if (workload != null && workload.spec().servicePorts().size() > 1) {
      throw new IllegalArgumentException(
          "instance: "
              + instance
              + " serves ports "
              + workload.spec().servicePorts().stream().map(WorkloadSpec.ServicePort::port).toList()
              + " (expected: an instance of a single-port service; stopping or draining a"
              + " multi-port instance is not supported yet)");
    }
  }

  private void drainNow(String instance) {
    Workload workload = serviceWorkloads.get(instance);
    mesh.setReady(workload, false);
    awaitSynced();
    ProgrammableWorkload app = running(instance);
    long deadline = System.nanoTime() + DRAIN_DURATION.toNanos();
    int seen = app.journal().entries().size();
    long quietSince = System.nanoTime();
    while (System.nanoTime() - deadline < 0) {
      int now = app.journal().entries().size();
      if (now != seen) {
        seen = now;
        quietSince = System.nanoTime();
      }
      // The gRPC echo does not count its in-flight calls: for it the drain waits for quiet alone.
      int inFlight = app instanceof EchoServer echo ? echo.inFlight() : 0;
      if (inFlight == 0 && System.nanoTime() - quietSince >= DRAIN_QUIET.toNanos()) {
        break;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
    stoppedJournals.addAll(app.journal().entries());
    app.close();
    closedApps.add(instance);
  }

  private void startAndReady(String instance) {
    ProgrammableWorkload stopped = running(instance);
    ProgrammableWorkload restarted =
        startApp(
            stopped.service(),
            stopped.version(),
            instance,
            stopped.address().getPort(),
            stopped instanceof GrpcEchoServer);
    synchronized (apps) {
      apps.set(apps.indexOf(stopped), restarted);
    }
    closedApps.remove(instance);
    mesh.setReady(serviceWorkloads.get(instance), true);
    awaitSynced();
  }

  /**
   * One instance's readiness: stop turns it not ready as a failing probe does (the echo's probe
   * answers 503, with {@code status} every request too) and pushes every caller's EDS without it,
   * returning once every proxy ACKed; start answers normally again, then pushes it back. The
   * endpoint leaves EDS before the instance fails and returns only after it recovered, so a request
   * routed by the mesh never meets the failing instance.
   */
  @Override
  public InstanceHandle readiness(
      String instance, Optional<dev.meshproof.fake.behavior.StatusMix> status) {
    Workload workload = serviceWorkloads.get(instance);
    if (workload == null) {
      throw new IllegalArgumentException(
          "instance: " + instance + " (expected one of " + serviceWorkloads.keySet() + ")");
    }
    dev.meshproof.fake.behavior.Behavior[] before = new dev.meshproof.fake.behavior.Behavior[1];
    return InstanceHandle.of(
        instance,
        () -> {
          mesh.setReady(serviceWorkloads.get(instance), false);
          awaitSynced();
          apps.stream()
              .filter(a -> a.instance().equals(instance))
              .findFirst()
              .ifPresent(
                  app ->
                      app.behavior()
                          .update(
                              current -> {
                                before[0] = current;
                                var notReady = current.toBuilder().ready(false);
                                status.ifPresent(s -> notReady.errorRate(1.0).errorStatuses(s));
                                return notReady.build();
                              }));
        },
        () -> {
          apps.stream()
              .filter(a -> a.instance().equals(instance))
              .findFirst()
              .ifPresent(
                  app -> {
                    if (before[0] != null) {
                      app.behavior().set(before[0]);
                    }
                  });
          mesh.setReady(serviceWorkloads.get(instance), true);
          awaitSynced();
        });
  }

  /**
   * A scale change: stop scales {@code service}'s {@code version} to {@code replicas} (new
   * instances deployed and ready, surplus ones drained), start returns it to the replicas the
   * topology declared. New instances get toxic proxies on the plan's links that select them; a
   * network fault already in force when they appear covers them from its next injection.
   */
  @Override
  public InstanceHandle scale(String service, String version, int replicas) {
    ServiceSpec spec =
        scenario.services().stream()
            .filter(s -> s.name().equals(service))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("service: " + service));
    int declared = spec.replicasByVersion().getOrDefault(version, 0);
    return InstanceHandle.of(
        service + "-" + version,
        () -> scaleTo(spec, version, replicas),
        () -> scaleTo(spec, version, declared));
  }

  private synchronized void scaleTo(ServiceSpec service, String version, int replicas) {
    List<String> drain = new ArrayList<>();
    for (int i = 0; ; i++) {
      String instance = service.name() + "-" + version + "-" + i;
      boolean deployed = serviceWorkloads.containsKey(instance);
      if (i >= replicas && !deployed) {
        break;
      }
      if (i < replicas) {
        if (!deployed) {
          // The plan's links reach the new instance too: its app link at deploy, then a proxy on
          // each sidecar link that selects it (a fault injected from now on covers it).
          deployInstance(service, version, instance, scenario.chaos().links());
          linkProxies.forEach((link, proxies) -> proxies.addAll(placeOn(link, List.of(instance))));
        } else if (!runningNow(instance)) {
          ProgrammableWorkload stopped = running(instance);
          ProgrammableWorkload restarted =
              startApp(
                  service.name(), version, instance, stopped.address().getPort(), grpc(service));
          synchronized (apps) {
            apps.set(apps.indexOf(stopped), restarted);
          }
          closedApps.remove(instance);
          mesh.setReady(serviceWorkloads.get(instance), true);
        }
      } else if (runningNow(instance)) {
        drain.add(instance);
      }
    }
    awaitSynced();
    drain.forEach(this::drainNow);
  }

  private final java.util.Set<String> closedApps =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private boolean runningNow(String instance) {
    return !closedApps.contains(instance);
  }

  @Override
  public List<ServiceTarget> instances(String service) {
    return apps.stream()
        .filter(a -> a.service().equals(service))
        .map(MeshDeployment::target)
        .toList();
  }

  @Override
  public List<ServiceTarget> instances(String service, String version) {
    return apps.stream()
        .filter(a -> a.service().equals(service) && a.version().equals(version))
        .map(MeshDeployment::target)
        .toList();
  }

  private static ServiceTarget target(ProgrammableWorkload app) {
    return new ServiceTarget(app.instance(), app.behavior());
  }

  @Override
  public MeshConfigHandle meshConfig() {
    // Chaos faults and rollbacks apply Istio YAML too: their ${app.<instance>.port} is filled in
    // as for the scenario's own files.
    MeshConfigHandle applied = MeshConfigHandle.of(mesh);
    return new MeshConfigHandle() {
      @Override
      public void apply(String yaml, String source) {
        IstioSource resolved = withAppPorts(new IstioSource(source, yaml));
        applied.apply(resolved.yaml(), resolved.source());
      }

      @Override
      public void awaitSynced() {
        applied.awaitSynced();
      }
    };
  }

  /** {@code source} with each {@code ${app.<instance>.port}} replaced by that app's port. */
  private IstioSource withAppPorts(IstioSource source) {
    return source.withAppPorts(
        instance ->
            appPorts.containsKey(instance)
                ? java.util.OptionalInt.of(appPorts.get(instance))
                : java.util.OptionalInt.empty());
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
      // Without a sidecar a tcp:// URL connects straight to an instance's inbound listener.
      TrafficClient tcpDirect =
          new dev.meshproof.scenario.traffic.TcpTrafficClient(
              (host, port) -> direct.tcpAddress(host),
              instance -> Optional.ofNullable(tcpInstances.get(instance)),
              tcpConnections);
      return request ->
          "tcp".equals(request.url().getScheme()) ? tcpDirect.send(request) : direct.send(request);
    }
    Workload workload = clients.get(client);
    if (workload == null) {
      throw new IllegalStateException(
          "client " + client + " is not deployed (deployed: " + clients.keySet() + ")");
    }
    if (workload.spec().isGateway()) {
      // From outside the mesh: through the gateway's Service port the URL names (80 when none) to
      // the pod port behind it; a tcp:// URL connects there, whatever its host.
      TrafficClient tcpIngress =
          new dev.meshproof.scenario.traffic.TcpTrafficClient(
              (host, port) -> workload.ingressAddress(port),
              instance -> Optional.ofNullable(tcpInstances.get(instance)),
              tcpConnections);
      return request -> {
        if ("tcp".equals(request.url().getScheme())) {
          return tcpIngress.send(request);
        }
        return workload.ingress(request.port()).send(request);
      };
    }
    TrafficClient tcp =
        new dev.meshproof.scenario.traffic.TcpTrafficClient(
            (host, port) -> mesh.tcpAddress(workload, host, port),
            instance -> Optional.ofNullable(tcpInstances.get(instance)),
            tcpConnections);
    return TrafficClient.of(
        request ->
            "tcp".equals(request.url().getScheme())
                ? tcp.send(request)
                : workload.http().send(request),
        port -> mesh.httpAddress(workload, port));
  }

  @Override
  public List<JournalEntry> journal() {
    List<JournalEntry> entries = new java.util.ArrayList<>();
    entries.addAll(stoppedJournals);
    apps.stream()
        .filter(app -> !closedApps.contains(app.instance()))
        .forEach(app -> entries.addAll(app.journal().entries()));
    tcpApps.forEach(app -> entries.addAll(app.journal().entries()));
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
  public Map<String, String> accessLogTexts() {
    Map<String, String> texts = new LinkedHashMap<>();
    for (Workload workload : mesh.workloads()) {
      List<String> lines = workload.sidecar().accessLogText();
      if (!lines.isEmpty()) {
        texts.put(workload.name(), String.join("\n", lines));
      }
    }
    return texts;
  }

  @Override
  public Map<String, dev.meshproof.scenario.traffic.ProxyMetrics> proxyMetrics() {
    Map<String, dev.meshproof.scenario.traffic.ProxyMetrics> metrics = new LinkedHashMap<>();
    java.net.http.HttpClient http = dev.meshproof.common.LoopbackHttp.client();
    for (Workload workload : mesh.workloads()) {
      Optional<InetSocketAddress> admin = workload.sidecar().adminAddress();
      if (admin.isEmpty()) {
        continue;
      }
      metrics.put(
          workload.name(),
          new dev.meshproof.scenario.traffic.ProxyMetrics(
              admin(http, admin.get(), "/stats/prometheus"),
              dev.meshproof.scenario.traffic.ProxyMetrics.parseStats(
                  admin(http, admin.get(), "/stats"))));
    }
    return metrics;
  }

  private static String admin(java.net.http.HttpClient http, InetSocketAddress admin, String path) {
    try {
      java.net.http.HttpResponse<String> response =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(
                          "http://" + admin.getHostString() + ":" + admin.getPort() + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "admin " + path + " at " + admin + " answered " + response.statusCode());
      }
      return response.body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("admin " + path + " at " + admin, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading admin " + path + " at " + admin, e);
    }
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
      // The apps and toxic proxies share the mesh's event loops: stop them before the mesh shuts
      // those down.
      toxicProxies.forEach(ToxicProxy::close);
      apps.forEach(ProgrammableWorkload::close);
      tcpApps.forEach(dev.meshproof.fake.tcp.TcpEchoServer::close);
      if (directConnections != null) {
        directConnections.close();
      }
    } finally {
      tcpConnections.shutdownNow();
      try {
        ownApps.close();
      } finally {
        mesh.close();
      }
    }
  }
}
