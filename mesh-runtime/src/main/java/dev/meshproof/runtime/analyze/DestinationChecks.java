package dev.meshproof.runtime.analyze;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Istio's {@code virtualservice.DestinationHostAnalyzer} and {@code DestinationRuleAnalyzer}: every
 * route and mirror destination of a VirtualService must name a host visible from the
 * VirtualService's namespace (a Service, a ServiceEntry or a registry service, honouring {@code
 * exportTo} on both sides and ServiceEntry wildcards), a port that host has (or a port at all when
 * it has several), and a subset some DestinationRule defines. Host scoping follows Istio's {@code
 * util.InitServiceEntryHostMap} / {@code GetDestinationHost} ({@code
 * pkg/config/analysis/analyzers/util/service_lookup.go}).
 */
final class DestinationChecks {
  private DestinationChecks() {}

  private static final String ALL = "*";
  private static final String LOCAL = ".";
  private static final String DOMAIN = "svc.cluster.local";
  private static final Pattern FQDN = Pattern.compile("^(.+)\\.(.+)\\.svc\\.cluster\\.local$");

  /** A route or mirror destination; {@code node} is where a finding points without a field. */
  private record Destination(
      Node node, String host, String subset, Optional<String> port, boolean mirror) {
    /** The line of {@code field} in this destination, else of the destination. */
    int lineOf(String... field) {
      return RawResource.line(RawResource.at(node, field).orElse(node));
    }
  }

  /**
   * A host's ports (a Service, a ServiceEntry or a registry service) and the labels of the pods it
   * selects ({@code spec.selector}, {@code workloadSelector.labels}, {@code app: <name>} for a
   * registry service).
   */
  record HostEntry(List<String> ports, Map<String, String> selector) {
    HostEntry(List<String> ports) {
      this(ports, Map.of());
    }
  }

  static void hosts(AnalysisInput input, List<Finding> out) {
    Map<String, HostEntry> hosts = hostMap(input);
    for (RawResource vs : input.ofKind("VirtualService")) {
      List<String> exportTo = RawResource.strings(vs.root(), "spec", "exportTo");
      for (Destination d : destinations(vs)) {
        Optional<HostEntry> entry = lookup(vs.namespace(), exportTo, d.host(), hosts);
        if (entry.isEmpty()) {
          out.add(notFound(vs, d.lineOf("host"), d.mirror() ? "mirror host" : "host", d.host()));
          continue;
        }
        List<String> ports = entry.get().ports();
        if (d.port().isEmpty()) {
          if (ports.size() > 1) {
            out.add(
                new Finding(
                    MessageCode.VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED,
                    vs.displayName(),
                    vs.source(),
                    d.lineOf("host"),
                    "This VirtualService routes to a service \""
                        + d.host()
                        + "\" that exposes multiple ports "
                        + ports
                        + ". Specifying a port in the destination is required to disambiguate."));
          }
        } else if (!ports.contains(d.port().get())) {
          out.add(
              notFound(
                  vs, d.lineOf("port", "number"), "host:port", d.host() + ":" + d.port().get()));
        }
      }
    }
  }

  static void subsets(AnalysisInput input, List<Finding> out) {
    Set<String> defined = new HashSet<>();
    for (RawResource rule : input.ofKind("DestinationRule")) {
      String host =
          toFqdn(rule.namespace(), RawResource.text(rule.root(), "spec", "host").orElse(""));
      String name = resourceName(rule.namespace(), host);
      for (Node subset : RawResource.items(rule.root(), "spec", "subsets")) {
        defined.add(name + "+" + RawResource.text(subset, "name").orElse(""));
      }
    }
    for (RawResource vs : input.ofKind("VirtualService")) {
      for (Destination d : destinations(vs)) {
        if (d.subset().isEmpty()
            || defined.contains(resourceName(vs.namespace(), d.host()) + "+" + d.subset())) {
          continue;
        }
        out.add(
            notFound(
                vs,
                d.lineOf("subset"),
                d.mirror() ? "mirror+subset in destinationrule" : "host+subset in destinationrule",
                d.host() + "+" + d.subset()));
      }
    }
  }

  private static Finding notFound(RawResource vs, int line, String what, String value) {
    return new Finding(
        MessageCode.REFERENCED_RESOURCE_NOT_FOUND,
        vs.displayName(),
        vs.source(),
        line,
        "Referenced " + what + " not found: \"" + value + "\"");
  }

  private static List<Destination> destinations(RawResource vs) {
    List<Destination> out = new ArrayList<>();
    for (String protocol : new String[] {"http", "tcp", "tls"}) {
      for (Node rule : RawResource.items(vs.root(), "spec", protocol)) {
        for (Node route : RawResource.items(rule, "route")) {
          Node node = RawResource.at(route, "destination").orElse(route);
          out.add(destination(node, false));
        }
      }
    }
    for (Node rule : RawResource.items(vs.root(), "spec", "http")) {
      RawResource.at(rule, "mirror").ifPresent(m -> out.add(destination(m, true)));
      for (Node mirror : RawResource.items(rule, "mirrors")) {
        RawResource.at(mirror, "destination").ifPresent(m -> out.add(destination(m, true)));
      }
    }
    return out;
  }

