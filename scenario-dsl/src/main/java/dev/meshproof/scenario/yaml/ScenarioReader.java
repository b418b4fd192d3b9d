package dev.meshproof.scenario.yaml;

import static dev.meshproof.scenario.yaml.ChaosReader.chaosSelectors;
import static dev.meshproof.scenario.yaml.ChaosReader.fault;
import static dev.meshproof.scenario.yaml.ChaosReader.instances;
import static dev.meshproof.scenario.yaml.ChaosReader.startOn;
import static dev.meshproof.scenario.yaml.ExpectationReader.expectation;
import static dev.meshproof.scenario.yaml.ExtensionProviderReader.extensionProvider;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.config.IstioResource;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.security.MeshSecurity;
import dev.meshproof.runtime.topology.Topology;
import dev.meshproof.scenario.AppSpec;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.chaos.FaultSpec;
import dev.meshproof.scenario.chaos.Rollback;
import dev.meshproof.scenario.expect.Expectation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Turns a checked tree into a scenario, reporting each builder's refusal where it was written. The
 * blocks with their own reader: {@link TrafficReader}, {@link JwtReader}, {@link ChaosReader},
 * {@link ExpectationReader}, {@link ExtensionProviderReader}.
 */
final class ScenarioReader {
  private final String source;
  private final ShapeReader reader;
  private final Function<String, Optional<String>> istioFiles;
  private final Value root;

  /** The scenario file's directory, where its own apps' commands run; empty: the caller's. */
  private final Optional<Path> directory;

  /** The scenario's {@code jwt} block: its tokens fill {@code ${jwt.<token>}} in header values. */
  private final JwtReader jwtReader;

  /** The scenario's {@code traffic} entries (and its steady-state probe). */
  private final TrafficReader trafficReader;

  ScenarioReader(
      String source,
      ShapeReader reader,
      Function<String, Optional<String>> istioFiles,
      Value root,
      Optional<Path> directory) {
    this.source = source;
    this.reader = reader;
    this.istioFiles = istioFiles;
    this.root = root;
    this.directory = directory;
    this.jwtReader = new JwtReader(reader, istioFiles);
    this.trafficReader = new TrafficReader(reader, istioFiles, jwtReader);
  }

