package dev.meshproof.scenario;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.runtime.topology.Topology;
import dev.meshproof.scenario.chaos.ChaosPlan;
import dev.meshproof.scenario.chaos.FaultSpec;
import dev.meshproof.scenario.chaos.InstanceSelector;
import dev.meshproof.scenario.chaos.PlannedFault;
import dev.meshproof.scenario.chaos.Rollback;
import dev.meshproof.scenario.expect.Expectation;
import dev.meshproof.scenario.expect.ExpectationSpec;
import dev.meshproof.scenario.traffic.TrafficSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A mesh scenario, as data only: topology (services with versions, client workloads, declared or
 * from Kubernetes manifests, with the manifests' resources the mesh does not simulate), Istio
 * configuration as users write it, traffic, a chaos plan naming its targets, expectations and the
 * seed that makes the run replayable. A target turns it into a running deployment.
 *
 * <pre>{@code
 * Scenario canary =
 *     Scenario.named("catalog 90/10 canary")
 *         .service("catalog", s -> s.version("v1").version("v2"))
 *         .client("client")
 *         .istio("catalog-canary.yaml", yaml)
 *         .traffic(t -> t.from("client").get("http://catalog/").requests(2_000))
 *         .expect(split("catalog").byVersion(Map.of("v1", 0.9, "v2", 0.1)).atAlpha(0.001))
 *         .build();
 * }</pre>
 */
public record Scenario(
    String name,
    List<ServiceSpec> services,
    List<String> clients,
    List<IstioSource> istio,
    List<TrafficSpec> traffic,
    List<Expectation> expectations,
    ChaosPlan chaos,
    long seed,
    IstioVersion istioVersion,
    IstioVersion compatibilityVersion,
    List<String> notSimulated,
    OutboundTrafficPolicy outboundTrafficPolicy,
    ScenarioSecurity security,
    Manifests manifests,
    /**
     * Where workloads run ({@code region/zone/subzone}), keyed by client, service (every version)
     * or {@code service/version}: the pods' {@code topology.istio.io/locality} label, from which
     * istiod derives locality load balancing.
     */
    java.util.Map<String, String> localities) {

  /**
   * The locality of {@code service}'s {@code version} pods (its own entry, else the service's), or
   * of a client ({@code version} null); empty when none is given.
   */
  public java.util.Optional<String> localityOf(String workload, String version) {
    if (version != null && localities.containsKey(workload + "/" + version)) {
      return java.util.Optional.of(localities.get(workload + "/" + version));
    }
    return java.util.Optional.ofNullable(localities.get(workload));
  }

  /**
   * The Kubernetes manifests the topology came from (their paths as given) and the services and
   * clients derived from them, so that writing the scenario back names the manifests instead of
   * repeating what they declare.
   */
  public record Manifests(List<String> sources, List<String> services, List<String> clients) {
    /** No manifests: every service and client was declared. */
    public static final Manifests NONE = new Manifests(List.of(), List.of(), List.of());

    public Manifests {
      sources = List.copyOf(sources);
      services = List.copyOf(services);
      clients = List.copyOf(clients);
    }
  }

  /**
   * The client name of Istio's ingress gateway ({@link Builder#ingressGateway()}): traffic from it
   * enters through the gateway.
   */
  public static final String INGRESS_GATEWAY = "istio-ingressgateway";

  /**
   * The ports of the scenario's ingress gateway Service (Istio's demo profile: 80, 443, 31400,
   * 15443), which traffic {@code from} the gateway names in its URL.
   */
  public static final List<Integer> INGRESS_GATEWAY_PORTS =
      List.copyOf(dev.meshproof.runtime.WorkloadSpec.INGRESS_GATEWAY_SERVICE_PORTS.keySet());

  /** The system property that overrides every scenario's seed, to replay a printed run. */
  public static final String SEED_PROPERTY = "meshproof.seed";

  public Scenario {
    services = List.copyOf(services);
    clients = List.copyOf(clients);
    istio = List.copyOf(istio);
    traffic = List.copyOf(traffic);
    expectations = List.copyOf(expectations);
    java.util.Objects.requireNonNull(chaos, "chaos");
    java.util.Objects.requireNonNull(istioVersion, "istioVersion");
    java.util.Objects.requireNonNull(compatibilityVersion, "compatibilityVersion");
    notSimulated = List.copyOf(notSimulated);
    java.util.Objects.requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
    java.util.Objects.requireNonNull(security, "security");
    java.util.Objects.requireNonNull(manifests, "manifests");
    localities = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(localities));
  }

  public static Builder named(String name) {
    return new Builder(name);
  }

  /** A copy with another seed, e.g. to replay a failing run. */
  public Scenario withSeed(long newSeed) {
    return copy(
        services, clients, istio, newSeed, istioVersion, compatibilityVersion, notSimulated);
  }

  /** This scenario with the parts the {@code with...} copies change replaced. */
  private Scenario copy(
      List<ServiceSpec> newServices,
      List<String> newClients,
      List<IstioSource> newIstio,
      long newSeed,
      IstioVersion newIstioVersion,
      IstioVersion newCompatibilityVersion,
      List<String> newNotSimulated) {
    return new Scenario(
        name,
        newServices,
        newClients,
        newIstio,
        traffic,
        expectations,
        chaos,
        newSeed,
        newIstioVersion,
        newCompatibilityVersion,
        newNotSimulated,
        outboundTrafficPolicy,
        security,
        manifests,
        localities);
  }

  /**
   * A copy that also has the services and clients of {@code manifests} this scenario does not
   * declare itself, read as {@link Builder#topology(Topology)} reads them: a cluster's other
   * workloads beside a team's change, so that the cluster's routing to them has somewhere to go.
   * What the scenario declares wins; a manifest service or client of the same name is not added.
   *
   * @throws IllegalArgumentException naming the Deployment for what a scenario cannot express yet
   */
  public Scenario withWorkloadsOf(Topology manifests) {
    ManifestTopology.Result read = ManifestTopology.of(manifests);
    Set<String> declared = new java.util.HashSet<>(clients);
    services.forEach(s -> declared.add(s.name()));
    List<ServiceSpec> allServices = new ArrayList<>(services);
    read.services().stream().filter(s -> !declared.contains(s.name())).forEach(allServices::add);
    List<String> allClients = new ArrayList<>(clients);
    read.clients().stream().filter(c -> !declared.contains(c)).distinct().forEach(allClients::add);
    List<String> allNotSimulated = new ArrayList<>(notSimulated);
    allNotSimulated.addAll(read.notSimulated());
    return copy(
        allServices, allClients, istio, seed, istioVersion, compatibilityVersion, allNotSimulated);
  }

  /**
   * A copy with {@code before} applied ahead of this scenario's own Istio configuration, each
   * source in turn as {@code kubectl apply} takes files.
   */
  public Scenario withIstioBefore(List<IstioSource> before) {
    List<IstioSource> all = new ArrayList<>(before);
    all.addAll(istio);
    return copy(services, clients, all, seed, istioVersion, compatibilityVersion, notSimulated);
  }

  /**
   * A copy emulating another Istio release, e.g. to compare two version profiles: the release's own
   * defaults, whatever compatibility version this scenario pinned.
   */
  public Scenario withIstioVersion(IstioVersion version) {
    version.profile(); // rejects a release no profile covers, naming the range
    return copy(
        services, clients, istio, seed, version, version.profile().behaviourOf(), notSimulated);
  }

  /**
   * Builds a {@link Scenario}; {@link #build()} checks that traffic comes from declared clients.
   */
  public static final class Builder {
    private final String name;
    private final List<ServiceSpec> services = new ArrayList<>();
    private final Set<String> clients = new LinkedHashSet<>();
    private final List<IstioSource> istio = new ArrayList<>();
    private final List<TrafficSpec> traffic = new ArrayList<>();
    private final List<Expectation> expectations = new ArrayList<>();
    private final ChaosPlan.Builder chaos = ChaosPlan.builder();
    private long seed = Long.getLong(SEED_PROPERTY, 1L);
    private IstioVersion istioVersion = IstioVersion.CURRENT;
    private final List<String> notSimulated = new ArrayList<>();
    private final List<String> manifestSources = new ArrayList<>();
    private final List<String> manifestServices = new ArrayList<>();
    private final List<String> manifestClients = new ArrayList<>();
    private IstioVersion compatibilityVersion;
    private OutboundTrafficPolicy outboundTrafficPolicy = OutboundTrafficPolicy.ALLOW_ANY;
    private java.util.Optional<dev.meshproof.runtime.security.MeshSecurity> ca =
        java.util.Optional.empty();
    private final java.util.Map<String, String> serviceAccounts = new java.util.LinkedHashMap<>();
    private final Set<String> clientsWithoutSidecar = new LinkedHashSet<>();
    private final java.util.Map<String, dev.meshproof.fake.http.ServerTls> servicesTerminatingTls =
        new java.util.LinkedHashMap<>();
    private final java.util.Map<String, String> proxyFiles = new java.util.TreeMap<>();
    private final java.util.Map<String, String> fileSources = new java.util.TreeMap<>();
    private final java.util.Map<String, String> localities = new java.util.LinkedHashMap<>();

    /**
     * Where {@code workload} runs: {@code region/zone/subzone} (zone and subzone optional) for a
     * client, a service (every version) or {@code service/version}; its pods get Istio's {@code
     * topology.istio.io/locality} label.
     */
    public Builder locality(String workload, String locality) {
      if (locality == null
          || !locality.matches("[A-Za-z0-9]([-A-Za-z0-9_]*)(/[-A-Za-z0-9_]+){0,2}")) {
        throw new IllegalArgumentException(
            "localities."
                + workload
                + ": "
                + locality
                + " (expected: region/zone/subzone, zone and subzone optional, e.g."
                + " us-east/zone-a)");
      }
      localities.put(workload, locality);
      return this;
    }

    private Builder(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("name: blank (expected: a short description)");
      }
      this.name = name;
    }

    /**
     * Adds a service with versions, each an echo workload labelled {@code app} and {@code version}.
     */
    public Builder service(String service, Consumer<ServiceSpec.Builder> configure) {
      ServiceSpec.Builder builder = new ServiceSpec.Builder(service);
      configure.accept(builder);
      services.add(builder.build());
      return this;
    }

    /**
     * Adds a client-only workload whose app sends the scenario's traffic through its sidecar. A
     * client named {@value #INGRESS_GATEWAY} is Istio's ingress gateway instead ({@link
     * #ingressGateway()}).
     */
    public Builder client(String client) {
      clients.add(client);
      return this;
    }

    /**
     * Adds Istio's ingress gateway ({@code WorkloadSpec.ingressGateway()}: labels {@code istio:
     * ingressgateway}, namespace {@code istio-system}) as the client {@value #INGRESS_GATEWAY}:
     * traffic {@code from} it enters the mesh from outside through the gateway Service's port the
     * URL names (80 when none; {@link #INGRESS_GATEWAY_PORTS}, Istio's demo profile: 80 reaches the
     * pod's 8080, 443 its 8443, 31400 and 15443 as they are), so the Gateways selecting it and the
     * VirtualServices bound to them route it; a {@code tcp://} URL opens a connection there.
     */
    public Builder ingressGateway() {
      return client(INGRESS_GATEWAY);
    }

    /**
     * Adds a client that runs without a sidecar: its requests go in plaintext, without an identity,
     * straight to an instance of the destination service (round robin over its instances' inbound
     * listeners), as from a pod without injection.
     */
    public Builder clientWithoutSidecar(String client) {
      clients.add(client);
      clientsWithoutSidecar.add(client);
      return this;
    }

    /**
     * Makes {@code service}'s echo terminate TLS itself with {@code tls} (its own certificate, and
     * client roots for mutual TLS) and run without a sidecar, as a pod with {@code
     * sidecar.istio.io/inject: "false"} serving HTTPS: the endpoints other sidecars reach are the
     * echo's own. A DestinationRule's {@code tls} SIMPLE or MUTUAL is what speaks TLS to it.
     */
    public Builder serviceTerminatingTls(String service, dev.meshproof.fake.http.ServerTls tls) {
      servicesTerminatingTls.put(service, java.util.Objects.requireNonNull(tls, "tls"));
      return this;
    }

    /**
     * Records which file a scenario file read for {@code key} ({@code tls/<service>/<field>} or
     * {@code proxyFiles/<path>}), so the scenario can be written back as it was read.
     */
    public Builder fileSource(String key, String file) {
      fileSources.put(key, file);
      return this;
    }

    /**
     * Mounts a file at {@code path} in every sidecar ({@code Mesh.mountFile}): a certificate file a
     * DestinationRule's {@code tls} names ({@code caCertificates}, {@code clientCertificate},
     * {@code privateKey}).
     */
    public Builder proxyFile(String path, String content) {
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException(
            "proxyFile: " + path + " (expected: an absolute path such as /etc/certs/ca.pem)");
      }
      proxyFiles.put(path, java.util.Objects.requireNonNull(content, "content"));
      return this;
    }

    /**
     * Gives the mesh a CA and mutual TLS ({@code Mesh.Builder.security}): workload certificates
     * over SDS, auto mTLS, PeerAuthentication; e.g. {@code
     * security(MeshSecurity.defaults().withWorkloadCertTtl(Duration.ofSeconds(4)))}.
     */
    public Builder security(dev.meshproof.runtime.security.MeshSecurity security) {
      this.ca = java.util.Optional.of(java.util.Objects.requireNonNull(security, "security"));
      return this;
    }

    /**
     * The service account {@code workload} runs as: a service (every version), {@code
     * service/version}, or a client; unnamed workloads run as {@code default}.
     */
    public Builder serviceAccount(String workload, String serviceAccount) {
      if (serviceAccount == null || !serviceAccount.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
        throw new IllegalArgumentException(
            "serviceAccount: "
                + serviceAccount
                + " for "
                + workload
                + " (expected: a Kubernetes name, lower case letters, digits, '-' and '.')");
      }
      serviceAccounts.put(workload, serviceAccount);
      return this;
    }

    /**
     * The services and clients of Kubernetes manifests, as {@code kubectl apply -f} takes them
     * (e.g. Istio's {@code samples/bookinfo/platform/kube/bookinfo.yaml} as-is): each Service with
     * the Deployments it selects is a service whose versions are their {@code version} labels; a
     * Deployment no Service selects is a client named by its {@code app} label. Kinds outside the
     * simulation are listed in the result as not simulated.
     *
     * @throws dev.meshproof.runtime.config.InvalidConfigException with file:line:column for bad
     *     manifests (unknown kind, a Deployment without labels, a resource twice, a missing service
     *     account or namespace)
     * @throws IllegalArgumentException naming the Deployment for what a scenario cannot express yet
     *     (another namespace, other labels, a workload in two Services)
     */
    public Builder topology(Path... manifests) {
      return topology(
          Topology.fromManifests(manifests),
          java.util.Arrays.stream(manifests).map(Path::toString).toList());
    }

    /**
     * The services and clients of already-read manifests, as {@link #topology(Path...)} (scenario
     * files read their manifests relative to the file).
     *
     * @throws IllegalArgumentException naming the Deployment for what a scenario cannot express yet
     */
    public Builder topology(Topology manifests) {
      return topology(manifests, List.of());
    }

    /**
     * As {@link #topology(Topology)}, remembering the manifests' paths ({@code sources}, as written
     * in a scenario file) so that writing the scenario back names them instead of the services and
     * clients they declare.
     */
    public Builder topology(Topology manifests, List<String> sources) {
      ManifestTopology.Result topology = ManifestTopology.of(manifests);
      services.addAll(topology.services());
      clients.addAll(topology.clients());
      notSimulated.addAll(topology.notSimulated());
      if (!sources.isEmpty()) {
        manifestSources.addAll(sources);
        topology.services().forEach(service -> manifestServices.add(service.name()));
        manifestClients.addAll(topology.clients());
      }
      return this;
    }

    /** Istio YAML text; {@code source} names it in error messages. */
    public Builder istio(String source, String yaml) {
      istio.add(new IstioSource(source, yaml));
      return this;
    }

    /**
     * An Istio YAML file, as {@code kubectl apply -f} takes it.
     *
     * @throws dev.meshproof.runtime.config.InvalidConfigException when the file is not UTF-8,
     *     naming the line of the first bad byte
     */
    public Builder istio(Path file) {
      return istio(file.toString(), IstioYamlParser.readUtf8(file));
    }

    public Builder traffic(Consumer<TrafficSpec.Builder> configure) {
      TrafficSpec.Builder builder = new TrafficSpec.Builder();
      configure.accept(builder);
      TrafficSpec built = builder.build("traffic-" + (traffic.size() + 1));
      if (traffic.stream().anyMatch(t -> t.name().equals(built.name()))) {
        throw new IllegalArgumentException(
            "traffic.name: " + built.name() + " is used twice (expected: unique names)");
      }
      traffic.add(built);
      return this;
    }

    public Builder expect(Expectation expectation) {
      expectations.add(expectation);
      return this;
    }

    public Builder expect(ExpectationSpec expectation) {
      return expect(expectation.build());
    }

    /**
     * Plans faults relative to the start of the traffic, naming their targets; the target resolves
     * them against the running instances, e.g. {@code c -> c.at(Duration.ofSeconds(5),
     * Chaos.service("catalog").version("v2").errors(0.3, "503"))}. Calls add to one plan.
     */
    public Builder chaos(Consumer<ChaosPlan.Builder> plan) {
      plan.accept(chaos);
      return this;
    }

    /** The seed of every random decision in the run; default 1, or {@code -Dmeshproof.seed}. */
    /**
     * The Istio release the mesh emulates (its version profile's defaults); {@link
     * IstioVersion#CURRENT} unless set.
     */
    public Builder istioVersion(IstioVersion version) {
      version.profile(); // rejects a release no profile covers, naming the range
      this.istioVersion = version;
      return this;
    }

    /**
     * The mesh's {@code outboundTrafficPolicy.mode} (MeshConfig) for hosts outside the registry;
     * {@link OutboundTrafficPolicy#ALLOW_ANY} unless set, as in Istio.
     */
    public Builder outboundTrafficPolicy(OutboundTrafficPolicy policy) {
      this.outboundTrafficPolicy =
          java.util.Objects.requireNonNull(policy, "outboundTrafficPolicy");
      return this;
    }

    /**
     * The older release whose behaviour the emulated release follows, as Istio's {@code
     * compatibilityVersion} (docs/istio-versions.md); the emulated release itself unless set.
     */
    public Builder compatibilityVersion(IstioVersion version) {
      version.profile(); // rejects a release no profile covers, naming the range
      this.compatibilityVersion = version;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = Long.getLong(SEED_PROPERTY, seed);
      return this;
    }

    public Scenario build() {
      checkAppPorts();
      for (String service : servicesTerminatingTls.keySet()) {
        if (services.stream().noneMatch(s -> s.name().equals(service))) {
          throw new IllegalArgumentException(
              "serviceTerminatingTls: "
                  + service
                  + " (expected one of the declared services: "
                  + services.stream().map(ServiceSpec::name).toList()
                  + ")");
        }
      }
      for (TrafficSpec t : traffic) {
        if (!clients.contains(t.from())) {
          throw new IllegalArgumentException(
              "traffic.from: "
                  + t.from()
                  + " (expected one of the declared clients: "
                  + clients
                  + ")");
        }
      }
      if (traffic.isEmpty()) {
        throw new IllegalArgumentException(
            "traffic: none (expected: at least one traffic(...) block)");
      }
      ChaosPlan plan = chaos.build();
      for (PlannedFault planned : plan.faults()) {
        if (planned.fault() instanceof FaultSpec.OnService onService) {
          checkDeclared(onService.instances());
        }
        if (planned.fault() instanceof FaultSpec.KillInstances kill) {
          checkDeclared(kill.instances());
        }
        if (planned.fault() instanceof FaultSpec.DrainInstances drain) {
          checkDeclared(drain.instances());
        }
        if (planned.fault() instanceof FaultSpec.NotReady notReady) {
          checkDeclared(notReady.instances());
        }
        if (planned.fault() instanceof FaultSpec.Flap flap) {
          checkDeclared(flap.instances());
        }
        if (planned.fault() instanceof FaultSpec.Ramp ramp) {
          checkDeclared(ramp.instances());
        }
        if (planned.fault() instanceof FaultSpec.OnLink onLink) {
          checkDeclared(onLink.link().to());
          onLink
              .link()
              .from()
              .filter(from -> !clients.contains(from))
              .ifPresent(
                  from -> {
                    throw new IllegalArgumentException(
                        "chaos.link.from: "
                            + from
                            + " (expected one of the declared clients: "
                            + clients
                            + ")");
                  });
        }
        if (planned.fault() instanceof FaultSpec.Scale scale) {
          checkDeclared(
              new InstanceSelector(
                  scale.service(),
                  java.util.Optional.of(scale.version()),
                  java.util.Optional.empty()));
        }
      }
      if (plan.countsRequests()) {
        traffic.stream()
            .filter(
                t ->
                    t.openLoop()
                        || t.protocol() != dev.meshproof.scenario.traffic.TrafficProtocol.HTTP1)
            .findFirst()
            .ifPresent(
                t -> {
                  throw new IllegalArgumentException(
                      "chaos.after.requests: traffic "
                          + t.name()
                          + " is "
                          + t.plan()
                          + " (expected: closed-loop HTTP1 traffic, whose requests the run counts"
                          + " one by one, when a fault starts after a number of requests)");
                });
      }
      for (Rollback rollback : plan.rollbacks()) {
        if (rollback instanceof Rollback.RestoreService restore) {
          checkDeclared(restore.instances());
        }
      }
      plan.steadyState()
          .map(h -> h.probe().from())
          .filter(from -> !clients.contains(from))
          .ifPresent(
              from -> {
                throw new IllegalArgumentException(
                    "steadyState.probe.from: "
                        + from
                        + " (expected one of the declared clients: "
                        + clients
                        + ")");
              });
      for (String workload : serviceAccounts.keySet()) {
        String service =
            workload.contains("/") ? workload.substring(0, workload.indexOf('/')) : workload;
        String version =
            workload.contains("/") ? workload.substring(workload.indexOf('/') + 1) : null;
        boolean known =
            version == null
                ? clients.contains(workload)
                    || services.stream().anyMatch(s -> s.name().equals(workload))
                : services.stream()
                    .anyMatch(
                        s ->
                            s.name().equals(service) && s.replicasByVersion().containsKey(version));
        if (!known) {
          List<String> allowed = new ArrayList<>(clients);
          for (ServiceSpec s : services) {
            allowed.add(s.name());
            s.replicasByVersion().keySet().forEach(v -> allowed.add(s.name() + "/" + v));
          }
          throw new IllegalArgumentException(
              "serviceAccounts."
                  + workload
                  + ": not a declared workload (expected one of "
                  + allowed
                  + ")");
        }
      }
      return new Scenario(
          name,
          services,
          List.copyOf(clients),
          istio,
          traffic,
          expectations,
          plan,
          seed,
          istioVersion,
          dev.meshproof.runtime.IstioVersionProfile.of(
                  istioVersion, compatibilityVersion == null ? istioVersion : compatibilityVersion)
              .behaviourOf(),
          notSimulated,
          outboundTrafficPolicy,
          new ScenarioSecurity(
              ca,
              serviceAccounts,
              List.copyOf(clientsWithoutSidecar),
              servicesTerminatingTls,
              proxyFiles,
              fileSources),
          new Manifests(manifestSources, manifestServices, manifestClients),
          localities);
    }

    /**
     * Each {@value IstioSource#APP_PORT_FORM} in the Istio YAML must name an instance of a declared
     * service: the error gives the placeholder's file:line:column and the instances there are.
     */
    private void checkAppPorts() {
      List<String> instances = new ArrayList<>();
      for (ServiceSpec s : services) {
        s.replicasByVersion().keySet().forEach(v -> instances.addAll(s.instanceNames(v)));
      }
      for (IstioSource source : istio) {
        for (IstioSource.AppPort p : source.appPorts()) {
          if (!instances.contains(p.instance())) {
            throw new IllegalArgumentException(
                p.at(source.source())
                    + ": ${app."
                    + p.instance()
                    + ".port}: "
                    + p.instance()
                    + " is not an instance of a declared service (expected one of "
                    + instances
                    + ", named <service>-<version>-<i>)");
          }
        }
      }
    }

    /** A fault's selector must name a declared service, version and instance. */
    private void checkDeclared(InstanceSelector selector) {
      ServiceSpec service =
          services.stream()
              .filter(s -> s.name().equals(selector.service()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "chaos.service: "
                              + selector.service()
                              + " (expected one of the declared services: "
                              + services.stream().map(ServiceSpec::name).toList()
                              + ")"));
      selector
          .version()
          .filter(v -> !service.replicasByVersion().containsKey(v))
          .ifPresent(
              v -> {
                throw new IllegalArgumentException(
                    "chaos.version: "
                        + v
                        + " (expected one of the versions of "
                        + service.name()
                        + ": "
                        + service.replicasByVersion().keySet()
                        + ")");
              });
      List<String> instances =
          service.replicasByVersion().keySet().stream()
              .filter(v -> selector.version().map(v::equals).orElse(true))
              .flatMap(v -> service.instanceNames(v).stream())
              .toList();
      selector
          .instance()
          .filter(i -> !instances.contains(i))
          .ifPresent(
              i -> {
                throw new IllegalArgumentException(
                    "chaos.instance: " + i + " (expected one of " + instances + ")");
              });
    }
  }
}
