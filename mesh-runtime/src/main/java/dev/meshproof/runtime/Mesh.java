package dev.meshproof.runtime;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.client.MeshHttpClient;
import dev.meshproof.runtime.config.ConfigProblem;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioResource;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.NotSimulatedResource;
import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.runtime.config.PeerAuthentication;
import dev.meshproof.runtime.config.Sidecar;
import dev.meshproof.runtime.registry.ServiceEntryInstances;
import dev.meshproof.runtime.registry.ServiceInstance;
import dev.meshproof.runtime.registry.ServiceRegistry;
import dev.meshproof.runtime.security.MeshSecurity;
import dev.meshproof.runtime.security.WorkloadCertificates;
import dev.meshproof.runtime.transport.HttpConnectionPool;
import dev.meshproof.runtime.xds.ControlPlane;
import dev.meshproof.runtime.xds.ProxyIdentity;
import dev.meshproof.runtime.xds.ProxyNode;
import dev.meshproof.runtime.xds.ProxyStatus;
import dev.meshproof.runtime.xds.PushDebounce;
import dev.meshproof.runtime.xds.SidecarScope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A service mesh on loopback: a control plane that takes Istio YAML and serves Envoy v3 xDS over
 * ADS, and one sidecar per deployed workload, run by the chosen {@link DataPlane}. Everything binds
 * 127.0.0.1 on ephemeral ports; {@link #close()} stops every proxy, server and event loop.
 *
 * <pre>{@code
 * try (Mesh mesh = Mesh.builder().seed(42).istioVersion(IstioVersion.of("1.28")).start()) {
 *   mesh.deploy(WorkloadSpec.builder("catalog-v1-0").label("version", "v1").serves("catalog", 80, app).build());
 *   Workload client = mesh.deploy(WorkloadSpec.builder("client-0").build());
 *   mesh.apply(virtualServiceYaml, "catalog-vs.yaml");
 *   mesh.awaitSynced();
 *   HttpOutcome outcome = client.http().get("http://catalog/").join();
 * }
 * }</pre>
 */
public final class Mesh implements AutoCloseable {
  private final long seed;
  private final IstioVersionProfile istio;
  private final OutboundTrafficPolicy outboundTrafficPolicy;
  private final RandomSource random;
  private final DataPlane dataPlane;
  private final Duration syncTimeout;
  private final EventLoopGroup eventLoops;
  private final HttpConnectionPool appConnections;
  private ControlPlane controlPlane;
  private boolean controlPlaneRunning = true;
  private final PushDebounce pushDebounce;
  private final ConfigStore config = new ConfigStore();
  private final ServiceRegistry registry = new ServiceRegistry();
  private final Map<String, Workload> workloads = new LinkedHashMap<>();
  private final Optional<WorkloadCertificates> certificates;
  private final Optional<java.util.concurrent.ScheduledExecutorService> rotation;
  private boolean closed;

  private Mesh(Builder builder) {
    this.certificates =
        builder.security.map(s -> WorkloadCertificates.create(s, java.time.Clock.systemUTC()));
    this.seed = builder.seed;
    this.istio =
        IstioVersionProfile.of(
            builder.istioVersion,
            builder.compatibilityVersion == null
                ? builder.istioVersion
                : builder.compatibilityVersion);
    this.outboundTrafficPolicy = builder.outboundTrafficPolicy;
    this.random = RandomSource.seeded(seed);
    this.dataPlane = builder.dataPlane;
    this.syncTimeout = builder.syncTimeout;
    this.pushDebounce = builder.pushDebounce;
    this.eventLoops =
        new MultiThreadIoEventLoopGroup(builder.eventLoopThreads, NioIoHandler.newFactory());
    this.appConnections = new HttpConnectionPool(eventLoops, Duration.ofSeconds(10));
    ControlPlane started;
    try {
      started =
          ControlPlane.start(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
              istio,
              certificates,
              builder.pushDebounce,
              outboundTrafficPolicy);
    } catch (RuntimeException e) {
      eventLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
    this.controlPlane = started;
    this.rotation = certificates.map(c -> startRotation(c.settings().workloadCertTtl()));
  }

  /**
   * istio-agent rotates a workload certificate by itself once half its lifetime has passed: the
   * mesh looks every eighth of the TTL (between 250 ms and a minute) and pushes when one is due, so
   * the push re-issues it and delivers the new {@code default} secret.
   */
  private java.util.concurrent.ScheduledExecutorService startRotation(Duration ttl) {
    java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mesh-certificate-rotation");
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(250, Math.min(Duration.ofMinutes(1).toMillis(), ttl.toMillis() / 8));
    timer.scheduleWithFixedDelay(this::pushIfRotationDue, period, period, TimeUnit.MILLISECONDS);
    return timer;
  }

  private synchronized void pushIfRotationDue() {
    if (!closed && certificates.orElseThrow().rotationDue()) {
      pushIfRunning();
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The seed every random decision of this mesh derives from; print it to replay a run. */
  public long seed() {
    return seed;
  }

  /**
   * The Istio release this mesh emulates and its defaults; proxies report its version, and fake
   * services may key version-dependent behaviour on it.
   */
  public IstioVersionProfile istio() {
    return istio;
  }

  public DataPlane dataPlane() {
    return dataPlane;
  }

  /** The mesh's event loops, which fake services may share to keep thread counts low. */
  public EventLoopGroup eventLoops() {
    return eventLoops;
  }

  public synchronized ControlPlane controlPlane() {
    return controlPlane;
  }

  /**
   * Takes the control plane down, as when istiod is unavailable: proxies keep serving the last
   * configuration they accepted; configuration applied meanwhile reaches them only after {@link
   * #startControlPlane()}.
   */
  public synchronized void stopControlPlane() {
    if (controlPlaneRunning) {
      controlPlane.close();
      controlPlaneRunning = false;
    }
  }

  /**
   * Brings the control plane back on the same address with the current configuration and registry;
   * proxies reconnect and resync ({@link #awaitSynced()} waits for it).
   */
  public synchronized void startControlPlane() {
    if (controlPlaneRunning) {
      return;
    }
    ControlPlane restarted =
        ControlPlane.start(
            controlPlane.address(), istio, certificates, pushDebounce, outboundTrafficPolicy);
    restarted.mountFiles(controlPlane.files());
    controlPlane
        .registeredProxies()
        .forEach(
            p -> restarted.register(p, controlPlane.serviceAccountOf(p.namespace(), p.workload())));
    controlPlane = restarted;
    controlPlaneRunning = true;
    controlPlane.push(config, registry);
  }

  /** Starts the workload's sidecar, registers it and its service instance, and pushes config. */
  public synchronized Workload deploy(WorkloadSpec spec) {
    if (workloads.containsKey(spec.namespace() + "/" + spec.name())) {
      throw new IllegalArgumentException(
          "workload " + spec.namespace() + "/" + spec.name() + " is already deployed");
    }
    ProxyIdentity identity =
        spec.isGateway()
            ? ProxyIdentity.router(spec.name(), spec.namespace(), spec.labels(), istio.version())
            : ProxyIdentity.sidecar(spec.name(), spec.namespace(), spec.labels(), istio.version());
    String proxyId = identity.id();
    SidecarProxy sidecar =
        dataPlane.startSidecar(
            new SidecarRequest(
                proxyId,
                spec.name(),
                spec.namespace(),
                spec.labels(),
                spec.servicePorts().stream().map(WorkloadSpec.ServicePort::port).toList(),
                controlPlane.address(),
                eventLoops,
                random.fork(proxyId),
                istio.version(),
                spec.gatewayPorts()));
    // One inbound listener, cluster and registry instance per Service port, as istiod gives a pod
    // one ServiceInstance per port of each Service that selects it.
    List<WorkloadSpec.ServicePort> ports = spec.servicePorts();
    List<ProxyNode.Inbound> inbounds = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      WorkloadSpec.ServicePort port = ports.get(i);
      inbounds.add(
          new ProxyNode.Inbound(
              port.port(),
              java.util.Objects.requireNonNull(
                  sidecar.inboundAddresses().get(port.port()),
                  () -> "no inbound listener for port " + port.port() + " on " + proxyId),
              port.app(),
              dev.meshproof.runtime.xds.XdsNames.inboundListener(i, port.port())));
    }
    controlPlane.register(
        new ProxyNode(
            identity,
            sidecar.outboundAddress(),
            inbounds,
            SidecarScope.forProxy(
                spec.namespace(),
                spec.labels(),
                config.resourcesInCreationOrder(IstioKinds.SIDECAR)),
            sidecar.gatewayAddresses(),
            Map.of(),
            spec.gatewayServicePorts()),
        spec.serviceAccount());
    for (int i = 0; i < inbounds.size(); i++) {
      ProxyNode.Inbound in = inbounds.get(i);
      registry.add(
          new ServiceInstance(
              spec.name(),
              spec.service().orElseThrow(),
              spec.namespace(),
              spec.labels(),
              in.servicePort(),
              in.listener(),
              dev.meshproof.runtime.registry.Hostnames.fqdn(
                  spec.service().orElseThrow(), spec.namespace()),
              ports.get(i).protocol(),
              spec.exportTo()));
    }
    Map<Integer, MeshHttpClient> gatewayClients = new java.util.TreeMap<>();
    sidecar
        .gatewayAddresses()
        .forEach(
            (port, address) ->
                gatewayClients.put(port, new MeshHttpClient(appConnections, address)));
    Workload workload =
        new Workload(
            spec,
            sidecar,
            new MeshHttpClient(appConnections, port -> httpAddress(proxyId, sidecar, port)),
            gatewayClients);
    workloads.put(spec.namespace() + "/" + spec.name(), workload);
    pushIfRunning();
    return workload;
  }

  /**
   * Marks a deployed service instance ready or not ready, as its readiness probe would: a not-ready
   * instance is left out of every proxy's EDS (its service stays), and the change is pushed through
   * the control plane. {@link #awaitSynced()} waits until every proxy has it.
   *
   * @throws IllegalArgumentException when {@code workload} serves no service here
   */
  public synchronized void setReady(Workload workload, boolean ready) {
    registry.setReady(workload.spec().namespace(), workload.name(), ready);
    pushIfRunning();
  }

  /**
   * Reroutes a link at the endpoint level: what {@code caller}'s sidecar (or every sidecar, when
   * empty) sends to {@code callee}'s instance goes to {@code via} instead, e.g. a toxic proxy that
   * relays to the callee's sidecar. The translation is unchanged; only the endpoint in EDS differs,
   * so one mechanism serves every data plane.
   *
   * @throws IllegalArgumentException when {@code callee} serves no service
   */
  public synchronized void routeLink(
      Optional<Workload> caller, Workload callee, InetSocketAddress via) {
    if (callee.spec().service().isEmpty()) {
      throw new IllegalArgumentException(
          "callee: " + callee.name() + " serves no service (expected: a service instance)");
    }
    registry.routeLink(
        caller.map(c -> c.spec().namespace() + "/" + c.name()),
        callee.spec().namespace() + "/" + callee.name(),
        via);
    pushIfRunning();
  }

  /**
   * Where {@code from}'s app connects for an HTTP request to port {@code port}: its sidecar's
   * outbound listener of that port ({@code 0.0.0.0_<port>}) when an HTTP service it sees has the
   * port, else its {@code virtualOutbound} listener, as iptables hands a connection to the listener
   * of its original destination port.
   */
  public InetSocketAddress httpAddress(Workload from, int port) {
    return httpAddress(from.sidecar().proxyId(), from.sidecar(), port);
  }

  private InetSocketAddress httpAddress(String proxyId, SidecarProxy sidecar, int port) {
    return controlPlane.httpOutboundAddress(proxyId, port).orElseGet(sidecar::outboundAddress);
  }

  /**
   * Where {@code from}'s app connects to reach the TCP service port {@code host:port} ({@code host}
   * short or qualified, relative to the workload's namespace): its sidecar's outbound TCP listener
   * for that port, which stands in for the iptables capture of a connection to the service's VIP.
   *
   * @throws IllegalArgumentException when no TCP service port {@code host:port} is deployed
   */
  public synchronized InetSocketAddress tcpAddress(Workload from, String host, int port) {
    String fqdn = dev.meshproof.runtime.registry.Hostnames.resolve(host, from.spec().namespace());
    return controlPlane
        .tcpOutboundAddress(from.sidecar().proxyId(), fqdn, port)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no TCP service port "
                        + fqdn
                        + ":"
                        + port
                        + " (expected a service deployed with protocol TCP on that port)"));
  }

  /**
   * Applies Istio YAML (one or more documents) as {@code kubectl apply} would, and pushes the
   * result to every proxy. Resources without a namespace land in {@code default}.
   *
   * @param source names the YAML in error messages (a file name, or a label for inline text)
   * @throws dev.meshproof.runtime.config.InvalidConfigException with file, line, field and what is
   *     allowed, for every problem found; nothing is applied then
   */
  public synchronized List<IstioResource> apply(String yaml, String source) {
    List<IstioResource> parsed = IstioYamlParser.parse(yaml, source, "default");
    List<ConfigProblem> topology =
        parsed.stream()
            .filter(r -> IstioKinds.TOPOLOGY.stream().anyMatch(k -> k.type().isInstance(r)))
            .map(
                r ->
                    new ConfigProblem(
                        r.meta().source(),
                        r.meta().line(),
                        1,
                        "kind",
                        r.meta().kind()
                            + " "
                            + r.meta().name()
                            + " is topology, not mesh configuration (expected: Kubernetes"
                            + " manifests as a scenario's topology, Scenario.Builder.topology;"
                            + " Istio resources here)"))
            .toList();
    if (!topology.isEmpty()) {
      throw new InvalidConfigException(topology);
    }
    rejectSecurityWithoutCa(parsed);
    rejectUnreadableTlsFiles(parsed);
    rejectDnsOffLoopback(parsed);
    List<IstioResource> resources = config.apply(parsed);
    List<Sidecar> sidecars = config.resourcesInCreationOrder(IstioKinds.SIDECAR);
    for (ProxyNode proxy : controlPlane.registeredProxies()) {
      controlPlane.register(
          proxy.withScope(SidecarScope.forProxy(proxy.namespace(), proxy.labels(), sidecars)));
    }
    registry.replaceServiceEntryInstances(
        ServiceEntryInstances.of(
            config.resources(IstioKinds.SERVICE_ENTRY),
            config.resources(IstioKinds.WORKLOAD_ENTRY)));
    pushIfRunning();
    return resources;
  }

  /**
   * Mounts a file in every sidecar at {@code path}, as a volume mounted in the proxy container
   * ({@code sidecar.istio.io/userVolumeMount}): the certificate files a DestinationRule's {@code
   * tls} names ({@code caCertificates}, {@code clientCertificate}, {@code privateKey}), served to
   * the proxies as istio-agent serves them, as SDS secrets. Mount before applying a rule naming it.
   */
  public synchronized void mountFile(String path, String content) {
    controlPlane.mountFiles(controlPlane.files().with(path, content));
    pushIfRunning();
  }

  /**
   * A DestinationRule's SIMPLE or MUTUAL {@code tls} naming a file no proxy has (neither mounted
   * with {@link #mountFile} nor an absolute path on this machine) is an error: istio-agent could
   * never serve the secret, and the cluster would stay warming without saying why.
   */
  private void rejectUnreadableTlsFiles(List<IstioResource> parsed) {
    List<ConfigProblem> problems = new java.util.ArrayList<>();
    for (IstioResource resource : parsed) {
      if (!(resource instanceof dev.meshproof.runtime.config.DestinationRule rule)) {
        continue;
      }
      for (var tls : rule.allTls()) {
        if (!tls.originatesTls()) {
          continue;
        }
        java.util.Map<String, java.util.Optional<String>> files = new java.util.LinkedHashMap<>();
        if (!tls.insecureSkipVerify()) {
          files.put("caCertificates", tls.caCertificates());
        }
        files.put("clientCertificate", tls.clientCertificate());
        files.put("privateKey", tls.privateKey());
        files.forEach(
            (field, path) ->
                path.filter(p -> controlPlane.files().read(p).isEmpty())
                    .ifPresent(
                        p ->
                            problems.add(
                                new ConfigProblem(
                                    resource.meta().source(),
                                    resource.meta().line(),
                                    1,
                                    "spec.trafficPolicy.tls." + field,
                                    "\""
                                        + p
                                        + "\" is no file in the proxies (expected: a file mounted"
                                        + " with Mesh.mountFile or a scenario's proxyFiles, or an"
                                        + " absolute path on this machine; mounted: "
                                        + controlPlane.files().paths()
                                        + ")"))));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
  }

  /**
   * A ServiceEntry with resolution DNS names hosts the proxies resolve: each must resolve, and only
   * to loopback IPv4 addresses (a {@code localhost}-style name), since the mesh sends nothing off
   * loopback.
   */
  private static void rejectDnsOffLoopback(List<IstioResource> parsed) {
    List<ConfigProblem> problems = new java.util.ArrayList<>();
    for (IstioResource resource : parsed) {
      if (!(resource instanceof dev.meshproof.runtime.config.ServiceEntry se)
          || se.resolution() != dev.meshproof.runtime.config.ServiceEntry.Resolution.DNS) {
        continue;
      }
      java.util.Set<String> names = new java.util.LinkedHashSet<>();
      se.endpoints().forEach(e -> names.add(e.address()));
      if (se.endpoints().isEmpty() && se.workloadSelector().isEmpty()) {
        names.addAll(se.hosts());
      }
      for (String name : names) {
        List<String> offLoopback = new java.util.ArrayList<>();
        int v4 = 0;
        try {
          for (InetAddress address : InetAddress.getAllByName(name)) {
            if (address instanceof java.net.Inet4Address) {
              v4++;
              if (!address.isLoopbackAddress()) {
                offLoopback.add(address.getHostAddress());
              }
            }
          }
        } catch (java.net.UnknownHostException e) {
          // reported below as resolving to nothing
        }
        if (v4 == 0 || !offLoopback.isEmpty()) {
          problems.add(
              new ConfigProblem(
                  se.meta().source(),
                  se.meta().line(),
                  1,
                  se.endpoints().isEmpty() ? "spec.hosts" : "spec.endpoints",
                  "\""
                      + name
                      + "\" resolves to "
                      + (v4 == 0 ? "no IPv4 address" : String.join(", ", offLoopback))
                      + " (expected: a name resolving only to 127.0.0.0/8, such as localhost;"
                      + " Meshproof sends traffic only to loopback)"));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
  }

  /**
   * A PeerAuthentication, AuthorizationPolicy or ISTIO_MUTUAL DestinationRule in a mesh without a
   * CA would be silently ignored: it is an error naming where to turn security on. The parts of an
   * AuthorizationPolicy not simulated yet are errors in any mesh.
   */
  private void rejectSecurityWithoutCa(List<IstioResource> parsed) {
    List<ConfigProblem> problems = new java.util.ArrayList<>();
    for (IstioResource resource : parsed) {
      if (resource instanceof dev.meshproof.runtime.config.RequestAuthentication authn) {
        problems.addAll(dev.meshproof.runtime.xds.JwtAuthnBuilder.offLoopback(authn));
        if (certificates.isEmpty()) {
          problems.add(
              new ConfigProblem(
                  resource.meta().source(),
                  resource.meta().line(),
                  1,
                  "kind",
                  "RequestAuthentication needs the mesh's CA (expected: a mesh started with"
                      + " Mesh.builder().security(MeshSecurity.defaults()))"));
        }
      }
      if (resource instanceof dev.meshproof.runtime.config.AuthorizationPolicy policy) {
        problems.addAll(dev.meshproof.runtime.xds.AuthorizationModel.unsupported(policy));
        if (certificates.isEmpty()) {
          problems.add(
              new ConfigProblem(
                  resource.meta().source(),
                  resource.meta().line(),
                  1,
                  "kind",
                  "AuthorizationPolicy needs the mesh's CA (expected: a mesh started with"
                      + " Mesh.builder().security(MeshSecurity.defaults()))"));
        }
      }
    }
    if (certificates.isPresent()) {
      if (!problems.isEmpty()) {
        throw new InvalidConfigException(problems);
      }
      return;
    }
    for (IstioResource resource : parsed) {
      if (resource instanceof dev.meshproof.runtime.config.DestinationRule rule
          && rule.allTls().stream().anyMatch(t -> t.mode().equals("ISTIO_MUTUAL"))) {
        problems.add(
            new ConfigProblem(
                resource.meta().source(),
                resource.meta().line(),
                1,
                "spec.trafficPolicy.tls.mode",
                "ISTIO_MUTUAL needs the mesh's CA (expected: a mesh started with"
                    + " Mesh.builder().security(MeshSecurity.defaults()))"));
      }
      if (resource instanceof PeerAuthentication) {
        problems.add(
            new ConfigProblem(
                resource.meta().source(),
                resource.meta().line(),
                1,
                "kind",
                "PeerAuthentication needs the mesh's CA (expected: a mesh started with"
                    + " Mesh.builder().security(MeshSecurity.defaults()))"));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
  }

  /**
   * Re-issues every workload certificate now and pushes the new {@code default} secrets, as when
   * istio-agent rotates: new connections use the new certificate, open ones go on.
   *
   * @throws IllegalStateException for a mesh without a CA
   */
  public synchronized void rotateCertificates() {
    certificates
        .orElseThrow(() -> new IllegalStateException("the mesh has no CA (Builder.security)"))
        .rotateAll();
    pushIfRunning();
  }

  /** The mesh's CA and the certificates it issued; empty without {@link Builder#security}. */
  public Optional<WorkloadCertificates> certificates() {
    return certificates;
  }

  /**
   * The applied resources of kinds the mesh accepts but does not simulate (an EnvoyFilter, a
   * ConfigMap, ...), each as {@code apiVersion kind namespace/name (file:line)}, for a run to list.
   */
  public synchronized List<String> notSimulated() {
    return config.all().stream()
        .filter(NotSimulatedResource.class::isInstance)
        .map(r -> ((NotSimulatedResource) r).describe())
        .toList();
  }

  /**
   * Requests a debounced push ({@link Builder#pushDebounce}); {@link #awaitSynced()} flushes it.
   */
  private void pushIfRunning() {
    if (controlPlaneRunning) {
      controlPlane.requestPush(config, registry);
    }
  }

  /**
   * Applies a YAML file; errors name the file. A file that is not UTF-8 is an {@link
   * dev.meshproof.runtime.config.InvalidConfigException} naming the line of the first bad byte.
   */
  public List<IstioResource> apply(Path file) {
    return apply(IstioYamlParser.readUtf8(file), file.toString());
  }

  /**
   * Waits until every sidecar ACKed its current configuration.
   *
   * @throws dev.meshproof.runtime.xds.XdsRejectedException when a proxy NACKs, with its detail
   */
  public void awaitSynced() {
    List<SidecarProxy> sidecars;
    synchronized (this) {
      sidecars = workloads.values().stream().map(Workload::sidecar).toList();
    }
    ControlPlane plane;
    synchronized (this) {
      if (!controlPlaneRunning) {
        throw new IllegalStateException(
            "the control plane is stopped: nothing can sync (startControlPlane() first)");
      }
      plane = controlPlane;
    }
    try {
      plane.awaitSynced(sidecars.stream().map(SidecarProxy::proxyId).toList(), syncTimeout);
    } catch (IllegalStateException timeout) {
      // A proxy that died never ACKs: say so rather than only that it timed out.
      StringBuilder dead = new StringBuilder();
      for (SidecarProxy sidecar : sidecars) {
        sidecar
            .failure()
            .ifPresent(f -> dead.append("\n").append(sidecar.proxyId()).append(": ").append(f));
      }
      throw new IllegalStateException(timeout.getMessage() + dead, timeout);
    }
    for (SidecarProxy sidecar : sidecars) {
      sidecar.awaitReady(syncTimeout);
    }
  }

  /**
   * Per proxy, SYNCED / STALE / NOT_SENT / NACKED per xDS type, like {@code istioctl proxy-status}.
   */
  public synchronized Map<String, ProxyStatus> proxyStatus() {
    return controlPlane.proxyStatus();
  }

  public synchronized Optional<Workload> workload(String namespace, String name) {
    return Optional.ofNullable(workloads.get(namespace + "/" + name));
  }

  public synchronized List<Workload> workloads() {
    return List.copyOf(workloads.values());
  }

  /**
   * Stops the mesh in the order traffic flows backwards: the app clients' connections, then every
   * sidecar (listeners, the connections they accepted, upstream connections), then the control
   * plane, and last the event loops they all ran on.
   */
  @Override
  public synchronized void close() {
    closed = true;
    rotation.ifPresent(java.util.concurrent.ScheduledExecutorService::shutdownNow);
    RuntimeException failure = null;
    try {
      appConnections.close();
    } catch (RuntimeException e) {
      failure = e;
    }
    for (Workload workload : workloads.values()) {
      try {
        workload.sidecar().close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    workloads.clear();
    if (controlPlaneRunning) {
      controlPlane.close();
    }
    eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    if (failure != null) {
      throw failure;
    }
  }

  /** Configures a {@link Mesh}. */
  public static final class Builder {
    private long seed = 1L;
    private IstioVersion istioVersion = IstioVersion.CURRENT;
    private OutboundTrafficPolicy outboundTrafficPolicy = OutboundTrafficPolicy.ALLOW_ANY;
    private IstioVersion compatibilityVersion;
    private DataPlane dataPlane = DataPlane.embedded();
    private Duration syncTimeout = Duration.ofSeconds(20);
    private int eventLoopThreads = 2;
    private Optional<MeshSecurity> security = Optional.empty();
    private PushDebounce pushDebounce = PushDebounce.ISTIOD;

    private Builder() {}

    /**
     * Gives the mesh a CA and mutual TLS as Istio's: workload certificates over SDS, auto mTLS,
     * PeerAuthentication. Without it the mesh has no CA (a deliberate difference from Istio, whose
     * istiod always has one) and a PeerAuthentication is rejected.
     */
    public Builder security(MeshSecurity security) {
      this.security = Optional.of(java.util.Objects.requireNonNull(security, "security"));
      return this;
    }

    /** The seed of every random decision (weighted pick, load balancing); default 1. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The Istio release whose defaults the mesh follows and whose version its proxies report;
     * default {@link IstioVersion#CURRENT}.
     *
     * @throws IllegalArgumentException when no profile covers {@code version}, naming the range
     */
    public Builder istioVersion(IstioVersion version) {
      java.util.Objects.requireNonNull(version, "istioVersion");
      version.profile(); // rejects an unsupported release here, not at start()
      this.istioVersion = version;
      return this;
    }

    /**
     * MeshConfig's {@code outboundTrafficPolicy.mode}: what sidecars do with a host outside the
     * registry; default {@link OutboundTrafficPolicy#ALLOW_ANY}, as Istio's.
     */
    public Builder outboundTrafficPolicy(OutboundTrafficPolicy policy) {
      this.outboundTrafficPolicy =
          java.util.Objects.requireNonNull(policy, "outboundTrafficPolicy");
      return this;
    }

    /**
     * The older release whose behaviour the mesh follows while it reports {@link
     * #istioVersion(IstioVersion)}, as Istio's {@code compatibilityVersion} install option
     * (docs/istio-versions.md lists what it switches); default: the emulated release's own.
     *
     * @throws IllegalArgumentException when no profile covers {@code version}
     */
    public Builder compatibilityVersion(IstioVersion version) {
      java.util.Objects.requireNonNull(version, "compatibilityVersion");
      IstioVersionProfile.keyOf("compatibilityVersion", version); // rejects it here, not at start()
      this.compatibilityVersion = version;
      return this;
    }

    public Builder dataPlane(DataPlane dataPlane) {
      this.dataPlane = java.util.Objects.requireNonNull(dataPlane, "dataPlane");
      return this;
    }

    /**
     * How config and registry changes are merged into pushes, as istiod's {@code
     * PILOT_DEBOUNCE_AFTER} / {@code PILOT_DEBOUNCE_MAX}; default {@link PushDebounce#ISTIOD} (100
     * ms / 10 s). {@link Mesh#awaitSynced()} pushes a pending change at once, so a caller that
     * awaits sync never waits for the quiet period.
     */
    public Builder pushDebounce(PushDebounce debounce) {
      this.pushDebounce = java.util.Objects.requireNonNull(debounce, "pushDebounce");
      return this;
    }

    /** How long {@link Mesh#awaitSynced()} waits for ACKs; default 20 s. */
    public Builder syncTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("syncTimeout: " + timeout + " (expected: > 0)");
      }
      this.syncTimeout = timeout;
      return this;
    }

    /** Threads of the shared event loop; default 2 (the machines this runs on have 2 cores). */
    public Builder eventLoopThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("eventLoopThreads: " + threads + " (expected: >= 1)");
      }
      this.eventLoopThreads = threads;
      return this;
    }

    public Mesh start() {
      return new Mesh(this);
    }
  }
}
