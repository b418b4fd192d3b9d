package dev.meshproof.scenario;

import dev.meshproof.runtime.topology.Topology;
import dev.meshproof.runtime.topology.TopologyWorkload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A scenario's services and clients from Kubernetes manifests ({@link Topology}): each Service with
 * the Deployments it selects becomes a {@link ServiceSpec} (its port, one version per Deployment's
 * {@code version} label with its replicas); a Deployment no Service selects becomes a client named
 * by its {@code app} label. What a scenario's topology cannot express yet is an error naming the
 * Deployment: a namespace other than default, labels other than app and version, a workload in two
 * Services, or a Service with several ports that are not all TCP. A Service with several TCP ports
 * keeps them all, in its order: each instance's tcp-echo answers on every one.
 */
final class ManifestTopology {
  private static final Set<String> LABELS = Set.of("app", "version");

  private ManifestTopology() {}

  record Result(List<ServiceSpec> services, List<String> clients, List<String> notSimulated) {}

  static Result of(Topology topology) {
    Map<String, Map<String, Integer>> versionsByService = new LinkedHashMap<>();
    Map<String, Integer> portByService = new LinkedHashMap<>();
    Map<String, List<ServiceSpec.Port>> morePortsByService = new LinkedHashMap<>();
    Map<String, String> portNameByService = new LinkedHashMap<>();
    Map<String, Map<String, String>> accountsByService = new LinkedHashMap<>();
    List<String> clients = new ArrayList<>();
    for (TopologyWorkload w : topology.workloads()) {
      if (!w.namespace().equals("default")) {
        throw unsupported(w, "namespace " + w.namespace() + " (expected: default)");
      }
      if (!LABELS.containsAll(w.labels().keySet()) || !w.labels().containsKey("app")) {
        throw unsupported(
            w, "pod labels " + w.labels() + " (expected: app, and optionally version)");
      }
      if (w.serves().isEmpty()) {
        clients.add(w.labels().get("app"));
        continue;
      }
      if (w.serves().stream().map(TopologyWorkload.ServicePort::service).distinct().count() > 1) {
        throw unsupported(
            w,
            "selected by "
                + w.serves().stream().map(TopologyWorkload.ServicePort::service).distinct().toList()
                + " (expected: one Service)");
      }
      TopologyWorkload.ServicePort port = w.serves().get(0);
      List<TopologyWorkload.ServicePort> others = w.serves().subList(1, w.serves().size());
      java.util.Set<dev.meshproof.runtime.registry.ServiceProtocol> protocols =
          w.serves().stream()
              .map(ManifestTopology::protocolOf)
              .collect(java.util.stream.Collectors.toSet());
      if (!others.isEmpty()
          && !java.util.Set.of(dev.meshproof.runtime.registry.ServiceProtocol.TCP)
              .containsAll(protocols)
          && !java.util.Set.of(
                  dev.meshproof.runtime.registry.ServiceProtocol.HTTP,
                  dev.meshproof.runtime.registry.ServiceProtocol.HTTP2)
              .containsAll(protocols)) {
        // An instance runs one echo per port: tcp-echo for TCP, the HTTP echo for HTTP / HTTP2.
        throw unsupported(
            w,
            "Service "
                + port.service()
                + " with ports "
                + w.serves().stream().map(p -> p.name() + " " + p.port()).toList()
                + " (expected: one port, or several that are all TCP or all HTTP / HTTP2)");
      }
      // Every workload here is in default: an exportTo that hides the Service from default would
      // change the routes, which this topology cannot deploy; one that keeps it changes nothing.
      List<String> exportTo = port.exportTo();
      boolean visibleInDefault =
          !exportTo.contains("~")
              && (exportTo.isEmpty()
                  || exportTo.contains(".")
                  || exportTo.contains("*")
                  || exportTo.contains("default"));
      if (!visibleInDefault) {
        throw unsupported(
            w,
            "Service "
                + port.service()
                + " annotated networking.istio.io/exportTo: "
                + String.join(",", exportTo)
                + " (expected: ., * or default: every workload of a manifest topology is in"
                + " namespace default)");
      }
      if (!w.labels().get("app").equals(port.service())) {
        throw unsupported(
            w,
            "app label "
                + w.labels().get("app")
                + " for Service "
                + port.service()
                + " (expected: the app label to name the Service)");
      }
      String version = w.labels().getOrDefault("version", "v1");
      Integer previous =
          versionsByService
              .computeIfAbsent(port.service(), s -> new LinkedHashMap<>())
              .putIfAbsent(version, w.replicas());
      if (previous != null) {
        throw unsupported(
            w,
            "version " + version + " of " + port.service() + " twice (expected: one per version)");
      }
      portByService.put(port.service(), port.port());
      morePortsByService.put(
          port.service(),
          others.stream().map(o -> new ServiceSpec.Port(o.name(), o.port())).toList());
      if (!portName(port).equals("http")) {
        portNameByService.put(port.service(), portName(port));
      }
      accountsByService
          .computeIfAbsent(port.service(), s -> new LinkedHashMap<>())
          .put(version, w.serviceAccount());
    }
    List<ServiceSpec> services = new ArrayList<>();
    versionsByService.forEach(
        (service, versions) ->
            services.add(
                new ServiceSpec(
                    service,
                    portByService.get(service),
                    versions,
                    portNameByService.getOrDefault(service, "http"),
                    accountsByService.getOrDefault(service, Map.of()),
                    Map.of(),
                    morePortsByService.getOrDefault(service, List.of()))));
    return new Result(services, clients, topology.notSimulated());
  }

  private static dev.meshproof.runtime.registry.ServiceProtocol protocolOf(
      TopologyWorkload.ServicePort port) {
    return dev.meshproof.runtime.registry.ServiceProtocol.ofPort(
        port.name(), java.util.Optional.empty());
  }

  /**
   * The port name a scenario service keeps: a grpc, http2 or tcp name changes what Istio sends
   * upstream (and which echo answers); other names keep the HTTP/1.1 echo behind an {@code http}
   * port, as before protocols were read.
   */
  private static String portName(TopologyWorkload.ServicePort port) {
    var protocol = protocolOf(port);
    return protocol == dev.meshproof.runtime.registry.ServiceProtocol.GRPC
            || protocol == dev.meshproof.runtime.registry.ServiceProtocol.HTTP2
            || protocol == dev.meshproof.runtime.registry.ServiceProtocol.TCP
        ? port.name()
        : "http";
  }

  private static IllegalArgumentException unsupported(TopologyWorkload w, String what) {
    return new IllegalArgumentException(
        w.origin()
            + ": Deployment "
            + w.name()
            + ": "
            + what
            + " is not supported by a Meshproof scenario topology yet");
  }
}
