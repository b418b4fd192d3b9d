package dev.meshproof.runtime.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes kinds that make a scenario's topology, validated as the API server does for what
 * the mesh uses: a Service's ports (1-65535, unique, named when several), a Deployment's selector
 * that must match its pod template's labels, its replicas and service account. The pod spec's other
 * fields (images, commands, probes, resources, volumes, ...) are accepted by name and not
 * simulated: a fake app replaces each container.
 */
final class KubernetesParsers {
  private static final List<String> SERVICE_FIELDS =
      List.of(
          "allocateLoadBalancerNodePorts",
          "clusterIP",
          "clusterIPs",
          "externalIPs",
          "externalName",
          "externalTrafficPolicy",
          "healthCheckNodePort",
          "internalTrafficPolicy",
          "ipFamilies",
          "ipFamilyPolicy",
          "loadBalancerClass",
          "loadBalancerIP",
          "loadBalancerSourceRanges",
          "publishNotReadyAddresses",
          "sessionAffinity",
          "sessionAffinityConfig");
  private static final List<String> SERVICE_TYPES =
      List.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName");
  private static final List<String> DEPLOYMENT_FIELDS =
      List.of(
          "minReadySeconds",
          "paused",
          "progressDeadlineSeconds",
          "revisionHistoryLimit",
          "strategy");
  private static final List<String> POD_FIELDS =
      List.of(
          "activeDeadlineSeconds",
          "affinity",
          "automountServiceAccountToken",
          "dnsConfig",
          "dnsPolicy",
          "enableServiceLinks",
          "ephemeralContainers",
          "hostAliases",
          "hostIPC",
          "hostNetwork",
          "hostPID",
          "hostUsers",
          "hostname",
          "imagePullSecrets",
          "initContainers",
          "nodeName",
          "nodeSelector",
          "os",
          "overhead",
          "preemptionPolicy",
          "priority",
          "priorityClassName",
          "readinessGates",
          "resourceClaims",
          "resources",
          "restartPolicy",
          "runtimeClassName",
          "schedulerName",
          "schedulingGates",
          "securityContext",
          "setHostnameAsFQDN",
          "shareProcessNamespace",
          "subdomain",
          "terminationGracePeriodSeconds",
          "tolerations",
          "topologySpreadConstraints",
          "volumes");
  private static final List<String> CONTAINER_FIELDS =
      List.of(
          "args",
          "command",
          "env",
          "envFrom",
          "image",
          "imagePullPolicy",
          "lifecycle",
          "livenessProbe",
          "readinessProbe",
          "resizePolicy",
          "resources",
          "restartPolicy",
          "securityContext",
          "startupProbe",
          "stdin",
          "stdinOnce",
          "terminationMessagePath",
          "terminationMessagePolicy",
          "tty",
          "volumeDevices",
          "volumeMounts",
          "workingDir");

  private KubernetesParsers() {}

  static KubernetesService service(ResourceMeta meta, YamlMapping spec) {
    Map<String, String> selector = spec.stringMap("selector");
    String type = spec.oneOf("type", SERVICE_TYPES).orElse("ClusterIP");
    List<String> names = new ArrayList<>();
    List<Integer> numbers = new ArrayList<>();
    List<KubernetesService.Port> ports =
        spec.mappings(
            "ports",
            p -> {
              if (!p.has("port")) {
                p.problem(
                    p.node(), p.child("port"), "required field is missing (expected: 1-65535)");
              }
              int port = p.integer("port", 1, 65535).orElse(0);
              String name = p.string("name").orElse("");
              String target =
                  p.value("targetPort")
                      .flatMap(v -> p.scalar(v, p.child("targetPort"), "a port number or name"))
                      .orElse(String.valueOf(port));
              String protocol = p.oneOf("protocol", List.of("TCP", "UDP", "SCTP")).orElse("TCP");
              p.string("appProtocol");
              p.integer("nodePort", 1, 65535);
              if (names.contains(name)) {
                p.problem(
                    p.value("name").orElse(p.node()),
                    p.child("name"),
                    "\""
                        + name
                        + "\" is used by another port (expected: unique port names; named ports"
                        + " when there are several)");
              }
              if (numbers.contains(port) && port > 0) {
                p.problem(
                    p.value("port").orElseThrow(),
                    p.child("port"),
                    port
                        + " is used by another port of the same protocol (expected: unique ports)");
              }
              names.add(name);
              numbers.add(port);
              p.finish();
              return new KubernetesService.Port(name, port, target, protocol, p.line());
            });
    if (ports.isEmpty() && !type.equals("ExternalName")) {
      spec.problem(
          spec.value("ports").orElse(spec.node()),
          spec.child("ports"),
          "required field is missing or empty (expected: at least one port)");
    }
    SERVICE_FIELDS.forEach(spec::value);
    // istiod turns it into locality load balancing (GetLocalityLbSetting: PreferClose is
    // failoverPriority [network, region, zone, subzone] with failover even without outlier
    // detection): routing would differ, so it is refused rather than ignored.
    spec.notYetSupported("trafficDistribution");
    spec.finish();
    return new KubernetesService(meta, selector, ports, type);
  }