  private static Destination destination(Node node, boolean mirror) {
    return new Destination(
        node,
        RawResource.text(node, "host").orElse(""),
        RawResource.text(node, "subset").orElse(""),
        RawResource.text(node, "port", "number"),
        mirror);
  }

  /** Istio's scoped host map: {@code scope/fqdn} to the host's ports. */
  static Map<String, HostEntry> hostMap(AnalysisInput input) {
    Map<String, HostEntry> map = new LinkedHashMap<>();
    for (RawResource se : input.ofKind("ServiceEntry")) {
      List<String> ports = new ArrayList<>();
      for (Node port : RawResource.items(se.root(), "spec", "ports")) {
        RawResource.text(port, "number").ifPresent(ports::add);
      }
      HostEntry entry =
          new HostEntry(ports, stringMap(se.root(), "spec", "workloadSelector", "labels"));
      List<String> exportTo = RawResource.strings(se.root(), "spec", "exportTo");
      for (String host : RawResource.strings(se.root(), "spec", "hosts")) {
        if (exportTo.isEmpty() || exportTo.contains(ALL)) {
          map.put(scoped(ALL, se.namespace(), host), entry);
          continue;
        }
        for (String ns : exportTo) {
          map.put(scoped(ns.equals(LOCAL) ? se.namespace() : ns, se.namespace(), host), entry);
        }
      }
    }
    for (RawResource service : input.ofKind("Service")) {
      List<String> ports = new ArrayList<>();
      for (Node port : RawResource.items(service.root(), "spec", "ports")) {
        RawResource.text(port, "port").ifPresent(ports::add);
      }
      String annotation =
          RawResource.text(
                  service.root(), "metadata", "annotations", "networking.istio.io/exportTo")
              .orElse("");
      List<String> scopes = new ArrayList<>();
      if (annotation.isEmpty()) {
        scopes.add(ALL);
      } else {
        for (String ns : annotation.split(",")) {
          scopes.add(ns.equals(LOCAL) ? service.namespace() : ns);
        }
      }
      for (String scope : scopes) {
        map.put(
            scoped(scope, service.namespace(), service.name()),
            new HostEntry(ports, stringMap(service.root(), "spec", "selector")));
      }
    }
    for (RegistryService service : input.registry()) {
      map.putIfAbsent(
          scoped(ALL, service.namespace(), service.name()),
          new HostEntry(
              service.ports().stream().map(String::valueOf).toList(),
              Map.of("app", service.name())));
    }
    return map;
  }

  /** The string map at {@code path} (labels, a selector); empty when missing. */
  static Map<String, String> stringMap(Node node, String... path) {
    Map<String, String> out = new java.util.TreeMap<>();
    RawResource.at(node, path)
        .filter(org.yaml.snakeyaml.nodes.MappingNode.class::isInstance)
        .ifPresent(
            m -> {
              for (org.yaml.snakeyaml.nodes.NodeTuple t :
                  ((org.yaml.snakeyaml.nodes.MappingNode) m).getValue()) {
                RawResource.text(t.getKeyNode())
                    .ifPresent(k -> out.put(k, RawResource.text(t.getValueNode()).orElse("")));
              }
            });
    return out;
  }

  static Optional<HostEntry> lookup(
      String sourceNs, List<String> exportTo, String host, Map<String, HostEntry> hosts) {
    HostEntry all = hosts.get(scoped(ALL, sourceNs, host));
    if (all != null) {
      return Optional.of(all);
    }
    List<String> scopes = exportTo.isEmpty() ? List.of(sourceNs) : exportTo;
    for (String scope : scopes) {
      HostEntry entry = hosts.get(scoped(scope.equals(LOCAL) ? sourceNs : scope, sourceNs, host));
      if (entry != null) {
        return Optional.of(entry);
      }
    }
    String bareHost = host.startsWith(ALL) ? host.substring(1) : host;
    for (Map.Entry<String, HostEntry> e : hosts.entrySet()) {
      String scope = e.getKey().substring(0, e.getKey().indexOf('/'));
      String seHost = e.getKey().substring(e.getKey().indexOf('/') + 1);
      if (!seHost.startsWith(ALL) || !(scope.equals(ALL) || scope.equals(sourceNs))) {
        continue;
      }
      if (bareHost.endsWith(seHost.substring(1))) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }

  private static String scoped(String scope, String namespace, String host) {
    return scope + "/" + toFqdn(namespace, host);
  }

  /** Istio's {@code ConvertHostToFQDN}: a short name becomes {@code name.ns.svc.cluster.local}. */
  private static String toFqdn(String namespace, String host) {
    return host.startsWith(ALL) || host.contains(".")
        ? host
        : host + "." + namespace + "." + DOMAIN;
  }

  /** Istio's {@code GetResourceNameFromHost}: {@code ns/name} of a short name or cluster FQDN. */
  private static String resourceName(String namespace, String host) {
    Matcher m = FQDN.matcher(host);
    return m.matches() ? m.group(2) + "/" + m.group(1) : namespace + "/" + host;
  }
}
