package dev.meshproof.k8s.snapshot;

import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.config.IstioResource;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.topology.Topology;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A live cluster's mesh configuration, read through the API server: every VirtualService,
 * DestinationRule, ServiceEntry, Gateway, Sidecar, WorkloadEntry, PeerAuthentication,
 * AuthorizationPolicy and RequestAuthentication, and every Service and Deployment, of the selected
 * namespaces (with their non-default ServiceAccounts and Namespace), as YAML a user could {@code
 * kubectl apply} (server-set fields removed). {@link #addTo(Scenario)} runs a scenario against the
 * cluster's Istio configuration and workloads on the embedded mesh, so a team checks that its
 * change does not break another team's routing before applying it.
 *
 * @param source where it was read from, e.g. {@code cluster kind-meshproof namespaces [shop]}
 * @param istio the Istio resources, one YAML stream per namespace
 * @param workloads the Namespace, ServiceAccounts, Services and Deployments, one YAML stream per
 *     namespace
 */
public record ClusterSnapshot(String source, List<IstioSource> istio, List<IstioSource> workloads) {

  /** The Istio kinds read, as {@code apiVersion kind}. */
  public static final List<List<String>> ISTIO_KINDS =
      List.of(
          List.of("networking.istio.io/v1", "VirtualService"),
          List.of("networking.istio.io/v1", "DestinationRule"),
          List.of("networking.istio.io/v1", "ServiceEntry"),
          List.of("networking.istio.io/v1", "Gateway"),
          List.of("networking.istio.io/v1", "Sidecar"),
          List.of("networking.istio.io/v1", "WorkloadEntry"),
          List.of("security.istio.io/v1", "PeerAuthentication"),
          List.of("security.istio.io/v1", "AuthorizationPolicy"),
          List.of("security.istio.io/v1", "RequestAuthentication"));

  public ClusterSnapshot {
    istio = List.copyOf(istio);
    workloads = List.copyOf(workloads);
  }

  /**
   * Reads the mesh of {@code namespaces} through {@code client}; a kind whose CRD the cluster does
   * not have (no Istio installed) is read as none.
   */
  public static ClusterSnapshot read(
      KubernetesClient client, String clusterName, List<String> namespaces) {
    if (namespaces.isEmpty()) {
      throw new IllegalArgumentException("namespaces: none (expected: at least one namespace)");
    }
    List<IstioSource> istio = new ArrayList<>();
    List<IstioSource> workloads = new ArrayList<>();
    for (String ns : namespaces) {
      List<Map<String, Object>> mesh = new ArrayList<>();
      for (List<String> kind : ISTIO_KINDS) {
        try {
          for (GenericKubernetesResource r :
              client
                  .genericKubernetesResources(kind.get(0), kind.get(1))
                  .inNamespace(ns)
                  .list()
                  .getItems()) {
            mesh.add(clean(r));
          }
        } catch (KubernetesClientException e) {
          if (e.getCode() != 404) {
            throw e;
          }
        }
      }
      List<Map<String, Object>> topology = new ArrayList<>();
      if (!ns.equals("default")) {
        Namespace namespace = client.namespaces().withName(ns).get();
        if (namespace != null) {
          topology.add(clean(namespace));
        }
      }
      client.services().inNamespace(ns).list().getItems().forEach(s -> topology.add(clean(s)));
      client.serviceAccounts().inNamespace(ns).list().getItems().stream()
          // Every namespace has "default"; a deployment using it needs no manifest.
          .filter(a -> !a.getMetadata().getName().equals("default"))
          .forEach(a -> topology.add(clean(a)));
      client
          .apps()
          .deployments()
          .inNamespace(ns)
          .list()
          .getItems()
          .forEach(d -> topology.add(clean(d)));
      String where = "cluster " + clusterName + " namespace " + ns;
      if (!mesh.isEmpty()) {
        istio.add(new IstioSource(where, yaml(mesh)));
      }
      if (!topology.isEmpty()) {
        workloads.add(new IstioSource(where, yaml(topology)));
      }
    }
    return new ClusterSnapshot(
        "cluster " + clusterName + " namespaces " + namespaces, istio, workloads);
  }

  /**
   * {@code scenario} with the cluster's Istio configuration applied before its own, and the
   * cluster's workloads (its Services with the Deployments they select, and Deployments no Service
   * selects as clients) beside the ones the scenario declares; what the scenario declares wins.
   *
   * @throws InvalidConfigException naming the snapshot's source and line for a workload the
   *     topology reader refuses (e.g. a service account it did not read)
   * @throws IllegalArgumentException naming the Deployment for what a scenario topology cannot
   *     express yet (another namespace than default, labels other than app and version)
   */
  public Scenario addTo(Scenario scenario) {
    return scenario.withIstioBefore(istio).withWorkloadsOf(topology());
  }

  /** The cluster's Services, Deployments and service accounts as a scenario topology reads them. */
  public Topology topology() {
    List<IstioResource> resources = new ArrayList<>();
    for (IstioSource source : workloads) {
      resources.addAll(IstioYamlParser.parse(source.yaml(), source.source(), "default"));
    }
    return Topology.of(resources);
  }

  /**
   * A resource as its owner would write it: apiVersion, kind, metadata (name, namespace, labels,
   * user annotations) and spec; no status, uid, resourceVersion, managedFields or timestamps.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> clean(HasMetadata resource) {
    Map<String, Object> full = Serialization.unmarshal(Serialization.asJson(resource), Map.class);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("apiVersion", full.get("apiVersion"));
    out.put("kind", full.get("kind"));
    Map<String, Object> meta = new LinkedHashMap<>();
    Map<String, Object> fullMeta = (Map<String, Object>) full.get("metadata");
    meta.put("name", fullMeta.get("name"));
    meta.put("namespace", fullMeta.get("namespace"));
    if (fullMeta.get("labels") != null) {
      meta.put("labels", fullMeta.get("labels"));
    }
    if (fullMeta.get("annotations") instanceof Map<?, ?> annotations) {
      Map<String, Object> kept = new LinkedHashMap<>((Map<String, Object>) annotations);
      kept.remove("kubectl.kubernetes.io/last-applied-configuration");
      kept.keySet().removeIf(k -> k.startsWith("deployment.kubernetes.io/"));
      if (!kept.isEmpty()) {
        meta.put("annotations", kept);
      }
    }
    out.put("metadata", meta);
    // A Namespace's spec holds only the finalizers the API server set.
    if (full.get("spec") != null && !"Namespace".equals(full.get("kind"))) {
      Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) full.get("spec"));
      if ("Service".equals(full.get("kind"))) {
        // Allocated by the cluster, not written by the owner.
        spec.remove("clusterIP");
        spec.remove("clusterIPs");
      }
      out.put("spec", spec);
    }
    return out;
  }

  private static String yaml(List<Map<String, Object>> docs) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setSplitLines(false);
    Yaml yaml = new Yaml(o);
    StringBuilder out = new StringBuilder();
    for (Map<String, Object> doc : docs) {
      out.append("---\n").append(yaml.dump(doc));
    }
    return out.toString();
  }
}
