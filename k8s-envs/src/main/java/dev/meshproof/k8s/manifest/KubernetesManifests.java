package dev.meshproof.k8s.manifest;

import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A scenario as Kubernetes manifests, what the {@code kubernetes} target applies: a namespace with
 * Istio's sidecar injection enabled; per service version a ServiceAccount and a Deployment running
 * the fake-services image with the scenario's identity (service, version, namespace, instance = pod
 * name), port and seed as arguments; per service a Service with a named {@code http} port (Istio's
 * protocol selection by port name); per client a ServiceAccount and a Deployment running the
 * traffic runner; and the scenario's Istio YAML as-is, applied into the namespace.
 *
 * <p>The fake service's control API ({@link #CONTROL_PORT}) and the runner's API ({@link
 * #RUNNER_PORT}) are excluded from the sidecar's inbound capture ({@code
 * traffic.sidecar.istio.io/excludeInboundPorts}): the driver reaches them by port-forward, outside
 * the mesh, as it would read a journal or send a request from outside the pod, never through the
 * routing under test. Pods hold the app until the proxy is ready ({@code
 * holdApplicationUntilProxyStarts}), so the first request already goes through a configured
 * sidecar.
 */
public final class KubernetesManifests {
  /** The port every fake service listens on in its pod (the Service's {@code targetPort}). */
  public static final int SERVICE_PORT = 8080;

  /** The fake service's control API port (behaviour, journal) in its pod. */
  public static final int CONTROL_PORT = 15900;

  /** The traffic runner's API port in a client pod. */
  public static final int RUNNER_PORT = 15901;

  /** The label on everything Meshproof creates, so a cleanup can find it again. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** The label naming the scenario a resource belongs to. */
  public static final String SCENARIO_LABEL = "meshproof.dev/scenario";

  private final String namespace;
  private final List<Map<String, Object>> generated;
  private final List<IstioSource> istio;

  private KubernetesManifests(
      String namespace, List<Map<String, Object>> generated, List<IstioSource> istio) {
    this.namespace = namespace;
    this.generated = generated;
    this.istio = istio;
  }

  /** The manifests of {@code scenario} under {@code options}. */
  public static KubernetesManifests of(Scenario scenario, ManifestOptions options) {
    String slug = slug(scenario.name());
    String ns = options.namespace().orElse(trim("meshproof-" + slug));
    List<Map<String, Object>> docs = new ArrayList<>();
    docs.add(
        resource(
            "v1",
            "Namespace",
            meta(ns, null, labels(slug, Map.of("istio-injection", "enabled"))),
            null));
    for (ServiceSpec service : scenario.services()) {
      for (Map.Entry<String, Integer> version : service.replicasByVersion().entrySet()) {
        String name = trim(service.name() + "-" + version.getKey());
        docs.add(resource("v1", "ServiceAccount", meta(name, ns, labels(slug, Map.of())), null));
        docs.add(
            fakeServiceDeployment(
                scenario, options, ns, slug, service, version.getKey(), version.getValue(), name));
      }
      docs.add(service(ns, slug, service));
    }
    for (String client : scenario.clients()) {
      docs.add(resource("v1", "ServiceAccount", meta(client, ns, labels(slug, Map.of())), null));
      docs.add(runnerDeployment(options, ns, slug, client, scenario.localityOf(client, null)));
    }
    for (IstioSource source : scenario.istio()) {
      // An app's loopback port exists on the mesh targets only; here apps are pods.
      source.appPorts().stream()
          .findFirst()
          .ifPresent(
              p -> {
                throw new IllegalArgumentException(
                    p.at(source.source())
                        + ": ${app."
                        + p.instance()
                        + ".port} names the loopback port of an app on the embedded and envoy"
                        + " targets; the kubernetes target runs apps as pods and has no such port"
                        + " (expected: run this scenario on embedded or envoy)");
              });
    }
    return new KubernetesManifests(ns, List.copyOf(docs), scenario.istio());
  }

  /** The namespace the scenario runs in. */
  public String namespace() {
    return namespace;
  }