  ScenarioFile build() {
    Scenario.Builder scenario = Scenario.named(root.string("name").orElseThrow());
    root.get("istioVersion")
        .ifPresent(
            v -> attempt(v, () -> scenario.istioVersion(IstioVersion.of((String) v.value()))));
    root.get("compatibilityVersion")
        .ifPresent(
            v ->
                attempt(
                    v, () -> scenario.compatibilityVersion(IstioVersion.of((String) v.value()))));
    root.integer("seed").ifPresent(scenario::seed);
    root.get("outboundTrafficPolicy")
        .flatMap(p -> p.string("mode"))
        .ifPresent(
            mode ->
                scenario.outboundTrafficPolicy(
                    dev.meshproof.runtime.config.OutboundTrafficPolicy.valueOf(mode)));
    List<String> topologyClients = new ArrayList<>();
    root.get("topology").ifPresent(t -> topology(t, scenario, topologyClients));
    for (Value service : items("services")) {
      attempt(
          service,
          () ->
              scenario.service(
                  service.string("name").orElseThrow(),
                  s -> {
                    service.integer("port").ifPresent(p -> s.port(p.intValue()));
                    service.string("portName").ifPresent(s::portName);
                    service
                        .get("morePorts")
                        .ifPresent(
                            ports ->
                                ports
                                    .items()
                                    .forEach(
                                        port ->
                                            s.alsoPort(
                                                port.string("name").orElseThrow(),
                                                port.integer("port").orElseThrow().intValue())));
                    service
                        .get("versions")
                        .ifPresent(
                            versions ->
                                versions
                                    .fields()
                                    .forEach(
                                        (version, replicas) ->
                                            s.version(
                                                version, ((Long) replicas.value()).intValue())));
                    service
                        .get("apps")
                        .ifPresent(
                            apps ->
                                apps.fields()
                                    .forEach(
                                        (version, app) ->
                                            attempt(app, () -> s.app(version, app(app)))));
                  }));
    }
    items("clients").forEach(c -> scenario.client((String) c.value()));
    root.get("security").ifPresent(security -> security(security, scenario));
    for (Value service : items("services")) {
      service
          .get("tls")
          .ifPresent(tls -> serviceTls(service.string("name").orElseThrow(), tls, scenario));
    }
    root.get("proxyFiles")
        .ifPresent(
            files ->
                files
                    .fields()
                    .forEach(
                        (path, file) ->
                            readFile(file)
                                .ifPresent(
                                    content ->
                                        attempt(
                                            file,
                                            () -> {
                                              scenario.proxyFile(path, content);
                                              scenario.fileSource(
                                                  "proxyFiles/" + path, (String) file.value());
                                            }))));
    root.get("jwt").ifPresent(jwtReader::jwt);
    root.get("localities").ifPresent(localities -> localities(localities, scenario));
    for (Value istio : items("istio")) {
      istio(istio).ifPresent(s -> scenario.istio(s.source(), s.yaml()));
    }
    List<String> clients = new ArrayList<>(topologyClients);
    items("clients").forEach(c -> clients.add((String) c.value()));
    for (Value traffic : items("traffic")) {
      Value from = traffic.get("from").orElseThrow();
      if (!clients.contains((String) from.value())) {
        reader.problem(
            from.line(),
            from.column(),
            from.path(),
            "\""
                + from.value()
                + "\" is not a declared client"
                + ShapeReader.suggestion((String) from.value(), clients)
                + " (expected one of "
                + clients
                + ")");
        continue;
      }
      if (trafficReader.trafficFieldsAgree(traffic)) {
        attempt(traffic, () -> scenario.traffic(t -> trafficReader.traffic(traffic, t)));
      }
    }
    for (Value chaos : items("chaos")) {
      if (chaosSelectors(chaos).stream().anyMatch(s -> !declaredService(s))) {
        continue;
      }
      attempt(
          chaos,
          () ->
              scenario.chaos(
                  c -> {
                    FaultSpec fault = fault(chaos);
                    if (fault.stepped() && chaos.get("duration").isEmpty()) {
                      throw new IllegalArgumentException(
                          "duration: none (expected: a duration for a ramp or flapping: its"
                              + " steps divide the window)");
                    }
                    c.at(chaos.duration("at").orElseThrow(), fault);
                    chaos.duration("duration").ifPresent(c::lasting);
                    chaos.get("after").ifPresent(after -> c.after(startOn(after)));
                  }));
    }
    root.get("steadyState").ifPresent(hypothesis -> steadyState(scenario, hypothesis));
    for (Value rollback : items("rollbacks")) {
      if (rollback.get("restoreService").filter(s -> !declaredService(s)).isPresent()) {
        continue;
      }
      attempt(
          rollback, () -> rollback(rollback).ifPresent(r -> scenario.chaos(c -> c.rollback(r))));
    }
    for (Value expect : items("expect")) {
      attempt(expect, () -> scenario.expect(expectation(expect, this::trafficWindow)));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    root.get("metadata")
        .ifPresent(m -> m.fields().forEach((k, v) -> metadata.put(k, (String) v.value())));
    Scenario[] built = new Scenario[1];
    attempt(root, () -> built[0] = scenario.build());
    return new ScenarioFile(source, built[0], metadata);
  }

  /** A service's {@code tls}: its echo terminates TLS with these files, without a sidecar. */
  private void serviceTls(String service, Value tls, Scenario.Builder scenario) {
    Optional<String> certificate = readFile(tls.get("certificate").orElseThrow());
    Optional<String> key = readFile(tls.get("privateKey").orElseThrow());
    Optional<Optional<String>> clientCa =
        tls.get("clientCaCertificates").isPresent()
            ? readFile(tls.get("clientCaCertificates").get()).map(Optional::of)
            : Optional.of(Optional.empty());
    if (certificate.isEmpty() || key.isEmpty() || clientCa.isEmpty()) {
      return;
    }
    attempt(
        tls,
        () -> {
          dev.meshproof.fake.http.ServerTls serverTls =
              new dev.meshproof.fake.http.ServerTls(certificate.get(), key.get(), clientCa.get());
          serverTls.sslContext();
          scenario.serviceTerminatingTls(service, serverTls);
          for (String field : List.of("certificate", "privateKey", "clientCaCertificates")) {
            tls.string(field)
                .ifPresent(file -> scenario.fileSource("tls/" + service + "/" + field, file));
          }
        });
  }

  /** The text of the file a string value names, relative to the scenario file; else a problem. */
  private Optional<String> readFile(Value file) {
    String path = (String) file.value();
    Optional<String> text = istioFiles.apply(path);
    if (text.isEmpty()) {
      reader.problem(
          file.line(),
          file.column(),
          file.path(),
          "no such file: " + path + " (expected: a path relative to the scenario file)");
    }
    return text;
  }

  /** Where workloads run, each entry checked against the declared workloads. */
  private void localities(Value localities, Scenario.Builder scenario) {
    List<String> workloads = new ArrayList<>();
    items("clients").forEach(c -> workloads.add((String) c.value()));
    for (Value service : items("services")) {
      String name = service.string("name").orElseThrow();
      workloads.add(name);
      service
          .get("versions")
          .ifPresent(
              v -> v.fields().keySet().forEach(version -> workloads.add(name + "/" + version)));
    }
    localities
        .fields()
        .forEach(
            (workload, locality) -> {
              if (!workloads.contains(workload)) {
                reader.problem(
                    locality.line(),
                    locality.column(),
                    locality.path(),
                    "not a declared workload"
                        + ShapeReader.suggestion(workload, workloads)
                        + " (expected one of "
                        + workloads
                        + ")");
                return;
              }
              attempt(locality, () -> scenario.locality(workload, (String) locality.value()));
            });
  }

  /**
   * The CA (its presence enables it), service accounts and clients without a sidecar; each refusal
   * at its own entry.
   */
  private void security(Value security, Scenario.Builder scenario) {
    MeshSecurity ca = MeshSecurity.defaults();
    Optional<String> trustDomain = security.string("trustDomain");
    if (trustDomain.isPresent()) {
      Value at = security.get("trustDomain").orElseThrow();
      MeshSecurity[] with = {ca};
      attempt(at, () -> with[0] = with[0].withTrustDomain(trustDomain.get()));
      ca = with[0];
    }
    if (security.get("workloadCertTtl").isPresent()) {
      Value at = security.get("workloadCertTtl").orElseThrow();
      Duration ttl = security.duration("workloadCertTtl").orElseThrow();
      MeshSecurity[] with = {ca};
      attempt(at, () -> with[0] = with[0].withWorkloadCertTtl(ttl));
      ca = with[0];
    }
    ca = ca.withAutoMtls(security.bool("autoMtls").orElse(true));
    if (security.get("extensionProviders").isPresent()) {
      Value at = security.get("extensionProviders").orElseThrow();
      List<dev.meshproof.runtime.config.ExtensionProvider> providers = new ArrayList<>();
      for (Value item : at.items()) {
        attempt(item, () -> providers.add(extensionProvider(item)));
      }
      MeshSecurity[] with = {ca};
      attempt(at, () -> with[0] = with[0].withExtensionProviders(providers));
      ca = with[0];
    }
    scenario.security(ca);
    List<String> declared = new ArrayList<>();
    items("clients").forEach(c -> declared.add((String) c.value()));
    for (Value client : security.get("clientsWithoutSidecar").map(Value::items).orElse(List.of())) {
      String name = (String) client.value();
      if (!declared.contains(name)) {
        reader.problem(
            client.line(),
            client.column(),
            client.path(),
            "\""
                + name
                + "\" is not a declared client"
                + ShapeReader.suggestion(name, declared)
                + " (expected one of "
                + declared
                + ")");
        continue;
      }
      scenario.clientWithoutSidecar(name);
    }
    List<String> workloads = new ArrayList<>(declared);
    for (Value service : items("services")) {
      String name = service.string("name").orElseThrow();
      workloads.add(name);
      service
          .get("versions")
          .ifPresent(
              v -> v.fields().keySet().forEach(version -> workloads.add(name + "/" + version)));
    }
    security
        .get("serviceAccounts")
        .ifPresent(
            accounts ->
                accounts
                    .fields()
                    .forEach(
                        (workload, account) -> {
                          if (!workloads.contains(workload)) {
                            reader.problem(
                                account.line(),
                                account.column(),
                                account.path(),
                                "not a declared workload"
                                    + ShapeReader.suggestion(workload, workloads)
                                    + " (expected one of "
                                    + workloads
                                    + ")");
                            return;
                          }
                          attempt(
                              account,
                              () -> scenario.serviceAccount(workload, (String) account.value()));
                        }));
  }

  private List<Value> items(String field) {
    return root.get(field).map(Value::items).orElse(List.of());
  }

  /** Runs a builder step; its refusal becomes a problem at {@code where}. */
  private void attempt(Value where, Runnable step) {
    YamlSupport.attempt(reader, where, step);
  }

  /**
   * Reads the topology's manifests (relative to the scenario file) into the scenario; a missing
   * file or a manifest problem is reported at the manifest's entry, with the manifest's own
   * file:line:column.
   */
  private void topology(Value topology, Scenario.Builder scenario, List<String> clientsOut) {
    List<IstioResource> resources = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    boolean complete = true;
    for (Value manifest : topology.get("manifests").orElseThrow().items()) {
      String path = (String) manifest.value();
      sources.add(path);
      Optional<String> yaml = istioFiles.apply(path);
      if (yaml.isEmpty()) {
        reader.problem(
            manifest.line(),
            manifest.column(),
            manifest.path(),
            "no such file: " + path + " (expected: a path relative to the scenario file)");
        complete = false;
        continue;
      }
      try {
        resources.addAll(IstioYamlParser.parse(yaml.get(), path, "default"));
      } catch (InvalidConfigException e) {
        e.problems()
            .forEach(
                p ->
                    reader.problem(
                        manifest.line(),
                        manifest.column(),
                        manifest.path(),
                        "Kubernetes manifest: " + p));
        complete = false;
      }
    }
    if (!complete) {
      return;
    }
    attempt(
        topology,
        () -> {
          try {
            Topology parsed = Topology.of(resources);
            scenario.topology(parsed, sources);
            // The Deployments no Service selects are the clients (Scenario.Builder.topology).
            parsed.workloads().stream()
                .filter(w -> w.serves().isEmpty())
                .forEach(w -> clientsOut.add(w.labels().get("app")));
          } catch (InvalidConfigException e) {
            throw new IllegalArgumentException("Kubernetes manifests: " + e.getMessage(), e);
          }
        });
  }

  private Optional<IstioSource> istio(Value istio) {
    Optional<String> file = istio.string("file");
    String name = file.orElseGet(() -> istio.string("source").orElse(source + " " + istio.path()));
    Optional<String> yaml =
        file.isPresent() ? istioFiles.apply(file.get()) : istio.string("inline");
    if (yaml.isEmpty()) {
      Value at = istio.get("file").orElseThrow();
      reader.problem(
          at.line(),
          at.column(),
          at.path(),
          "no such file: " + file.get() + " (expected: a path relative to the scenario file)");
      return Optional.empty();
    }
    try {
      // ${app.<instance>.port} is a port only once the apps run; a stand-in is parsed here.
      IstioYamlParser.parse(
          new IstioSource(name, yaml.get()).withStandInAppPorts().yaml(), name, "default");
    } catch (InvalidConfigException e) {
      e.problems()
          .forEach(
              p -> reader.problem(istio.line(), istio.column(), istio.path(), "Istio YAML: " + p));
      return Optional.empty();
    }
    return Optional.of(new IstioSource(name, yaml.get()));
  }

  /**
   * A version's own app: {@code address}, or {@code command} with its env and start timeout, run in
   * the scenario file's directory.
   */
  private AppSpec app(Value app) {
    Optional<String> address = app.string("address");
    if (address.isPresent()) {
      for (String commandOnly : List.of("env", "startTimeout")) {
        if (app.get(commandOnly).isPresent()) {
          throw new IllegalArgumentException(
              commandOnly + ": applies to a command only (expected: address alone)");
        }
      }
      return AppSpec.Listening.parse(address.get());
    }
    List<String> command =
        app.get("command").orElseThrow().items().stream().map(v -> (String) v.value()).toList();
    Map<String, String> env = new LinkedHashMap<>();
    app.get("env").ifPresent(e -> e.fields().forEach((k, v) -> env.put(k, (String) v.value())));
    return new AppSpec.Command(
        command,
        env,
        app.duration("startTimeout").orElse(AppSpec.Command.DEFAULT_START_TIMEOUT),
        directory);
  }

  /**
   * Whether a chaos selector names a declared service; if not, a problem at its line (the scenario
   * builder would report it too, but without a position in the file).
   */
  private boolean declaredService(Value selector) {
    Value name = selector.get("name").orElseThrow();
    List<String> services =
        items("services").stream().map(s -> s.string("name").orElseThrow()).toList();
    if (services.contains((String) name.value())) {
      return true;
    }
    reader.problem(
        name.line(),
        name.column(),
        name.path(),
        "chaos.service: "
            + name.value()
            + ShapeReader.suggestion((String) name.value(), services)
            + " (expected one of the declared services: "
            + services
            + ")");
    return false;
  }

  private void steadyState(Scenario.Builder scenario, Value hypothesis) {
    List<Expectation> expectations = new ArrayList<>();
    for (Value expect : hypothesis.get("expect").map(Value::items).orElse(List.of())) {
      // The probe is one traffic block: a window needs only to be a window.
      attempt(
          expect,
          () ->
              expectations.add(
                  expectation(expect, (e, sentDuring) -> window(e, sentDuring, List.of()))));
    }
    Value probe = hypothesis.get("probe").orElseThrow();
    if (!trafficReader.trafficFieldsAgree(probe)) {
      return;
    }
    attempt(
        hypothesis,
        () ->
            scenario.chaos(
                c ->
                    c.steadyState(
                        t -> trafficReader.traffic(probe, t),
                        expectations.toArray(Expectation[]::new))));
  }

  private Optional<Rollback> rollback(Value rollback) {
    if (rollback.get("istio").isPresent()) {
      return istio(rollback.get("istio").orElseThrow())
          .map(s -> new Rollback.ApplyIstio(s.source(), s.yaml()));
    }
    return Optional.of(instances(rollback.get("restoreService").orElseThrow()).restore());
  }

  /** An expectation's window over the scenario's traffic blocks. */
  private void trafficWindow(Value expectation, BiConsumer<Duration, Duration> sentDuring) {
    window(expectation, sentDuring, items("traffic"));
  }

  /**
   * Reads {@code during: {from, to}} of {@code expectation} into {@code sentDuring}. Each traffic
   * block is timed from its own start, so with several blocks the window must name its block; a
   * window starting after its block's {@code duration} could judge no request.
   */
  private void window(
      Value expectation, BiConsumer<Duration, Duration> sentDuring, List<Value> trafficBlocks) {
    Optional<Value> during = expectation.get("during");
    if (during.isEmpty()) {
      return;
    }
    Value window = during.get();
    Duration from = window.duration("from").orElseThrow();
    Duration to = window.duration("to").orElseThrow();
    List<String> names = trafficBlocks.stream().flatMap(t -> t.string("name").stream()).toList();
    Optional<String> traffic = expectation.string("traffic");
    if (traffic.isEmpty() && trafficBlocks.size() > 1) {
      reader.problem(
          window.line(),
          window.column(),
          window.path(),
          "a window over "
              + trafficBlocks.size()
              + " traffic blocks, each timed from its own start (expected: name one with"
              + " traffic: beside during, one of "
              + names
              + ")");
      return;
    }
    Optional<Value> block =
        traffic.isEmpty() && trafficBlocks.size() == 1
            ? Optional.of(trafficBlocks.get(0))
            : trafficBlocks.stream().filter(t -> t.string("name").equals(traffic)).findFirst();
    Optional<Duration> lasts = block.flatMap(t -> t.duration("duration"));
    if (lasts.isPresent() && from.compareTo(lasts.get()) >= 0) {
      Value fromValue = window.get("from").orElseThrow();
      reader.problem(
          fromValue.line(),
          fromValue.column(),
          fromValue.path(),
          Durations.format(from)
              + " is not before the end of traffic "
              + block.get().string("name").orElse("traffic-1")
              + " (duration "
              + Durations.format(lasts.get())
              + "), so no request could be judged (expected: from < "
              + Durations.format(lasts.get())
              + ")");
      return;
    }
    attempt(window, () -> sentDuring.accept(from, to));
  }
}
