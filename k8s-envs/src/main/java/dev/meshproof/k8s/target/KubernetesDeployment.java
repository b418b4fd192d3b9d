package dev.meshproof.k8s.target;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshproof.chaos.BehaviorHandle;
import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.MeshConfigHandle;
import dev.meshproof.chaos.ServiceTarget;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorJson;
import dev.meshproof.fake.journal.JournalEntry;
import dev.meshproof.k8s.manifest.KubernetesManifests;
import dev.meshproof.k8s.runner.RunnerProtocol;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ServiceSpec;
import dev.meshproof.scenario.targets.Deployment;
import dev.meshproof.scenario.targets.ScenarioAbortedException;
import dev.meshproof.scenario.traffic.TrafficClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A scenario running in a Kubernetes namespace with real Istio: the generated Deployments rolled
 * out, the scenario's Istio YAML applied through the API server, each client's traffic runner and
 * each fake service's control API reached through a port-forward (outside the mesh). Closing it
 * closes the port-forwards and deletes everything the scenario created.
 */
final class KubernetesDeployment implements Deployment {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final Scenario scenario;
  private final KubernetesTargetOptions options;
  private final ScenarioInstallation installation;
  private final Map<String, LocalPortForward> forwards = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().build();

  private KubernetesDeployment(
      KubernetesClient client,
      Scenario scenario,
      KubernetesTargetOptions options,
      ScenarioInstallation installation) {
    this.client = client;
    this.scenario = scenario;
    this.options = options;
    this.installation = installation;
  }

  /**
   * Creates the scenario's namespace and workloads and waits for their rollout; on failure deletes
   * what it created.
   *
   * @throws ScenarioAbortedException when the server rejects a manifest or the rollout times out
   *     (with each Deployment's status as the server reports it)
   */
  static KubernetesDeployment deploy(
      KubernetesClient client,
      Scenario scenario,
      KubernetesTargetOptions options,
      String namespace,
      Clock clock) {
    if (!scenario.security().servicesTerminatingTls().isEmpty()
        || !scenario.security().proxyFiles().isEmpty()) {
      // Refused rather than deployed without them: the run would prove something else.
      throw new ScenarioAbortedException(
          "services[].tls "
              + scenario.security().servicesTerminatingTls().keySet()
              + " and proxyFiles "
              + scenario.security().proxyFiles().keySet()
              + " are not supported on the kubernetes target yet (expected: the embedded or"
              + " envoy target)",
          Map.of(),
          null);
    }
    KubernetesManifests manifests =
        KubernetesManifests.of(scenario, options.manifests().inNamespace(namespace));
    ScenarioInstallation installation = ScenarioInstallation.applyTopology(client, manifests);
    try {
      installation.awaitRollout(options.rolloutTimeout(), clock);
      return new KubernetesDeployment(client, scenario, options, installation);
    } catch (RuntimeException e) {
      installation.close();
      throw e;
    }
  }

  String namespace() {
    return installation.namespace();
  }

  @Override
  public void apply(IstioSource source) {
    installation.applyIstio(source);
  }