  /** The resources Meshproof generates, in apply order (the namespace first). */
  public List<Map<String, Object>> generated() {
    return generated;
  }

  /** The scenario's Istio YAML, as the user wrote it, applied into {@link #namespace()}. */
  public List<IstioSource> istio() {
    return istio;
  }

  /**
   * Everything as one multi-document YAML stream, as {@code kubectl apply -f -} takes it: the
   * generated resources, then each Istio source verbatim under a comment naming it. Istio documents
   * without {@code metadata.namespace} land in the namespace given to {@code kubectl -n}.
   */
  public String toYaml() {
    StringBuilder out = new StringBuilder();
    Yaml yaml = yaml();
    for (Map<String, Object> doc : generated) {
      out.append("---\n").append(yaml.dump(doc));
    }
    for (IstioSource source : istio) {
      out.append("---\n# Istio configuration from ").append(source.source()).append('\n');
      String text = source.yaml().strip();
      if (text.startsWith("---")) {
        text = text.substring(3).strip();
      }
      out.append(text).append('\n');
    }
    return out.toString();
  }

  /** SnakeYAML as {@code kubectl} users write YAML: block style, two spaces, no line folding. */
  static Yaml yaml() {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setIndent(2);
    o.setIndicatorIndent(0);
    o.setSplitLines(false);
    o.setWidth(Integer.MAX_VALUE);
    return new Yaml(o);
  }

  private static Map<String, Object> fakeServiceDeployment(
      Scenario scenario,
      ManifestOptions options,
      String ns,
      String slug,
      ServiceSpec service,
      String version,
      int replicas,
      String name) {
    Map<String, Object> podLabels = new LinkedHashMap<>();
    podLabels.put("app", service.name());
    podLabels.put("version", version);
    // Istio reads a pod's locality from this label before the node's topology labels.
    scenario
        .localityOf(service.name(), version)
        .ifPresent(
            l ->
                podLabels.put(
                    dev.meshproof.runtime.policy.lb.Locality.LABEL,
                    dev.meshproof.runtime.policy.lb.Locality.parse(l).labelValue()));
    List<Object> args =
        List.of(
            "--kind=http",
            "--service=" + service.name(),
            "--version=" + version,
            "--namespace=" + ns,
            // Kubernetes expands $(POD_NAME): the instance is the pod, as in the journals of the
            // embedded target (there catalog-v1-0, here the pod's generated name).
            "--instance=$(POD_NAME)",
            "--port=" + SERVICE_PORT,
            "--bind=0.0.0.0",
            "--seed=" + scenario.seed(),
            "--control-api",
            "--control-port=" + CONTROL_PORT);
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("name", "fake-service");
    container.put("image", options.fakeServicesImage());
    container.put("imagePullPolicy", options.imagePullPolicy());
    container.put("args", args);
    container.put("env", List.of(podNameEnv()));
    container.put(
        "ports",
        List.of(
            port("http", SERVICE_PORT, "containerPort"),
            port("control", CONTROL_PORT, "containerPort")));
    Map<String, Object> probe = new LinkedHashMap<>();
    // Ordered: Map.of's iteration order changes from one JVM to the next, and the manifests are
    // compared with golden files.
    Map<String, Object> httpGet = new java.util.LinkedHashMap<>();
    httpGet.put("path", "/ready");
    httpGet.put("port", SERVICE_PORT);
    probe.put("httpGet", httpGet);
    probe.put("periodSeconds", 2);
    container.put("readinessProbe", probe);
    return deployment(ns, slug, name, replicas, podLabels, name, container, CONTROL_PORT);
  }