  static KubernetesDeployment deployment(ResourceMeta meta, YamlMapping spec) {
    int replicas = spec.integer("replicas", 0, Integer.MAX_VALUE).orElse(1);
    Optional<YamlMapping> selectorMapping = spec.mapping("selector");
    Map<String, String> matchLabels = Map.of();
    if (selectorMapping.isEmpty()) {
      spec.problem(
          spec.node(),
          spec.child("selector"),
          "required field is missing (expected: matchLabels naming the pod template's labels)");
    } else {
      YamlMapping s = selectorMapping.get();
      matchLabels = s.stringMap("matchLabels");
      s.notYetSupported("matchExpressions");
      if (matchLabels.isEmpty()) {
        s.problem(
            s.node(),
            s.child("matchLabels"),
            "required field is missing or empty (expected: the pod template's app and version"
                + " labels)");
      }
      s.finish();
    }
    Map<String, String> podLabels = Map.of();
    String serviceAccount = "default";
    int serviceAccountLine = 0;
    List<Integer> containerPorts = new ArrayList<>();
    Optional<YamlMapping> template = spec.mapping("template");
    if (template.isEmpty()) {
      spec.problem(
          spec.node(),
          spec.child("template"),
          "required field is missing (expected: the"
              + " pod template: metadata.labels and spec.containers)");
    } else {
      YamlMapping t = template.get();
      Optional<YamlMapping> podMeta = t.mapping("metadata");
      if (podMeta.isPresent()) {
        podLabels = podMeta.get().stringMap("labels");
        podMeta.get().stringMap("annotations");
        podMeta.get().string("name");
        podMeta.get().finish();
      }
      if (podLabels.isEmpty()) {
        t.problem(
            podMeta.map(YamlMapping::node).orElse(t.node()),
            t.child("metadata.labels"),
            "required field is missing or empty (expected: labels such as app: reviews and"
                + " version: v1, which the selector and Services match)");
      } else {
        Map<String, String> labels = podLabels;
        matchLabels.forEach(
            (k, v) -> {
              if (!v.equals(labels.get(k))) {
                t.problem(
                    podMeta.get().node(),
                    t.child("metadata.labels"),
                    "selector does not match template labels: "
                        + k
                        + "="
                        + v
                        + " (expected: the template's labels to include every selector label)");
              }
            });
      }
      Optional<YamlMapping> pod = t.mapping("spec");
      if (pod.isEmpty()) {
        t.problem(t.node(), t.child("spec"), "required field is missing (expected: containers)");
      } else {
        YamlMapping p = pod.get();
        // serviceAccount is the deprecated alias the API server still fills in (and returns) beside
        // serviceAccountName; both are read so that a Deployment read back from a cluster parses.
        Optional<String> named = p.string("serviceAccountName");
        Optional<String> deprecated = p.string("serviceAccount");
        Optional<String> account = named.or(() -> deprecated);
        if (account.isPresent()) {
          serviceAccount = account.get();
          serviceAccountLine =
              p.value("serviceAccountName")
                      .or(() -> p.value("serviceAccount"))
                      .orElseThrow()
                      .getStartMark()
                      .getLine()
                  + 1;
        }
        List<Integer> ports = containerPorts;
        List<Boolean> any =
            p.mappings(
                "containers",
                c -> {
                  c.requiredString("name", "a container name");
                  c.mappings(
                      "ports",
                      port -> {
                        port.integer("containerPort", 1, 65535).ifPresent(ports::add);
                        port.string("name");
                        port.string("protocol");
                        port.integer("hostPort", 1, 65535);
                        port.string("hostIP");
                        port.finish();
                        return port;
                      });
                  CONTAINER_FIELDS.forEach(c::value);
                  c.finish();
                  return true;
                });
        if (any.isEmpty()) {
          p.problem(
              p.value("containers").orElse(p.node()),
              p.child("containers"),
              "required field is missing or empty (expected: at least one container)");
        }
        POD_FIELDS.forEach(p::value);
        p.finish();
      }
      t.finish();
    }
    DEPLOYMENT_FIELDS.forEach(spec::value);
    spec.finish();
    return new KubernetesDeployment(
        meta, replicas, podLabels, serviceAccount, serviceAccountLine, containerPorts);
  }

  static KubernetesServiceAccount serviceAccount(ResourceMeta meta, YamlMapping spec) {
    spec.finish();
    return new KubernetesServiceAccount(meta);
  }

  static KubernetesNamespace namespace(ResourceMeta meta, YamlMapping spec) {
    spec.stringList("finalizers");
    spec.finish();
    return new KubernetesNamespace(meta);
  }
}