  @Override
  public void awaitSynced() {
    // The API server accepted the resources; whether each sidecar ACKed them is istiod's to know.
    // The target waits the stated propagation time (KubernetesTargetOptions.configPropagation).
    try {
      TimeUnit.MILLISECONDS.sleep(options.configPropagation().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ScenarioAbortedException("interrupted while waiting for Istio", Map.of(), e);
    }
  }

  @Override
  public TrafficClient client(String clientName) {
    if (!scenario.clients().contains(clientName)) {
      throw new IllegalArgumentException(
          "client: " + clientName + " (expected one of " + scenario.clients() + ")");
    }
    URI send =
        URI.create(
            "http://127.0.0.1:"
                + forward(pod(Map.of("app", clientName)), KubernetesManifests.RUNNER_PORT)
                + RunnerProtocol.SEND_PATH);
    return request -> {
      HttpRequest post =
          HttpRequest.newBuilder(send)
              .timeout(request.timeout().plusSeconds(10))
              .POST(HttpRequest.BodyPublishers.ofString(RunnerProtocol.requestJson(request)))
              .build();
      CompletableFuture<HttpOutcome> outcome =
          http.sendAsync(post, HttpResponse.BodyHandlers.ofString())
              .thenApply(
                  r ->
                      r.statusCode() == 200
                          ? RunnerProtocol.outcome(r.body())
                          : new HttpOutcome(
                              HttpOutcome.Kind.CONNECT_FAILURE,
                              0,
                              Map.of(),
                              "",
                              Duration.ZERO,
                              "traffic runner answered " + r.statusCode() + ": " + r.body()));
      return outcome.exceptionally(
          e ->
              new HttpOutcome(
                  HttpOutcome.Kind.CONNECT_FAILURE,
                  0,
                  Map.of(),
                  "",
                  Duration.ZERO,
                  "traffic runner unreachable through the port-forward: " + e));
    };
  }

  @Override
  public List<JournalEntry> journal() {
    List<JournalEntry> all = new ArrayList<>();
    for (Pod pod : servicePods()) {
      all.addAll(JournalJson.entries(get(pod, "/control/journal")));
    }
    return all;
  }

  @Override
  public Map<String, String> configDumps() {
    // Envoy's admin port 15000 listens on the pod's loopback; a port-forward reaches it.
    Map<String, String> dumps = new LinkedHashMap<>();
    for (String c : scenario.clients()) {
      Pod pod = pod(Map.of("app", c));
      try {
        dumps.put(c, getText(forward(pod, 15000), "/config_dump"));
      } catch (RuntimeException e) {
        dumps.put(c, "config dump unavailable: " + e.getMessage());
      }
    }
    return dumps;
  }

  @Override
  public Map<String, String> proxyLogs() {
    Map<String, String> logs = new LinkedHashMap<>();
    for (String c : scenario.clients()) {
      Pod pod = pod(Map.of("app", c));
      String log =
          client
              .pods()
              .inNamespace(namespace())
              .withName(pod.getMetadata().getName())
              .inContainer("istio-proxy")
              .tailingLines(500)
              .getLog();
      if (log != null && !log.isBlank()) {
        logs.put(c, log);
      }
    }
    return logs;
  }

  @Override
  public List<ServiceTarget> instances(String service) {
    return servicePods(service, null).stream().map(this::serviceTarget).toList();
  }

  @Override
  public List<ServiceTarget> instances(String service, String version) {
    return servicePods(service, version).stream().map(this::serviceTarget).toList();
  }

  @Override
  public MeshConfigHandle meshConfig() {
    return new MeshConfigHandle() {
      @Override
      public void apply(String yaml, String source) {
        KubernetesDeployment.this.apply(new IstioSource(source, yaml));
      }

      @Override
      public void awaitSynced() {
        KubernetesDeployment.this.awaitSynced();
      }
    };
  }

  @Override
  public InstanceHandle controlPlane() {
    Runnable unsupported =
        () -> {
          throw new UnsupportedOperationException(
              "a control-plane outage is not supported on the kubernetes target yet: istiod"
                  + " is the cluster's, not the scenario's");
        };
    return InstanceHandle.of("istiod", unsupported, unsupported);
  }

  @Override
  public void close() {
    try {
      for (LocalPortForward f : forwards.values()) {
        try {
          f.close();
        } catch (IOException e) {
          // the forward's socket is gone already; nothing left to release
        }
      }
      forwards.clear();
    } finally {
      installation.close();
    }
  }

  private ServiceTarget serviceTarget(Pod pod) {
    String name = pod.getMetadata().getName();
    return new ServiceTarget(
        name,
        new BehaviorHandle() {
          @Override
          public Behavior update(UnaryOperator<Behavior> change) {
            Behavior next =
                change.apply(
                    BehaviorJson.fromJson(get(pod, "/control/behavior"), Behavior.defaults()));
            set(next);
            return next;
          }

          @Override
          public void set(Behavior behavior) {
            send(
                pod,
                HttpRequest.newBuilder(controlUri(pod, "/control/behavior"))
                    .PUT(
                        HttpRequest.BodyPublishers.ofString(
                            BehaviorJson.toJson(behavior).toString()))
                    .build());
          }
        });
  }

  private List<Pod> servicePods() {
    List<Pod> pods = new ArrayList<>();
    for (ServiceSpec s : scenario.services()) {
      pods.addAll(servicePods(s.name(), null));
    }
    return pods;
  }

  private List<Pod> servicePods(String service, String version) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app", service);
    if (version != null) {
      labels.put("version", version);
    }
    return client.pods().inNamespace(namespace()).withLabels(labels).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  private Pod pod(Map<String, String> labels) {
    return client.pods().inNamespace(namespace()).withLabels(labels).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no pod with labels " + labels + " in namespace " + namespace()));
  }

  private int forward(Pod pod, int port) {
    String key = pod.getMetadata().getName() + ":" + port;
    return forwards
        .computeIfAbsent(
            key,
            k ->
                client
                    .pods()
                    .inNamespace(namespace())
                    .withName(pod.getMetadata().getName())
                    .portForward(port))
        .getLocalPort();
  }

  private URI controlUri(Pod pod, String path) {
    return URI.create("http://127.0.0.1:" + forward(pod, KubernetesManifests.CONTROL_PORT) + path);
  }

  private JsonNode get(Pod pod, String path) {
    try {
      return JSON.readTree(send(pod, HttpRequest.newBuilder(controlUri(pod, path)).GET().build()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String getText(int localPort, String path) {
    return send(
        null,
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + localPort + path)).GET().build());
  }

  private String send(Pod pod, HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            (pod == null ? "" : pod.getMetadata().getName() + ": ")
                + request.method()
                + " "
                + request.uri().getPath()
                + " answered "
                + r.statusCode()
                + ": "
                + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