  private static Map<String, Object> runnerDeployment(
      ManifestOptions options,
      String ns,
      String slug,
      String client,
      java.util.Optional<String> locality) {
    Map<String, Object> podLabels = new LinkedHashMap<>();
    podLabels.put("app", client);
    locality.ifPresent(
        l ->
            podLabels.put(
                dev.meshproof.runtime.policy.lb.Locality.LABEL,
                dev.meshproof.runtime.policy.lb.Locality.parse(l).labelValue()));
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("name", "traffic-runner");
    container.put("image", options.trafficRunnerImage());
    container.put("imagePullPolicy", options.imagePullPolicy());
    container.put("args", List.of("--client=" + client, "--listen-port=" + RUNNER_PORT));
    container.put("ports", List.of(port("runner", RUNNER_PORT, "containerPort")));
    return deployment(ns, slug, client, 1, podLabels, client, container, RUNNER_PORT);
  }

  private static Map<String, Object> deployment(
      String ns,
      String slug,
      String name,
      int replicas,
      Map<String, Object> podLabels,
      String serviceAccount,
      Map<String, Object> container,
      int excludedInboundPort) {
    Map<String, Object> templateLabels = new LinkedHashMap<>(podLabels);
    templateLabels.put(SCENARIO_LABEL, slug);
    Map<String, Object> annotations = new LinkedHashMap<>();
    annotations.put("traffic.sidecar.istio.io/excludeInboundPorts", "" + excludedInboundPort);
    annotations.put("proxy.istio.io/config", "holdApplicationUntilProxyStarts: true\n");
    Map<String, Object> templateMeta = new LinkedHashMap<>();
    templateMeta.put("labels", templateLabels);
    templateMeta.put("annotations", annotations);
    Map<String, Object> podSpec = new LinkedHashMap<>();
    podSpec.put("serviceAccountName", serviceAccount);
    podSpec.put("containers", List.of(container));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("replicas", replicas);
    spec.put("selector", Map.of("matchLabels", podLabels));
    Map<String, Object> template = new LinkedHashMap<>();
    template.put("metadata", templateMeta);
    template.put("spec", podSpec);
    spec.put("template", template);
    return resource("apps/v1", "Deployment", meta(name, ns, labels(slug, podLabels)), spec);
  }

  private static Map<String, Object> service(String ns, String slug, ServiceSpec service) {
    Map<String, Object> port = new LinkedHashMap<>();
    // The scenario's port name (http, http2, grpc, tcp, ...): Istio selects the port's protocol by
    // its prefix, as the embedded target does.
    port.put("name", service.portName());
    port.put("port", service.port());
    port.put("targetPort", "http");
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("selector", Map.of("app", service.name()));
    spec.put("ports", List.of(port));
    return resource(
        "v1",
        "Service",
        meta(service.name(), ns, labels(slug, Map.of("app", service.name()))),
        spec);
  }

  private static Map<String, Object> podNameEnv() {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("name", "POD_NAME");
    env.put("valueFrom", Map.of("fieldRef", Map.of("fieldPath", "metadata.name")));
    return env;
  }

  private static Map<String, Object> port(String name, int number, String key) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", name);
    p.put(key, number);
    return p;
  }

  private static Map<String, Object> labels(String slug, Map<String, Object> extra) {
    Map<String, Object> labels = new LinkedHashMap<>(extra);
    labels.put(MANAGED_BY, "meshproof");
    labels.put(SCENARIO_LABEL, slug);
    return labels;
  }

  private static Map<String, Object> meta(String name, String ns, Map<String, Object> labels) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("name", name);
    if (ns != null) {
      meta.put("namespace", ns);
    }
    meta.put("labels", labels);
    return meta;
  }

  private static Map<String, Object> resource(
      String apiVersion, String kind, Map<String, Object> meta, Map<String, Object> spec) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", apiVersion);
    doc.put("kind", kind);
    doc.put("metadata", meta);
    if (spec != null) {
      doc.put("spec", spec);
    }
    return doc;
  }

  /** A scenario name as a DNS label: lower case, runs of other characters become one '-'. */
  static String slug(String name) {
    String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    s = s.replaceAll("^-+|-+$", "");
    return s.isEmpty() ? "scenario" : trim(s);
  }

  /** At most 63 characters (a DNS label, a label value), not ending in '-'. */
  private static String trim(String s) {
    String t = s.length() > 63 ? s.substring(0, 63) : s;
    return t.replaceAll("-+$", "");
  }
}
