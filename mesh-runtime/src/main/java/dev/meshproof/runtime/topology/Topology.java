package dev.meshproof.runtime.topology;

import dev.meshproof.runtime.config.ConfigProblem;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioResource;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.KubernetesDeployment;
import dev.meshproof.runtime.config.KubernetesNamespace;
import dev.meshproof.runtime.config.KubernetesService;
import dev.meshproof.runtime.config.KubernetesServiceAccount;
import dev.meshproof.runtime.config.NotSimulatedResource;
import dev.meshproof.runtime.config.ResourceMeta;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A mesh's workloads as Kubernetes manifests describe them ({@code kubectl apply -f
 * bookinfo.yaml}): each Deployment becomes a {@link TopologyWorkload} with its pod labels, service
 * account, replicas and the Service ports whose selector matches it. Kinds outside the simulation
 * (ConfigMap, HPA, ...) are listed in {@link #notSimulated()}. References are checked as the API
 * server and the ReplicaSet controller would fail on them: a service account or a namespace that no
 * manifest declares ({@code default} always exists).
 *
 * @param workloads the Deployments, in manifest order
 * @param notSimulated every accepted resource the mesh does not simulate, as {@link
 *     NotSimulatedResource#describe()}
 */
public record Topology(List<TopologyWorkload> workloads, List<String> notSimulated) {

  public Topology {
    workloads = List.copyOf(workloads);
    notSimulated = List.copyOf(notSimulated);
  }

  /**
   * Reads Kubernetes manifests as {@code kubectl apply -f a.yaml -f b.yaml} takes them.
   *
   * @throws InvalidConfigException with file:line:column for every problem: a kind nobody knows, a
   *     Deployment without labels, the same resource twice (across files too), an Istio resource
   *     (it belongs to the mesh configuration), a missing service account or namespace
   */
  public static Topology fromManifests(Path... manifests) {
    List<IstioResource> resources = new ArrayList<>();
    List<ConfigProblem> problems = new ArrayList<>();
    for (Path manifest : manifests) {
      try {
        resources.addAll(IstioYamlParser.parse(manifest, "default"));
      } catch (InvalidConfigException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return of(resources);
  }

  /** The topology of parsed manifests; see {@link #fromManifests}. */
  public static Topology of(List<IstioResource> resources) {
    List<ConfigProblem> problems = new ArrayList<>();
    Map<String, ResourceMeta> seen = new HashMap<>();
    Set<String> namespaces = new HashSet<>(Set.of("default"));
    Set<String> accounts = new HashSet<>();
    List<KubernetesService> services = new ArrayList<>();
    List<KubernetesDeployment> deployments = new ArrayList<>();
    List<String> notSimulated = new ArrayList<>();
    for (IstioResource resource : resources) {
      ResourceMeta meta = resource.meta();
      ResourceMeta first = seen.putIfAbsent(meta.key(), meta);
      if (first != null) {
        problems.add(
            at(
                meta,
                "metadata.name",
                meta.kind()
                    + " "
                    + meta.namespace()
                    + "/"
                    + meta.name()
                    + " is already defined at "
                    + first.source()
                    + ":"
                    + first.line()
                    + " (expected: one resource per kind, namespace and name)"));
        continue;
      }
      if (resource instanceof KubernetesService s) {
        services.add(s);
      } else if (resource instanceof KubernetesDeployment d) {
        deployments.add(d);
      } else if (resource instanceof KubernetesServiceAccount) {
        accounts.add(meta.namespace() + "/" + meta.name());
      } else if (resource instanceof KubernetesNamespace) {
        namespaces.add(meta.name());
      } else if (resource instanceof NotSimulatedResource n) {
        notSimulated.add(n.describe());
      } else {
        problems.add(
            at(
                meta,
                "kind",
                meta.kind()
                    + " is mesh configuration, not topology (expected here: "
                    + IstioKinds.TOPOLOGY.stream().map(k -> k.kind()).toList()
                    + " and kinds not simulated; give Istio resources as the scenario's"
                    + " Istio configuration)"));
      }
    }
    for (IstioResource resource : resources) {
      ResourceMeta meta = resource.meta();
      if (!(resource instanceof KubernetesNamespace) && !namespaces.contains(meta.namespace())) {
        problems.add(
            at(
                meta,
                "metadata.namespace",
                "namespace \""
                    + meta.namespace()
                    + "\" is not declared (expected: a Namespace manifest for it, or one of "
                    + namespaces.stream().sorted().toList()
                    + ")"));
      }
    }
    List<TopologyWorkload> workloads = new ArrayList<>();
    for (KubernetesDeployment d : deployments) {
      String ns = d.meta().namespace();
      if (!d.serviceAccountName().equals("default")
          && !accounts.contains(ns + "/" + d.serviceAccountName())) {
        problems.add(
            new ConfigProblem(
                d.meta().source(),
                d.serviceAccountLine(),
                1,
                "spec.template.spec.serviceAccountName",
                "service account \""
                    + d.serviceAccountName()
                    + "\" is not declared in namespace "
                    + ns
                    + " (expected: a ServiceAccount manifest, or one of: default"
                    + accounts.stream()
                        .filter(a -> a.startsWith(ns + "/"))
                        .map(a -> ", " + a.substring(ns.length() + 1))
                        .sorted()
                        .reduce("", String::concat)
                    + ")"));
      }
      List<TopologyWorkload.ServicePort> serves = new ArrayList<>();
      for (KubernetesService s : services) {
        if (s.meta().namespace().equals(ns)
            && !s.selector().isEmpty()
            && s.selector().entrySet().stream()
                .allMatch(e -> e.getValue().equals(d.podLabels().get(e.getKey())))) {
          for (KubernetesService.Port port : s.ports()) {
            serves.add(
                new TopologyWorkload.ServicePort(
                    s.meta().name(), port.port(), port.name(), s.exportTo()));
          }
        }
      }
      workloads.add(
          new TopologyWorkload(
              d.meta().name(),
              ns,
              d.podLabels(),
              d.serviceAccountName(),
              d.replicas(),
              serves,
              d.meta().source() + ":" + d.meta().line()));
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return new Topology(workloads, notSimulated);
  }

  private static ConfigProblem at(ResourceMeta meta, String field, String message) {
    return new ConfigProblem(meta.source(), meta.line(), 1, field, message);
  }
}
