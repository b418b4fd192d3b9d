package dev.meshproof.scenario.yaml;

import static dev.meshproof.scenario.expect.Expectations.attempts;
import static dev.meshproof.scenario.expect.Expectations.ejection;
import static dev.meshproof.scenario.expect.Expectations.grpcStatus;
import static dev.meshproof.scenario.expect.Expectations.latency;
import static dev.meshproof.scenario.expect.Expectations.overflows;
import static dev.meshproof.scenario.expect.Expectations.requestsPerConnection;
import static dev.meshproof.scenario.expect.Expectations.responseFlag;
import static dev.meshproof.scenario.expect.Expectations.retryOverflows;
import static dev.meshproof.scenario.expect.Expectations.servedBy;
import static dev.meshproof.scenario.expect.Expectations.split;
import static dev.meshproof.scenario.expect.Expectations.successRate;

import dev.meshproof.chaos.NetworkFault;
import dev.meshproof.chaos.ServiceFault;
import dev.meshproof.chaos.network.Toxic;
import dev.meshproof.fake.behavior.StatusMix;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.config.ConfigProblem;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.config.IstioResource;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.security.MeshSecurity;
import dev.meshproof.runtime.topology.Topology;
import dev.meshproof.scenario.AppSpec;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioSecurity;
import dev.meshproof.scenario.ServiceSpec;
import dev.meshproof.scenario.chaos.Chaos;
import dev.meshproof.scenario.chaos.FaultSpec;
import dev.meshproof.scenario.chaos.InstanceSelector;
import dev.meshproof.scenario.chaos.Link;
import dev.meshproof.scenario.chaos.PlannedFault;
import dev.meshproof.scenario.chaos.Rollback;
import dev.meshproof.scenario.chaos.StartOn;
import dev.meshproof.scenario.expect.AttemptsExpectation;
import dev.meshproof.scenario.expect.Expectation;
import dev.meshproof.scenario.expect.Expectations;
import dev.meshproof.scenario.expect.MirrorExpectation;
import dev.meshproof.scenario.expect.PeerIdentityExpectation;
import dev.meshproof.scenario.expect.ReachabilityExpectation;
import dev.meshproof.scenario.expect.ResponseExpectation;
import dev.meshproof.scenario.expect.SplitExpectation;
import dev.meshproof.scenario.traffic.GrpcCalls;
import dev.meshproof.scenario.traffic.RequestVariation;
import dev.meshproof.scenario.traffic.TrafficProtocol;
import dev.meshproof.scenario.traffic.TrafficSpec;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Represent;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Scenario files: YAML that maps one to one onto the Java {@link Scenario} DSL. {@link #read}
 * checks a file against {@link ScenarioSchema} and builds the scenario, or throws an {@link
 * InvalidScenarioException} listing every problem with file:line:column (unknown keys with a "did
 * you mean", allowed values, Istio YAML problems); {@link #write} writes a scenario back.
 *
 * <pre>
 * # yaml-language-server: $schema=../schema/scenario.schema.json
 * name: catalog canary 90/10
 * services:
 *   - name: catalog
 *     versions: {v1: 1, v2: 1}
 * clients: [client]
 * istio:
 *   - file: catalog-canary.yaml
 * traffic:
 *   - from: client
 *     url: http://catalog/
 *     requests: 2000
 * expect:
 *   - split: {service: catalog, byVersion: {v1: 0.9, v2: 0.1}, alpha: 0.001}
 * </pre>
 */
public final class ScenarioYaml {
  private ScenarioYaml() {}

  /**
   * Reads a scenario file; Istio files it names are resolved relative to it, and the commands of
   * its own apps run in its directory.
   *
   * @throws InvalidScenarioException listing every problem; nothing of the scenario runs then
   */
  public static ScenarioFile read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidScenarioException(
          List.of(new ConfigProblem(file.toString(), 1, 1, "", "cannot read: " + e)));
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(
        file.toString(),
        text,
        relative -> {
          Path istio = dir.resolve(relative);
          return Files.isRegularFile(istio)
              ? Optional.of(IstioYamlParser.readUtf8(istio))
              : Optional.empty();
        },
        Optional.of(dir));
  }

  /**
   * Parses scenario text; {@code istioFiles} returns the text of an Istio file the scenario names
   * by relative path, or empty when there is none.
   *
   * @throws InvalidScenarioException listing every problem
   */
  public static ScenarioFile parse(
      String source, String text, Function<String, Optional<String>> istioFiles) {
    return parse(source, text, istioFiles, Optional.empty());
  }

  /**
   * As {@link #parse(String, String, Function)}, for a scenario file in {@code directory}: the
   * commands of its own apps run there (empty: in the caller's working directory).
   */
  public static ScenarioFile parse(
      String source,
      String text,
      Function<String, Optional<String>> istioFiles,
      Optional<Path> directory) {
    List<ConfigProblem> problems = new ArrayList<>();
    Node root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new InvalidScenarioException(
          List.of(
              new ConfigProblem(
                  source,
                  mark == null ? 1 : mark.getLine() + 1,
                  mark == null ? 1 : mark.getColumn() + 1,
                  "",
                  "not valid YAML: " + e.getProblem())));
    }
    if (root == null) {
      throw new InvalidScenarioException(
          List.of(
              new ConfigProblem(
                  source,
                  1,
                  1,
                  "",
                  "empty file (expected: a scenario with name, clients and" + " traffic)")));
    }
    ShapeReader reader = new ShapeReader(source, problems);
    Optional<Value> value = reader.read(root, ScenarioSchema.SCENARIO, "");
    if (value.isEmpty()) {
      throw new InvalidScenarioException(problems);
    }
    ScenarioFile file = new Builder(source, reader, istioFiles, value.get(), directory).build();
    if (!problems.isEmpty()) {
      throw new InvalidScenarioException(problems);
    }
    return file;
  }

  /**
   * Turns a checked tree into a scenario, reporting each builder's refusal where it was written.
   */
  private static final class Builder {
    private final String source;
    private final ShapeReader reader;
    private final Function<String, Optional<String>> istioFiles;
    private final Value root;

    /** The scenario file's directory, where its own apps' commands run; empty: the caller's. */
    private final Optional<Path> directory;

    Builder(
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
      root.get("jwt").ifPresent(this::jwt);
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
        if (trafficFieldsAgree(traffic)) {
          attempt(traffic, () -> scenario.traffic(t -> traffic(traffic, t)));
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
        attempt(expect, () -> scenario.expect(expectation(expect)));
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
     * The CA (its presence enables it), service accounts and clients without a sidecar; each
     * refusal at its own entry.
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
      for (Value client :
          security.get("clientsWithoutSidecar").map(Value::items).orElse(List.of())) {
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

    /** A MeshConfig {@code extensionProviders} entry with an {@code envoyExtAuthzHttp} block. */
    private static dev.meshproof.runtime.config.ExtensionProvider extensionProvider(Value item) {
      Value http = item.get("envoyExtAuthzHttp").orElseThrow();
      Optional<Integer> statusOnError =
          http.string("statusOnError")
              .map(
                  code -> {
                    if (!code.matches("[0-9]{3}")) {
                      throw new IllegalArgumentException(
                          "envoyExtAuthzHttp.statusOnError: \""
                              + code
                              + "\" (expected: an HTTP status, e.g. \"503\")");
                    }
                    return Integer.parseInt(code);
                  });
      return new dev.meshproof.runtime.config.ExtensionProvider(
          item.string("name").orElseThrow(),
          http.string("service").orElseThrow(),
          http.integer("port").orElseThrow().intValue(),
          http.duration("timeout"),
          http.string("pathPrefix").orElse(""),
          http.bool("failOpen").orElse(false),
          statusOnError,
          strings(http, "includeRequestHeadersInCheck"),
          http.get("includeAdditionalHeadersInCheck")
              .map(
                  v -> {
                    Map<String, String> out = new java.util.LinkedHashMap<>();
                    v.fields().forEach((k, x) -> out.put(k, (String) x.value()));
                    return out;
                  })
              .orElse(Map.of()),
          strings(http, "headersToUpstreamOnAllow"),
          strings(http, "headersToDownstreamOnDeny"),
          strings(http, "headersToDownstreamOnAllow"));
    }

    private static List<String> strings(Value v, String field) {
      return v.get(field)
          .map(list -> list.items().stream().map(x -> (String) x.value()).toList())
          .orElse(List.of());
    }

    /** Runs a builder step; its refusal becomes a problem at {@code where}. */
    private void attempt(Value where, Runnable step) {
      try {
        step.run();
      } catch (IllegalArgumentException | IllegalStateException e) {
        reader.problem(where.line(), where.column(), where.path(), e.getMessage());
      }
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
      String name =
          file.orElseGet(() -> istio.string("source").orElse(source + " " + istio.path()));
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
                p ->
                    reader.problem(istio.line(), istio.column(), istio.path(), "Istio YAML: " + p));
        return Optional.empty();
      }
      return Optional.of(new IstioSource(name, yaml.get()));
    }

    /**
     * Checks a traffic block's fields that only make sense together, and its URLs, reporting each
     * problem at the field itself; false when one was found.
     */
    private boolean trafficFieldsAgree(Value traffic) {
      boolean ok = true;
      Optional<Value> every = traffic.get("every");
      if (every.isPresent() && traffic.get("rate").isPresent()) {
        reader.problem(
            every.get().line(),
            every.get().column(),
            every.get().path(),
            "every cannot be combined with rate (expected: rate for an open loop, or every for a"
                + " paced closed loop)");
        ok = false;
      }
      if (every.isPresent()
          && traffic.string("protocol").orElse("HTTP1").equals(TrafficProtocol.HTTP2.name())) {
        reader.problem(
            every.get().line(),
            every.get().column(),
            every.get().path(),
            "every paces HTTP1 traffic only (expected: rate for paced HTTP2 traffic)");
        ok = false;
      }
      List<Value> urls = new ArrayList<>();
      traffic.get("url").ifPresent(urls::add);
      traffic
          .get("variants")
          .ifPresent(vs -> vs.items().forEach(v -> v.get("url").ifPresent(urls::add)));
      for (Value url : urls) {
        String text = ((String) url.value()).replace(RequestVariation.SEQ, "0");
        try {
          java.net.URI uri = new java.net.URI(text);
          if (!("http".equals(uri.getScheme())
                  || "https".equals(uri.getScheme())
                  || "tcp".equals(uri.getScheme()))
              || uri.getHost() == null) {
            throw new java.net.URISyntaxException(
                text, "not an http, https or tcp URL with a host");
          }
          boolean https = "https".equals(uri.getScheme());
          if (https && !traffic.string("from").orElse("").equals(Scenario.INGRESS_GATEWAY)) {
            reader.problem(
                url.line(),
                url.column(),
                url.path(),
                "\""
                    + url.value()
                    + "\": https traffic is a client outside the mesh calling the ingress gateway"
                    + " (expected: from: "
                    + Scenario.INGRESS_GATEWAY
                    + ", or an http:// URL)");
            ok = false;
          } else if (https != traffic.get("tls").isPresent()) {
            Value at = traffic.get("tls").orElse(url);
            reader.problem(
                at.line(),
                at.column(),
                at.path(),
                https
                    ? "https needs the client's tls (expected: tls with at least caCertificates)"
                    : "tls applies to https traffic only (expected: an https:// url)");
            ok = false;
          }
        } catch (java.net.URISyntaxException e) {
          reader.problem(
              url.line(),
              url.column(),
              url.path(),
              "\""
                  + url.value()
                  + "\" is not a URL: "
                  + e.getReason()
                  + " (expected: http://<service>[:port]/path, "
                  + RequestVariation.SEQ
                  + " for the request's sequence number)");
          ok = false;
        }
      }
      return ok;
    }

    /**
     * A version's own app: {@code address}, or {@code command} with its env and start timeout, run
     * in the scenario file's directory.
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

    private void traffic(Value traffic, TrafficSpec.Builder t) {
      traffic.string("name").ifPresent(t::named);
      t.from(traffic.string("from").orElseThrow())
          .request(
              traffic
                  .string("method")
                  .orElse(
                      traffic.string("protocol").filter("GRPC"::equals).isPresent()
                          ? "POST"
                          : "GET"),
              traffic.string("url").orElseThrow());
      traffic.string("protocol").ifPresent(t::protocol);
      traffic.get("tls").flatMap(this::clientTls).ifPresent(t::tls);
      traffic.string("body").ifPresent(t::body);
      traffic
          .get("headers")
          .ifPresent(h -> h.fields().forEach((name, value) -> t.header(name, withTokens(value))));
      traffic.integer("requests").ifPresent(n -> t.requests(Math.toIntExact(n)));
      traffic.integer("concurrency").ifPresent(n -> t.concurrency(n.intValue()));
      traffic.duration("every").ifPresent(t::every);
      traffic.duration("timeout").ifPresent(t::timeout);
      traffic.duration("duration").ifPresent(t::duration);
      traffic.number("rate").ifPresent(t::rate);
      for (Value variant : traffic.get("variants").map(Value::items).orElse(List.of())) {
        Map<String, String> headers = new LinkedHashMap<>();
        variant
            .get("headers")
            .ifPresent(
                h -> h.fields().forEach((name, value) -> headers.put(name, withTokens(value))));
        t.variants(
            new RequestVariation.Variant(variant.string("url"), headers, variant.string("body")));
      }
    }

    /**
     * An https traffic's {@code tls}: the SNI ({@code ""} for none; default the URL's host), the CA
     * bundle it trusts and its optional client certificate and key, each a file relative to the
     * scenario file; a missing file is a problem at its field.
     */
    private Optional<dev.meshproof.runtime.client.ClientTls> clientTls(Value tls) {
      Map<String, Optional<String>> files = new LinkedHashMap<>();
      Map<String, String> paths = new LinkedHashMap<>();
      boolean ok = true;
      for (String field : List.of("caCertificates", "clientCertificate", "privateKey")) {
        Optional<Value> at = tls.get(field);
        if (at.isEmpty()) {
          files.put(field, Optional.empty());
          continue;
        }
        paths.put(field, (String) at.get().value());
        Optional<String> content = istioFiles.apply((String) at.get().value());
        if (content.isEmpty()) {
          reader.problem(
              at.get().line(),
              at.get().column(),
              at.get().path(),
              "no such file: "
                  + at.get().value()
                  + " (expected: a PEM file relative to the scenario file)");
          ok = false;
        }
        files.put(field, content);
      }
      if (!ok) {
        return Optional.empty();
      }
      java.util.concurrent.atomic.AtomicReference<dev.meshproof.runtime.client.ClientTls> out =
          new java.util.concurrent.atomic.AtomicReference<>();
      attempt(
          tls,
          () ->
              out.set(
                  new dev.meshproof.runtime.client.ClientTls(
                      tls.string("sni"),
                      files.get("caCertificates").orElseThrow(),
                      files.get("clientCertificate"),
                      files.get("privateKey"),
                      paths)));
      return Optional.ofNullable(out.get());
    }

    /** The tokens of the scenario's {@code jwt} block, by name. */
    private final Map<String, String> tokens = new LinkedHashMap<>();

    private static final java.util.regex.Pattern TOKEN =
        java.util.regex.Pattern.compile("\\$\\{jwt\\.([^}]*)\\}");

    /** A header value with each {@code ${jwt.<token>}} replaced; an unknown token is a problem. */
    private String withTokens(Value value) {
      String text = (String) value.value();
      java.util.regex.Matcher m = TOKEN.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String token = tokens.get(m.group(1));
        if (token == null && !unusable.contains("token:" + m.group(1))) {
          reader.problem(
              value.line(),
              value.column(),
              value.path(),
              "${jwt."
                  + m.group(1)
                  + "} names no token (expected one of "
                  + tokens.keySet()
                  + ", declared under jwt.tokens)");
          token = "";
        }
        m.appendReplacement(
            out, java.util.regex.Matcher.quoteReplacement(token == null ? "" : token));
      }
      m.appendTail(out);
      return out.toString();
    }

    /** Reads the issuers' keys and mints the tokens, each refusal at its own entry. */
    private void jwt(Value jwt) {
      Map<String, dev.meshproof.scenario.ScenarioJwt.Issuer> issuers = new LinkedHashMap<>();
      for (Value issuer : jwt.get("issuers").map(Value::items).orElse(List.of())) {
        Value key = issuer.get("key").orElseThrow();
        // reported once, at the key: its tokens and their uses are not reported again
        unusable.add(issuer.string("name").orElseThrow());
        Optional<String> jwk = istioFiles.apply((String) key.value());
        if (jwk.isEmpty()) {
          reader.problem(
              key.line(),
              key.column(),
              key.path(),
              "no such file: " + key.value() + " (expected: a path relative to the scenario file)");
          continue;
        }
        attempt(
            key,
            () ->
                putIssuer(
                    issuers,
                    issuer.string("name").orElseThrow(),
                    dev.meshproof.scenario.ScenarioJwt.issuer(
                        issuer.string("issuer").orElseThrow(), jwk.get())));
      }
      java.time.Instant now = java.time.Instant.now();
      for (Value token : jwt.get("tokens").map(Value::items).orElse(List.of())) {
        boolean broken =
            java.util.stream.Stream.of("issuer", "signedBy")
                .flatMap(f -> token.string(f).stream())
                .anyMatch(n -> unusable.contains(n) && !issuers.containsKey(n));
        if (broken) {
          unusable.add("token:" + token.string("name").orElseThrow());
          continue;
        }
        Optional<dev.meshproof.scenario.ScenarioJwt.Issuer> issuer =
            declaredIssuer(token.get("issuer").orElseThrow(), issuers);
        Optional<dev.meshproof.scenario.ScenarioJwt.Issuer> signer =
            token.get("signedBy").isPresent()
                ? declaredIssuer(token.get("signedBy").orElseThrow(), issuers)
                : issuer;
        if (issuer.isEmpty() || signer.isEmpty()) {
          continue;
        }
        Map<String, String> claims = new LinkedHashMap<>();
        token
            .get("claims")
            .ifPresent(c -> c.fields().forEach((k, v) -> claims.put(k, (String) v.value())));
        List<String> audiences = new ArrayList<>();
        token
            .get("audiences")
            .ifPresent(a -> a.items().forEach(v -> audiences.add((String) v.value())));
        attempt(
            token,
            () ->
                tokens.put(
                    token.string("name").orElseThrow(),
                    dev.meshproof.scenario.ScenarioJwt.mint(
                        new dev.meshproof.scenario.ScenarioJwt.Token(
                            issuer.get(),
                            signer.get(),
                            token.string("subject"),
                            audiences,
                            claims,
                            token.duration("expiresIn").orElse(java.time.Duration.ofHours(1)),
                            token.bool("expired").orElse(false)),
                        now)));
      }
    }

    /** Issuers whose key could not be read and their tokens ({@code token:<name>}). */
    private final java.util.Set<String> unusable = new java.util.HashSet<>();

    private void putIssuer(
        Map<String, dev.meshproof.scenario.ScenarioJwt.Issuer> issuers,
        String name,
        dev.meshproof.scenario.ScenarioJwt.Issuer issuer) {
      issuers.put(name, issuer);
    }

    private Optional<dev.meshproof.scenario.ScenarioJwt.Issuer> declaredIssuer(
        Value name, Map<String, dev.meshproof.scenario.ScenarioJwt.Issuer> issuers) {
      var issuer = issuers.get((String) name.value());
      if (issuer == null) {
        reader.problem(
            name.line(),
            name.column(),
            name.path(),
            "\""
                + name.value()
                + "\" is not a declared issuer (expected one of "
                + issuers.keySet()
                + ")");
      }
      return Optional.ofNullable(issuer);
    }

    /** The instance selectors a chaos entry names (each checked against the services). */
    private static List<Value> chaosSelectors(Value chaos) {
      List<Value> selectors = new ArrayList<>();
      chaos.get("service").ifPresent(selectors::add);
      chaos.get("scale").ifPresent(selectors::add);
      chaos.get("partition").flatMap(p -> p.get("to")).ifPresent(selectors::add);
      chaos
          .get("network")
          .flatMap(n -> n.get("link"))
          .ifPresent(
              link -> {
                link.get("to").ifPresent(selectors::add);
                link.get("app").ifPresent(selectors::add);
              });
      return selectors;
    }

    /**
     * Whether a chaos selector names a declared service; if not, a problem at its line (the
     * scenario builder would report it too, but without a position in the file).
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
        attempt(expect, () -> expectations.add(expectation(expect)));
      }
      Value probe = hypothesis.get("probe").orElseThrow();
      if (!trafficFieldsAgree(probe)) {
        return;
      }
      attempt(
          hypothesis,
          () ->
              scenario.chaos(
                  c ->
                      c.steadyState(
                          t -> traffic(probe, t), expectations.toArray(Expectation[]::new))));
    }

    private Optional<Rollback> rollback(Value rollback) {
      if (rollback.get("istio").isPresent()) {
        return istio(rollback.get("istio").orElseThrow())
            .map(s -> new Rollback.ApplyIstio(s.source(), s.yaml()));
      }
      return Optional.of(instances(rollback.get("restoreService").orElseThrow()).restore());
    }

    private static InstanceSelector selector(Value service) {
      return new InstanceSelector(
          service.string("name").orElseThrow(),
          service.string("version"),
          service.string("instance"));
    }

    private static Chaos.Instances instances(Value service) {
      Chaos.Instances instances = Chaos.service(service.string("name").orElseThrow());
      instances = service.string("version").map(instances::version).orElse(instances);
      return service.string("instance").map(instances::instance).orElse(instances);
    }

    private static FaultSpec fault(Value chaos) {
      if (chaos.bool("controlPlaneOutage").isPresent()) {
        requireTrue(chaos, "controlPlaneOutage");
        return Chaos.controlPlaneOutage();
      }
      if (chaos.get("network").isPresent()) {
        return network(chaos.get("network").orElseThrow());
      }
      if (chaos.get("partition").isPresent()) {
        Value partition = chaos.get("partition").orElseThrow();
        Chaos.Instances to = instances(partition.get("to").orElseThrow());
        Chaos.Links links = partition.string("from").map(to::from).orElseGet(to::fromEveryCaller);
        return partition.string("mode").orElse("refuse").equals("blackhole")
            ? links.blackholed()
            : links.refused();
      }
      if (chaos.get("scale").isPresent()) {
        Value scale = chaos.get("scale").orElseThrow();
        return Chaos.scale(
            scale.string("name").orElseThrow(),
            scale.string("version").orElseThrow(),
            scale.integer("replicas").orElseThrow().intValue());
      }
      if (chaos.get("proxy").isPresent()) {
        Value proxy = chaos.get("proxy").orElseThrow();
        return Chaos.proxy(
            proxy.string("name").orElseThrow(),
            proxy.string("fault").orElseThrow(),
            proxy.string("restore").orElseThrow());
      }
      Value service = chaos.get("service").orElseThrow();
      Chaos.Instances instances = instances(service);
      if (service.get("answering").isPresent()
          && service.get("notReady").isEmpty()
          && service.get("flap").isEmpty()) {
        throw new IllegalArgumentException(
            "answering: only with notReady or flap (expected: no answering with another effect)");
      }
      if (service.get("errors").isPresent()) {
        Value errors = service.get("errors").orElseThrow();
        return instances.errors(
            errors.number("fraction").orElseThrow(), errors.string("statuses").orElseThrow());
      }
      if (service.get("latency").isPresent()) {
        return instances.latency(service.duration("latency").orElseThrow());
      }
      if (service.get("hang").isPresent()) {
        return instances.hang(service.number("hang").orElseThrow());
      }
      if (service.get("kill").isPresent()) {
        requireTrue(service, "kill");
        return instances.kill();
      }
      if (service.get("drain").isPresent()) {
        requireTrue(service, "drain");
        return instances.drain();
      }
      if (service.get("reset").isPresent()) {
        return instances.effect(
            new ServiceFault.ConnectionFault(
                dev.meshproof.fake.behavior.Fault.RESET, service.number("reset").orElseThrow()));
      }
      if (service.get("latencyDistribution").isPresent()) {
        return instances.effect(
            new ServiceFault.LatencyDistribution(
                latencyDistribution(service.get("latencyDistribution").orElseThrow())));
      }
      if (service.get("flap").isPresent()) {
        Value flap = service.get("flap").orElseThrow();
        return new FaultSpec.Flap(
            selector(service),
            flap.duration("notReady").orElseThrow(),
            flap.duration("ready").orElseThrow(),
            answering(service));
      }
      if (service.get("ramp").isPresent()) {
        Value ramp = service.get("ramp").orElseThrow();
        FaultSpec.RampOf of;
        if (ramp.get("errors").isPresent()) {
          Value errors = ramp.get("errors").orElseThrow();
          of =
              new FaultSpec.ErrorRamp(
                  errors.number("from").orElseThrow(),
                  errors.number("to").orElseThrow(),
                  StatusMix.parse(errors.string("statuses").orElseThrow()));
        } else {
          Value latency = ramp.get("latency").orElseThrow();
          of =
              new FaultSpec.LatencyRamp(
                  latency.duration("from").orElseThrow(), latency.duration("to").orElseThrow());
        }
        return new FaultSpec.Ramp(selector(service), of, ramp.integer("steps").map(Long::intValue));
      }
      requireTrue(service, "notReady");
      return new FaultSpec.NotReady(selector(service), answering(service));
    }

    /** A chaos entry's {@code after}: a number of requests, or the end of an earlier entry. */
    private static StartOn startOn(Value after) {
      return after.integer("requests").isPresent()
          ? new StartOn.Requests(after.integer("requests").orElseThrow())
          : new StartOn.FaultEnds(after.integer("faultEnds").orElseThrow().intValue());
    }

    /** The status mix a not-ready instance answers, if the entry gives one. */
    private static Optional<StatusMix> answering(Value service) {
      return service.string("answering").map(StatusMix::parse);
    }

    private static dev.meshproof.fake.behavior.Latency latencyDistribution(Value d) {
      if (d.get("uniform").isPresent()) {
        Value u = d.get("uniform").orElseThrow();
        return new dev.meshproof.fake.behavior.Latency.Uniform(
            u.duration("min").orElseThrow(), u.duration("max").orElseThrow());
      }
      if (d.get("normal").isPresent()) {
        Value n = d.get("normal").orElseThrow();
        return new dev.meshproof.fake.behavior.Latency.Normal(
            n.duration("mean").orElseThrow(), n.duration("stddev").orElseThrow());
      }
      Value l = d.get("logNormal").orElseThrow();
      return new dev.meshproof.fake.behavior.Latency.LogNormal(
          l.duration("median").orElseThrow(), l.number("sigma").orElseThrow());
    }

    /** A {@code network} chaos entry: one toxic on one link. */
    private static FaultSpec network(Value network) {
      Value link = network.get("link").orElseThrow();
      Chaos.Links links;
      if (link.get("app").isPresent()) {
        if (link.get("from").isPresent()) {
          throw new IllegalArgumentException(
              "network.link.from: only with to (expected: no from with app: a sidecar-to-app"
                  + " link is used by the instance's own sidecar only)");
        }
        links = instances(link.get("app").orElseThrow()).sidecarToApp();
      } else {
        Chaos.Instances to = instances(link.get("to").orElseThrow());
        links = link.string("from").map(to::from).orElseGet(to::fromEveryCaller);
      }
      Toxic.Stream stream =
          network.string("direction").orElse("downstream").equals("upstream")
              ? Toxic.Stream.UPSTREAM
              : Toxic.Stream.DOWNSTREAM;
      if (network.get("jitter").isPresent() && network.get("latency").isEmpty()) {
        throw new IllegalArgumentException(
            "network.jitter: only with latency (expected: latency: <duration> beside it)");
      }
      Toxic toxic;
      if (network.get("latency").isPresent()) {
        toxic =
            new Toxic.Latency(
                network.duration("latency").orElseThrow(),
                network.duration("jitter").orElse(Duration.ZERO),
                stream);
      } else if (network.get("bandwidth").isPresent()) {
        toxic = new Toxic.Bandwidth(network.integer("bandwidth").orElseThrow(), stream);
      } else if (network.get("slowClose").isPresent()) {
        toxic = new Toxic.SlowClose(network.duration("slowClose").orElseThrow(), stream);
      } else if (network.get("timeout").isPresent()) {
        toxic = new Toxic.Timeout(network.duration("timeout").orElseThrow(), stream);
      } else if (network.get("blackhole").isPresent()) {
        requireTrue(network, "blackhole");
        // Without a direction a blackhole drops both ways, as a partition does.
        toxic =
            network.get("direction").isPresent()
                ? new Toxic.Blackhole(java.util.Set.of(stream))
                : Toxic.blackhole();
      } else if (network.get("reset").isPresent()) {
        requireTrue(network, "reset");
        toxic = Toxic.reset();
      } else if (network.get("slicer").isPresent()) {
        Value slicer = network.get("slicer").orElseThrow();
        toxic =
            new Toxic.Slicer(
                slicer.integer("averageSize").orElseThrow().intValue(),
                slicer.integer("sizeVariation").orElse(0L).intValue(),
                slicer.duration("delay").orElse(Duration.ZERO),
                stream);
      } else {
        toxic = new Toxic.LimitData(network.integer("limitData").orElseThrow(), stream);
      }
      double toxicity = network.number("toxicity").orElse(1.0);
      if (toxicity <= 0) {
        throw new IllegalArgumentException(
            "network.toxicity: " + toxicity + " (expected: a fraction of connections in (0, 1])");
      }
      return links.toxic(toxic, toxicity);
    }

    private static Expectation expectation(Value expect) {
      String kind = expect.fields().keySet().iterator().next();
      Value e = expect.get(kind).orElseThrow();
      return switch (kind) {
        case "split" -> {
          SplitExpectation.Builder split = split(e.string("service").orElseThrow());
          e.string("traffic").ifPresent(split::forTraffic);
          e.get("byVersion").ifPresent(v -> split.byVersion(shares(v)));
          e.get("byInstance").ifPresent(v -> split.byInstance(shares(v)));
          e.number("alpha").ifPresent(split::atAlpha);
          yield split.build();
        }
        case "successRate" -> {
          var rate = successRate().atLeast(e.number("atLeast").orElseThrow());
          e.number("alpha").ifPresent(rate::atAlpha);
          yield rate.build();
        }
        case "attempts" -> {
          AttemptsExpectation.Builder attempts = attempts();
          e.string("traffic").ifPresent(attempts::forTraffic);
          e.integer("exactly").ifPresent(n -> attempts.exactly(n.intValue()));
          if (e.bool("neverRetried").isPresent()) {
            requireTrue(e, "neverRetried");
            attempts.neverRetried();
          }
          e.get("distribution")
              .ifPresent(
                  d -> {
                    Map<Integer, Double> fractions = new TreeMap<>();
                    d.fields()
                        .forEach(
                            (count, share) -> {
                              try {
                                fractions.put(Integer.parseInt(count), (Double) share.value());
                              } catch (NumberFormatException x) {
                                throw new IllegalArgumentException(
                                    "distribution."
                                        + count
                                        + ": not an attempt count (expected: 1, 2, ...)");
                              }
                            });
                    attempts.distribution(fractions);
                  });
          e.number("alpha").ifPresent(attempts::atAlpha);
          yield attempts.build();
        }
        case "latency" -> {
          var latency = latency();
          e.string("traffic").ifPresent(latency::forTraffic);
          e.duration("atLeast").ifPresent(latency::atLeast);
          latency.atMost(e.duration("atMost").orElseThrow(), Duration.ZERO);
          yield latency.build();
        }
        case "responseFlag" -> {
          var flag = responseFlag(e.string("flag").orElseThrow());
          e.string("traffic").ifPresent(flag::forTraffic);
          e.integer("status").ifPresent(n -> flag.status(n.intValue()));
          e.duration("delayOf").ifPresent(flag::delayOf);
          e.number("fraction").ifPresent(flag::fraction);
          e.number("alpha").ifPresent(flag::atAlpha);
          yield flag.build();
        }
        case "grpcStatus" -> {
          var status = grpcStatus(e.string("code").orElseThrow());
          e.string("traffic").ifPresent(status::forTraffic);
          e.number("fraction").ifPresent(status::fraction);
          e.number("alpha").ifPresent(status::atAlpha);
          yield status.build();
        }
        case "streamed" ->
            dev.meshproof.scenario.expect.Expectations.streamed(e.string("traffic").orElseThrow());
        case "response" -> response(e);
        case "mirrored" -> mirrored(e);
        case "overflows" -> {
          if (e.bool("none").isPresent()) {
            requireTrue(e, "none");
            yield overflows().none();
          }
          yield overflows().atLeast(e.integer("atLeast").orElseThrow());
        }
        case "retryOverflows" -> {
          var retry = retryOverflows();
          e.string("traffic").ifPresent(retry::forTraffic);
          if (e.bool("none").isPresent()) {
            requireTrue(e, "none");
            yield retry.none();
          }
          yield retry.atLeast(e.integer("atLeast").orElseThrow());
        }
        case "requestsPerConnection" -> {
          var perConnection = requestsPerConnection();
          e.string("traffic").ifPresent(perConnection::forTraffic);
          if (e.integer("atMost").isPresent()) {
            yield perConnection.atMost(e.integer("atMost").orElseThrow().intValue());
          }
          yield perConnection.reusedAtLeast(e.integer("reusedAtLeast").orElseThrow().intValue());
        }
        case "metric" -> {
          var metric =
              dev.meshproof.scenario.expect.Expectations.metric(e.string("series").orElseThrow());
          if (e.bool("equalsObserved").isPresent()) {
            requireTrue(e, "equalsObserved");
            yield metric.equalsObserved();
          }
          yield metric.equalTo(e.integer("equals").orElseThrow());
        }
        case "stat" ->
            dev.meshproof.scenario.expect.Expectations.stat(
                e.string("name").orElseThrow(), e.integer("equals").orElseThrow());
        case "servedBy" ->
            servedBy(e.string("instance").orElseThrow()).atMost(e.integer("atMost").orElseThrow());
        case "sameInstancePerKey" -> {
          var affinity =
              Expectations.sameInstancePerKey(e.integer("keys").orElseThrow().intValue());
          e.string("traffic").ifPresent(affinity::forTraffic);
          e.integer("atLeastInstances").ifPresent(n -> affinity.atLeastInstances(n.intValue()));
          yield affinity.build();
        }
        case "ejection" ->
            ejection(e.string("instance").orElseThrow())
                .lastsAtLeast(e.duration("lastsAtLeast").orElseThrow())
                .readmittedWithin(e.duration("readmittedWithin").orElseThrow())
                .atAlpha(e.number("alpha").orElseThrow());
        case "reachability" -> {
          ReachabilityExpectation.Builder matrix = Expectations.reachability();
          for (Value cell : e.items()) {
            matrix.cell(
                cell.string("from").orElseThrow(),
                cell.string("to").orElseThrow(),
                cell.string("expect").orElseThrow());
          }
          yield matrix.build();
        }
        case "peerIdentity" -> {
          PeerIdentityExpectation.Builder identity =
              Expectations.peerIdentity(e.string("principal").orElseThrow());
          e.string("traffic").ifPresent(identity::forTraffic);
          e.integer("distinctCertificatesAtLeast")
              .ifPresent(n -> identity.distinctCertificatesAtLeast(n.intValue()));
          yield identity.build();
        }
        default -> throw new IllegalStateException("expectation kind " + kind + " not in schema");
      };
    }

    private static Expectation response(Value e) {
      ResponseExpectation.Builder response = Expectations.response();
      e.string("traffic").ifPresent(response::forTraffic);
      e.string("outcome").ifPresent(response::outcome);
      e.integer("status").ifPresent(n -> response.status(n.intValue()));
      e.get("headers")
          .ifPresent(h -> h.fields().forEach((n, v) -> response.header(n, (String) v.value())));
      e.get("headersAbsent")
          .ifPresent(h -> h.items().forEach(n -> response.headerAbsent((String) n.value())));
      e.string("body").ifPresent(response::body);
      e.get("received")
          .ifPresent(
              r -> {
                r.string("path").ifPresent(response::receivedPath);
                r.string("authority").ifPresent(response::receivedAuthority);
                r.get("headers")
                    .ifPresent(
                        h ->
                            h.fields()
                                .forEach((n, v) -> response.receivedHeader(n, (String) v.value())));
                r.get("headersAbsent")
                    .ifPresent(
                        h ->
                            h.items()
                                .forEach(n -> response.receivedHeaderAbsent((String) n.value())));
              });
      return response.build();
    }

    private static Expectation mirrored(Value e) {
      MirrorExpectation.Builder mirrored = Expectations.mirrored(e.string("service").orElseThrow());
      e.string("version").ifPresent(mirrored::version);
      e.string("traffic").ifPresent(mirrored::forTraffic);
      if (e.bool("all").isPresent()) {
        requireTrue(e, "all");
        mirrored.all();
      }
      if (e.bool("none").isPresent()) {
        requireTrue(e, "none");
        mirrored.none();
      }
      e.number("fraction").ifPresent(mirrored::fraction);
      e.number("alpha").ifPresent(mirrored::atAlpha);
      e.string("authority").ifPresent(mirrored::authority);
      return mirrored.build();
    }

    private static Map<String, Double> shares(Value map) {
      Map<String, Double> shares = new LinkedHashMap<>();
      map.fields().forEach((k, v) -> shares.put(k, (Double) v.value()));
      return shares;
    }

    private static void requireTrue(Value object, String field) {
      if (!object.bool(field).orElseThrow()) {
        throw new IllegalArgumentException(field + ": false (expected: true, or leave it out)");
      }
    }
  }

  /**
   * Writes {@code scenario} as a scenario file. With {@code istioAsFiles} each Istio source is
   * written as {@code file: <its source name>} (the catalogue keeps its manifests beside the
   * scenario), otherwise inline.
   *
   * @throws UnsupportedOperationException when the scenario holds something written in Java only,
   *     such as a custom expectation or a replaced behaviour
   */
  public static String write(
      Scenario scenario, Map<String, String> metadata, boolean istioAsFiles) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", scenario.name());
    if (!metadata.isEmpty()) {
      out.put("metadata", metadata);
    }
    if (!scenario.istioVersion().equals(IstioVersion.CURRENT)) {
      out.put("istioVersion", scenario.istioVersion().toString());
    }
    if (!scenario.compatibilityVersion().equals(scenario.istioVersion())) {
      out.put("compatibilityVersion", scenario.compatibilityVersion().toString());
    }
    out.put("seed", scenario.seed());
    if (scenario.outboundTrafficPolicy()
        != dev.meshproof.runtime.config.OutboundTrafficPolicy.ALLOW_ANY) {
      out.put("outboundTrafficPolicy", Map.of("mode", scenario.outboundTrafficPolicy().name()));
    }
    Scenario.Manifests manifests = scenario.manifests();
    if (!manifests.sources().isEmpty()) {
      // The manifests stand for the services and clients they declare: not written twice.
      out.put("topology", Map.of("manifests", manifests.sources()));
    }
    List<Object> services = new ArrayList<>();
    for (ServiceSpec service : scenario.services()) {
      if (manifests.services().contains(service.name())) {
        continue;
      }
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", service.name());
      if (service.port() != 80) {
        s.put("port", service.port());
      }
      if (!service.portName().equals("http")) {
        s.put("portName", service.portName());
      }
      s.put("versions", service.replicasByVersion());
      if (!service.apps().isEmpty()) {
        Map<String, Object> apps = new LinkedHashMap<>();
        service
            .apps()
            .forEach(
                (version, app) -> {
                  Map<String, Object> a = new LinkedHashMap<>();
                  if (app instanceof AppSpec.Listening listening) {
                    a.put("address", listening.toString());
                  } else if (app instanceof AppSpec.Command command) {
                    a.put("command", command.command());
                    if (!command.env().isEmpty()) {
                      a.put("env", new LinkedHashMap<>(command.env()));
                    }
                    if (!command.startTimeout().equals(AppSpec.Command.DEFAULT_START_TIMEOUT)) {
                      a.put("startTimeout", command.startTimeout());
                    }
                  }
                  apps.put(version, a);
                });
        s.put("apps", apps);
      }
      scenario
          .security()
          .tlsOf(service.name())
          .ifPresent(
              tls -> {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put(
                    "certificate", fileSource(scenario, "tls/" + service.name() + "/certificate"));
                t.put("privateKey", fileSource(scenario, "tls/" + service.name() + "/privateKey"));
                if (tls.clientCaPem().isPresent()) {
                  t.put(
                      "clientCaCertificates",
                      fileSource(scenario, "tls/" + service.name() + "/clientCaCertificates"));
                }
                s.put("tls", t);
              });
      services.add(s);
    }
    putNonEmpty(out, "services", services);
    List<String> clients =
        scenario.clients().stream().filter(c -> !manifests.clients().contains(c)).toList();
    if (manifests.sources().isEmpty()) {
      out.put("clients", clients);
    } else {
      putNonEmpty(out, "clients", new ArrayList<>(clients));
    }
    if (!scenario.security().isMeshSecurityNone()) {
      out.put("security", security(scenario.security()));
    }
    if (!scenario.security().proxyFiles().isEmpty()) {
      Map<String, Object> files = new LinkedHashMap<>();
      scenario
          .security()
          .proxyFiles()
          .keySet()
          .forEach(p -> files.put(p, fileSource(scenario, "proxyFiles/" + p)));
      out.put("proxyFiles", files);
    }
    if (!scenario.localities().isEmpty()) {
      out.put("localities", new LinkedHashMap<>(scenario.localities()));
    }
    List<Object> istio = new ArrayList<>();
    for (IstioSource source : scenario.istio()) {
      istio.add(
          istioAsFiles
              ? Map.of("file", source.source())
              : new LinkedHashMap<>(Map.of("source", source.source(), "inline", source.yaml())));
    }
    putNonEmpty(out, "istio", istio);
    List<Object> traffic = new ArrayList<>();
    for (TrafficSpec t : scenario.traffic()) {
      traffic.add(trafficBlock(t));
    }
    out.put("traffic", traffic);
    List<Object> chaos = new ArrayList<>();
    for (PlannedFault planned : scenario.chaos().faults()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("at", planned.at());
      planned.duration().ifPresent(d -> entry.put("duration", d));
      planned
          .after()
          .ifPresent(
              after ->
                  entry.put(
                      "after",
                      after instanceof StartOn.Requests r
                          ? Map.of("requests", r.count())
                          : Map.of("faultEnds", ((StartOn.FaultEnds) after).entry())));
      entry.putAll(fault(planned.fault()));
      chaos.add(entry);
    }
    putNonEmpty(out, "chaos", chaos);
    scenario
        .chaos()
        .steadyState()
        .ifPresent(
            hypothesis -> {
              Map<String, Object> h = new LinkedHashMap<>();
              h.put("probe", trafficBlock(hypothesis.probe()));
              h.put(
                  "expect",
                  new ArrayList<>(
                      hypothesis.expectations().stream().map(Expectation::toYaml).toList()));
              out.put("steadyState", h);
            });
    List<Object> rollbacks = new ArrayList<>();
    for (Rollback rollback : scenario.chaos().rollbacks()) {
      rollbacks.add(rollback(rollback, istioAsFiles));
    }
    putNonEmpty(out, "rollbacks", rollbacks);
    putNonEmpty(
        out,
        "expect",
        new ArrayList<>(scenario.expectations().stream().map(Expectation::toYaml).toList()));
    return dumper().dump(out);
  }

  /** The file a scenario file read for {@code key}; a scenario built in Java has none. */
  private static String fileSource(Scenario scenario, String key) {
    String file = scenario.security().fileSources().get(key);
    if (file == null) {
      throw new UnsupportedOperationException(
          key
              + " was given as content in Java and has no file to name (expected: a scenario read"
              + " from a file)");
    }
    return file;
  }

  private static Map<String, Object> security(ScenarioSecurity security) {
    Map<String, Object> out = new LinkedHashMap<>();
    MeshSecurity ca =
        security
            .ca()
            .orElseThrow(
                () ->
                    new UnsupportedOperationException(
                        "service accounts or clients without a sidecar in a mesh without a CA have"
                            + " no scenario-file form (expected: Scenario.Builder.security(..))"));
    MeshSecurity defaults = MeshSecurity.defaults();
    if (!ca.trustDomain().equals(defaults.trustDomain())) {
      out.put("trustDomain", ca.trustDomain());
    }
    if (!ca.workloadCertTtl().equals(defaults.workloadCertTtl())) {
      out.put("workloadCertTtl", ca.workloadCertTtl());
    }
    if (ca.cacerts().isPresent()) {
      throw new UnsupportedOperationException(
          "a plug-in cacerts directory has no scenario-file form yet (expected: a generated root)");
    }
    if (!ca.autoMtls()) {
      out.put("autoMtls", false);
    }
    if (!ca.extensionProviders().isEmpty()) {
      List<Map<String, Object>> providers = new ArrayList<>();
      for (var p : ca.extensionProviders()) {
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("service", p.service());
        http.put("port", (long) p.port());
        if (!p.pathPrefix().isEmpty()) {
          http.put("pathPrefix", p.pathPrefix());
        }
        p.timeout().ifPresent(t -> http.put("timeout", t));
        if (p.failOpen()) {
          http.put("failOpen", true);
        }
        p.statusOnError().ifPresent(c -> http.put("statusOnError", String.valueOf(c)));
        putList(http, "includeRequestHeadersInCheck", p.includeRequestHeadersInCheck());
        if (!p.includeAdditionalHeadersInCheck().isEmpty()) {
          http.put(
              "includeAdditionalHeadersInCheck",
              new TreeMap<>(p.includeAdditionalHeadersInCheck()));
        }
        putList(http, "headersToUpstreamOnAllow", p.headersToUpstreamOnAllow());
        putList(http, "headersToDownstreamOnDeny", p.headersToDownstreamOnDeny());
        putList(http, "headersToDownstreamOnAllow", p.headersToDownstreamOnAllow());
        Map<String, Object> provider = new LinkedHashMap<>();
        provider.put("name", p.name());
        provider.put("envoyExtAuthzHttp", http);
        providers.add(provider);
      }
      out.put("extensionProviders", providers);
    }
    if (!security.serviceAccounts().isEmpty()) {
      out.put("serviceAccounts", security.serviceAccounts());
    }
    if (!security.clientsWithoutSidecar().isEmpty()) {
      out.put("clientsWithoutSidecar", security.clientsWithoutSidecar());
    }
    return out;
  }

  private static Map<String, Object> rollback(Rollback rollback, boolean istioAsFiles) {
    if (rollback instanceof Rollback.RestoreService restore) {
      return Map.of("restoreService", selector(restore.instances()));
    }
    if (rollback instanceof Rollback.ApplyIstio apply) {
      return Map.of(
          "istio",
          istioAsFiles
              ? Map.of("file", apply.source())
              : new LinkedHashMap<>(Map.of("source", apply.source(), "inline", apply.yaml())));
    }
    throw new UnsupportedOperationException(
        "rollback "
            + rollback.description()
            + " is a Java action and has no scenario-file form (expected: restoreService or"
            + " istio)");
  }

  /** An https client's {@code tls} block: the files it was read from, and its SNI. */
  private static Map<String, Object> tlsBlock(
      String traffic, dev.meshproof.runtime.client.ClientTls tls) {
    if (!tls.files().containsKey("caCertificates")) {
      throw new UnsupportedOperationException(
          "traffic "
              + traffic
              + ": an https client's tls built in Java holds the certificates' content, not the"
              + " files a scenario file names (expected: a tls block read from a scenario file)");
    }
    Map<String, Object> block = new LinkedHashMap<>(tls.files());
    tls.sni().ifPresent(sni -> block.put("sni", sni));
    return block;
  }

  private static Map<String, Object> trafficBlock(TrafficSpec t) {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("name", t.name());
    block.put("from", t.from());
    block.put("url", t.variation().urlTemplate().orElse(t.request().url().toString()));
    if (GrpcCalls.isGrpc(t.request())) {
      block.put("protocol", "GRPC");
      Map<String, String> headers = new TreeMap<>(t.request().headers());
      headers.remove("content-type");
      headers.remove("te");
      if (!headers.isEmpty()) {
        block.put("headers", headers);
      }
      String json = GrpcCalls.echoRequestJson(t.request().body());
      if (!json.isEmpty()) {
        block.put("body", json);
      }
    } else {
      if (!t.request().method().equals("GET")) {
        block.put("method", t.request().method());
      }
      if (!t.request().headers().isEmpty()) {
        block.put("headers", new TreeMap<>(t.request().headers()));
      }
      if (t.request().body().length > 0) {
        block.put("body", new String(t.request().body(), StandardCharsets.UTF_8));
      }
    }
    t.request().tls().ifPresent(tls -> block.put("tls", tlsBlock(t.name(), tls)));
    if (t.requests() > 0) {
      block.put("requests", t.requests());
    }
    if (!t.duration().isZero()) {
      block.put("duration", t.duration());
    }
    if (t.openLoop()) {
      block.put("rate", t.rate());
    }
    if (t.concurrency() != 1) {
      block.put("concurrency", t.concurrency());
    }
    if (t.protocol() != TrafficProtocol.HTTP1) {
      block.put("protocol", t.protocol().name());
    }
    if (!t.variation().variants().isEmpty()) {
      List<Object> variants = new ArrayList<>();
      for (RequestVariation.Variant v : t.variation().variants()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        v.url().ifPresent(u -> entry.put("url", u));
        if (!v.headers().isEmpty()) {
          entry.put("headers", new LinkedHashMap<>(v.headers()));
        }
        v.body().ifPresent(b -> entry.put("body", b));
        variants.add(entry);
      }
      block.put("variants", variants);
    }
    if (!t.pace().isZero()) {
      block.put("every", t.pace());
    }
    if (!t.request().timeout().equals(HttpRequestSpec.DEFAULT_TIMEOUT)) {
      block.put("timeout", t.request().timeout());
    }
    return block;
  }

  private static Map<String, Object> fault(FaultSpec fault) {
    if (fault instanceof FaultSpec.ControlPlaneOutage) {
      return Map.of("controlPlaneOutage", true);
    }
    if (fault instanceof FaultSpec.OnProxies proxy) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("name", proxy.name());
      p.put("fault", proxy.faultYaml());
      p.put("restore", proxy.restoreYaml());
      return Map.of("proxy", p);
    }
    if (fault instanceof FaultSpec.KillInstances kill) {
      Map<String, Object> k = selector(kill.instances());
      k.put("kill", true);
      return Map.of("service", k);
    }
    if (fault instanceof FaultSpec.DrainInstances drain) {
      Map<String, Object> d = selector(drain.instances());
      d.put("drain", true);
      return Map.of("service", d);
    }
    if (fault instanceof FaultSpec.Scale scale) {
      Map<String, Object> sc = new LinkedHashMap<>();
      sc.put("name", scale.service());
      sc.put("version", scale.version());
      sc.put("replicas", scale.replicas());
      return Map.of("scale", sc);
    }
    if (fault instanceof FaultSpec.OnLink onLink) {
      return onLink(onLink);
    }
    if (fault instanceof FaultSpec.NotReady notReady) {
      Map<String, Object> n = selector(notReady.instances());
      n.put("notReady", true);
      notReady.status().ifPresent(st -> n.put("answering", st.spec()));
      return Map.of("service", n);
    }
    if (fault instanceof FaultSpec.Flap flap) {
      Map<String, Object> f = selector(flap.instances());
      Map<String, Object> phases = new LinkedHashMap<>();
      phases.put("notReady", flap.notReady());
      phases.put("ready", flap.ready());
      f.put("flap", phases);
      flap.status().ifPresent(st -> f.put("answering", st.spec()));
      return Map.of("service", f);
    }
    if (fault instanceof FaultSpec.Ramp ramp) {
      Map<String, Object> r = selector(ramp.instances());
      Map<String, Object> spec = new LinkedHashMap<>();
      Map<String, Object> of = new LinkedHashMap<>();
      if (ramp.of() instanceof FaultSpec.ErrorRamp errors) {
        of.put("from", errors.from());
        of.put("to", errors.to());
        of.put("statuses", errors.statuses().spec());
        spec.put("errors", of);
      } else {
        FaultSpec.LatencyRamp latency = (FaultSpec.LatencyRamp) ramp.of();
        of.put("from", latency.from());
        of.put("to", latency.to());
        spec.put("latency", of);
      }
      ramp.steps().ifPresent(n -> spec.put("steps", n));
      r.put("ramp", spec);
      return Map.of("service", r);
    }
    FaultSpec.OnService onService = (FaultSpec.OnService) fault;
    Map<String, Object> s = selector(onService.instances());
    ServiceFault.Effect effect = onService.effect();
    if (effect instanceof ServiceFault.Errors errors) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("fraction", errors.fraction());
      e.put("statuses", errors.statuses().spec());
      s.put("errors", e);
    } else if (effect instanceof ServiceFault.AddedLatency latency) {
      s.put("latency", latency.latency());
    } else if (effect instanceof ServiceFault.Hang hang) {
      s.put("hang", hang.fraction());
    } else if (effect instanceof ServiceFault.NotReady) {
      s.put("notReady", true);
    } else if (effect instanceof ServiceFault.ConnectionFault c
        && c.fault() == dev.meshproof.fake.behavior.Fault.RESET) {
      s.put("reset", c.fraction());
    } else if (effect instanceof ServiceFault.LatencyDistribution d) {
      s.put("latencyDistribution", latencyDistribution(d.latency()));
    } else {
      throw new UnsupportedOperationException(
          "chaos effect "
              + effect.description()
              + " has no scenario-file form (expected: errors,"
              + " latency, hang or notReady)");
    }
    return Map.of("service", s);
  }

  private static Map<String, Object> latencyDistribution(dev.meshproof.fake.behavior.Latency l) {
    Map<String, Object> d = new LinkedHashMap<>();
    if (l instanceof dev.meshproof.fake.behavior.Latency.Uniform u) {
      d.put("uniform", new LinkedHashMap<>(Map.of("min", u.min(), "max", u.max())));
    } else if (l instanceof dev.meshproof.fake.behavior.Latency.Normal n) {
      d.put("normal", new LinkedHashMap<>(Map.of("mean", n.mean(), "stddev", n.stddev())));
    } else if (l instanceof dev.meshproof.fake.behavior.Latency.LogNormal ln) {
      d.put("logNormal", new LinkedHashMap<>(Map.of("median", ln.median(), "sigma", ln.sigma())));
    } else {
      throw new UnsupportedOperationException(
          "latency "
              + l
              + " has no latencyDistribution form (expected: uniform, normal, logNormal)");
    }
    return d;
  }

  private static Map<String, Object> onLink(FaultSpec.OnLink onLink) {
    Link link = onLink.link();
    if (onLink.disruption() instanceof NetworkFault.Refuse
        || (onLink.disruption() instanceof NetworkFault.Degrade d
            && d.toxic().equals(Toxic.blackhole())
            && d.toxicity() >= 1
            && link.hop() == Link.Hop.SIDECAR)) {
      Map<String, Object> p = new LinkedHashMap<>();
      link.from().ifPresent(f -> p.put("from", f));
      p.put("to", selector(link.to()));
      p.put("mode", onLink.disruption() instanceof NetworkFault.Refuse ? "refuse" : "blackhole");
      return Map.of("partition", p);
    }
    NetworkFault.Degrade degrade = (NetworkFault.Degrade) onLink.disruption();
    Map<String, Object> n = new LinkedHashMap<>();
    Map<String, Object> l = new LinkedHashMap<>();
    link.from().ifPresent(f -> l.put("from", f));
    l.put(link.hop() == Link.Hop.APP ? "app" : "to", selector(link.to()));
    n.put("link", l);
    if (degrade.toxicity() < 1) {
      n.put("toxicity", degrade.toxicity());
    }
    Toxic toxic = degrade.toxic();
    if (toxic.direction().filter(d -> d == Toxic.Stream.UPSTREAM).isPresent()) {
      n.put("direction", "upstream");
    }
    if (toxic instanceof Toxic.Latency lat) {
      n.put("latency", lat.latency());
      if (!lat.jitter().isZero()) {
        n.put("jitter", lat.jitter());
      }
    } else if (toxic instanceof Toxic.Bandwidth b) {
      n.put("bandwidth", b.bytesPerSecond());
    } else if (toxic instanceof Toxic.SlowClose sc) {
      n.put("slowClose", sc.delay());
    } else if (toxic instanceof Toxic.Timeout t) {
      n.put("timeout", t.timeout());
    } else if (toxic instanceof Toxic.Blackhole) {
      n.put("blackhole", true);
    } else if (toxic instanceof Toxic.Reset) {
      n.put("reset", true);
    } else if (toxic instanceof Toxic.Slicer sl) {
      Map<String, Object> slicer = new LinkedHashMap<>();
      slicer.put("averageSize", sl.averageSize());
      slicer.put("sizeVariation", sl.sizeVariation());
      slicer.put("delay", sl.delay());
      n.put("slicer", slicer);
    } else if (toxic instanceof Toxic.LimitData ld) {
      n.put("limitData", ld.bytes());
    }
    return Map.of("network", n);
  }

  /** A chaos selector's keys: {@code name}, then {@code version} and {@code instance} if set. */
  private static Map<String, Object> selector(InstanceSelector selector) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("name", selector.service());
    selector.version().ifPresent(v -> s.put("version", v));
    selector.instance().ifPresent(i -> s.put("instance", i));
    return s;
  }

  private static void putNonEmpty(Map<String, Object> out, String key, List<Object> values) {
    if (!values.isEmpty()) {
      out.put(key, values);
    }
  }

  private static Yaml dumper() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    options.setWidth(100);
    return new Yaml(new ScenarioRepresenter(options), options);
  }

  /** Durations as Istio writes them, multi-line text (Istio YAML) as a literal block. */
  private static final class ScenarioRepresenter extends Representer {
    ScenarioRepresenter(DumperOptions options) {
      super(options);
      Represent plainString = representers.get(String.class);
      representers.put(
          String.class,
          data ->
              ((String) data).contains("\n")
                  ? representScalar(Tag.STR, (String) data, DumperOptions.ScalarStyle.LITERAL)
                  : plainString.representData(data));
      representers.put(
          Duration.class, data -> plainString.representData(Durations.format((Duration) data)));
    }
  }

  private static void putList(Map<String, Object> out, String key, List<String> values) {
    if (!values.isEmpty()) {
      out.put(key, values);
    }
  }
}
