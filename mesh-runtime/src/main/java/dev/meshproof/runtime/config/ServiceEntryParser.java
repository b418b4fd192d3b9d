package dev.meshproof.runtime.config;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The {@code spec} of a ServiceEntry and of a WorkloadEntry (the type of a ServiceEntry's {@code
 * endpoints}), validated as Istio's webhook does ({@code validation.go ValidateServiceEntry}): at
 * least one host and never {@code *}, unique port names and numbers 1-65535, no endpoints with
 * resolution NONE, endpoints or a workload selector but not both, IP endpoints for STATIC, a
 * non-wildcard host for DNS without endpoints, and endpoint ports naming a port of the entry.
 */
final class ServiceEntryParser {
  private static final List<String> PROTOCOLS =
      List.of(
          "HTTP",
          "HTTPS",
          "GRPC",
          "GRPC-WEB",
          "HTTP2",
          "MONGO",
          "MYSQL",
          "REDIS",
          "TCP",
          "TLS",
          "UDP");
  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

  private static final List<String> HTTP_PROTOCOLS = List.of("HTTP", "HTTP2", "GRPC");

  private ServiceEntryParser() {}

  /** A valid Istio value the mesh does not implement yet. */
  /** A DNS name an endpoint of a resolution DNS entry may give as its address. */
  private static final java.util.regex.Pattern DNS_NAME =
      java.util.regex.Pattern.compile(
          "(?i)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static void notYet(YamlMapping m, Node at, String field, String what) {
    m.problem(at, m.child(field), what + " is valid Istio, but not supported by Meshproof yet");
  }

  static ServiceEntry parseServiceEntry(ResourceMeta meta, YamlMapping spec) {
    List<String> hosts = spec.stringList("hosts");
    if (!spec.has("hosts") || hosts.isEmpty()) {
      spec.problem(
          spec.value("hosts").orElse(spec.node()),
          spec.child("hosts"),
          "required field is missing or empty (expected: at least one host such as"
              + " api.example.com)");
    }
    for (int i = 0; i < hosts.size(); i++) {
      if (hosts.get(i).equals("*") || hosts.get(i).isEmpty()) {
        spec.problem(
            spec.value("hosts").orElseThrow(),
            spec.child("hosts") + "[" + i + "]",
            "\""
                + hosts.get(i)
                + "\" is not a valid host (expected: a DNS name, optionally"
                + " with a wildcard prefix such as *.example.com)");
      }
    }
    List<String> addresses = spec.stringList("addresses");
    Set<String> portNames = new HashSet<>();
    Set<Integer> portNumbers = new HashSet<>();
    List<ServiceEntry.Port> ports =
        spec.mappings(
            "ports",
            p -> {
              int number = p.integer("number", 1, 65535).orElse(0);
              if (!p.has("number")) {
                p.problem(
                    p.node(), p.child("number"), "required field is missing (expected: 1-65535)");
              }
              String protocol = p.oneOf("protocol", PROTOCOLS).orElse("");
              String name = p.string("name").orElse("");
              if (!protocol.isEmpty() && !HTTP_PROTOCOLS.contains(protocol)) {
                notYet(
                    p,
                    p.value("protocol").orElseThrow(),
                    "protocol",
                    "protocol "
                        + protocol
                        + " (supported: "
                        + String.join(", ", HTTP_PROTOCOLS)
                        + ")");
              } else if (protocol.isEmpty() && !name.equals("http") && !name.startsWith("http-")) {
                notYet(
                    p,
                    p.node(),
                    "protocol",
                    "a port without protocol HTTP or an http name,"
                        + " which Istio treats as TCP (supported: protocol: HTTP)");
              }
              int targetPort = p.integer("targetPort", 1, 65535).orElse(0);
              if (!name.isEmpty() && !portNames.add(name)) {
                p.problem(
                    p.value("name").orElseThrow(),
                    p.child("name"),
                    "\"" + name + "\" is used by another port (expected: unique port names)");
              }
              if (number > 0 && !portNumbers.add(number)) {
                p.problem(
                    p.value("number").orElseThrow(),
                    p.child("number"),
                    number + " is used by another port (expected: unique port numbers)");
              }
              p.finish();
              return new ServiceEntry.Port(number, protocol, name, targetPort);
            });
    ServiceEntry.Location location =
        spec.oneOf("location", names(ServiceEntry.Location.values()))
            .map(ServiceEntry.Location::valueOf)
            .orElse(ServiceEntry.Location.MESH_EXTERNAL);
    ServiceEntry.Resolution resolution =
        spec.oneOf("resolution", names(ServiceEntry.Resolution.values()))
            .map(ServiceEntry.Resolution::valueOf)
            .orElse(ServiceEntry.Resolution.NONE);
    List<WorkloadEntry.Endpoint> endpoints =
        spec.mappings("endpoints", e -> endpoint(e, resolution, portNames));
    Map<String, String> selector =
        spec.mapping("workloadSelector")
            .map(
                s -> {
                  Map<String, String> labels = s.stringMap("labels");
                  s.finish();
                  return labels;
                })
            .orElse(Map.of());
    Node endpointsNode = spec.value("endpoints").orElse(spec.node());
    if (!endpoints.isEmpty() && spec.has("workloadSelector")) {
      spec.problem(
          endpointsNode,
          spec.child("endpoints"),
          "endpoints and workloadSelector are both set (expected: only one of them)");
    }
    if (resolution == ServiceEntry.Resolution.NONE && !endpoints.isEmpty()) {
      spec.problem(
          endpointsNode,
          spec.child("endpoints"),
          "endpoints are set with resolution NONE (expected: no endpoints, or resolution STATIC"
              + " or DNS)");
    }
    if (resolution == ServiceEntry.Resolution.DNS
        && endpoints.isEmpty()
        && !spec.has("workloadSelector")) {
      hosts.stream()
          .filter(h -> h.startsWith("*"))
          .findFirst()
          .ifPresent(
              h ->
                  spec.problem(
                      spec.value("hosts").orElseThrow(),
                      spec.child("hosts"),
                      "wildcard host "
                          + h
                          + " with resolution DNS and no endpoints (expected: hosts"
                          + " that are DNS names, since they are resolved)"));
    }
    spec.notYetSupported("subjectAltNames");
    addresses(spec, addresses, resolution);
    List<String> exportTo = VirtualServiceParser.exportTo(spec, meta.namespace());
    if (resolution == ServiceEntry.Resolution.DNS && spec.has("workloadSelector")) {
      notYet(
          spec,
          spec.value("workloadSelector").orElseThrow(),
          "workloadSelector",
          "workloadSelector with resolution DNS (supported: endpoints, or none)");
    }
    if (resolution == ServiceEntry.Resolution.DNS_ROUND_ROBIN
        || resolution == ServiceEntry.Resolution.DYNAMIC_DNS) {
      notYet(
          spec,
          spec.value("resolution").orElseThrow(),
          "resolution",
          "resolution " + resolution + " (supported: STATIC, DNS, NONE with loopback addresses)");
    }
    if (resolution == ServiceEntry.Resolution.NONE && addresses.isEmpty()) {
      notYet(
          spec,
          spec.value("resolution").orElse(spec.node()),
          "resolution",
          "resolution NONE"
              + (spec.has("resolution") ? "" : " (the default)")
              + " without addresses (supported: NONE with addresses in 127.0.0.0/8, which callers"
              + " write as the request's authority; the original-destination cluster of a NONE"
              + " entry connects wherever the authority points, so Meshproof serves it only for"
              + " loopback addresses; or resolution STATIC / DNS with endpoints)");
    }
    for (int i = 0; i < hosts.size(); i++) {
      if (hosts.get(i).startsWith("*")) {
        notYet(
            spec,
            spec.value("hosts").orElseThrow(),
            "hosts[" + i + "]",
            "wildcard host " + hosts.get(i) + " (supported: exact hosts)");
      }
    }
    spec.finish();
    return new ServiceEntry(
        meta, hosts, addresses, ports, location, resolution, endpoints, selector, exportTo);
  }

  /**
   * {@code addresses}: served only with resolution NONE, each a loopback IPv4 address (127.0.0.0/8,
   * optionally {@code /32}): the addresses a NONE entry's callers dial, which become the domains of
   * its virtual host and, through the request's authority, the destination of its
   * original-destination cluster; so they must not leave loopback.
   */
  private static void addresses(
      YamlMapping spec, List<String> addresses, ServiceEntry.Resolution resolution) {
    if (addresses.isEmpty()) {
      return;
    }
    if (resolution != ServiceEntry.Resolution.NONE) {
      notYet(
          spec,
          spec.value("addresses").orElseThrow(),
          "addresses",
          "addresses with resolution " + resolution + " (supported: with resolution NONE)");
      return;
    }
    for (int i = 0; i < addresses.size(); i++) {
      String address = addresses.get(i);
      String ip = address.endsWith("/32") ? address.substring(0, address.length() - 3) : address;
      if (!IPV4.matcher(ip).matches() || !ip.startsWith("127.")) {
        spec.problem(
            spec.value("addresses").orElseThrow(),
            spec.child("addresses") + "[" + i + "]",
            "\""
                + address
                + "\" is not a loopback address (expected: an IPv4 address in 127.0.0.0/8,"
                + " optionally /32; a resolution NONE entry's original-destination cluster"
                + " connects to the address a request names, and Meshproof sends traffic only to"
                + " loopback)");
      }
    }
  }

  static WorkloadEntry parseWorkloadEntry(ResourceMeta meta, YamlMapping spec) {
    WorkloadEntry.Endpoint endpoint = endpoint(spec, ServiceEntry.Resolution.STATIC, null);
    return new WorkloadEntry(meta, endpoint);
  }

  /**
   * One endpoint; {@code portNames} are the entry's port names its ports must name ({@code null}
   * for a WorkloadEntry, whose port names are matched when a ServiceEntry selects it).
   */
  private static WorkloadEntry.Endpoint endpoint(
      YamlMapping e, ServiceEntry.Resolution resolution, Set<String> portNames) {
    String address = e.string("address").orElse("");
    if (address.isEmpty()) {
      e.problem(
          e.value("address").orElse(e.node()),
          e.child("address"),
          "required field is missing (expected: a loopback IP such as 127.0.0.1)");
    } else if (IPV4.matcher(address).matches()) {
      if (!address.startsWith("127.")) {
        e.problem(
            e.value("address").orElseThrow(),
            e.child("address"),
            "\""
                + address
                + "\" is not a loopback address (expected: 127.0.0.0/8; Meshproof sends traffic"
                + " only to loopback)");
      }
    } else if (resolution == ServiceEntry.Resolution.DNS && DNS_NAME.matcher(address).matches()) {
      // A name, resolved by the proxy (a STRICT_DNS cluster); Mesh.apply checks that it resolves
      // to loopback only.
    } else if (resolution == ServiceEntry.Resolution.STATIC
        && !address.contains(":")
        && !address.startsWith("unix://")) {
      e.problem(
          e.value("address").orElseThrow(),
          e.child("address"),
          "\""
              + address
              + "\" is not an IP address (expected: an IP such as 127.0.0.1, or"
              + " unix://path, with resolution STATIC)");
    } else {
      notYet(
          e,
          e.value("address").orElseThrow(),
          "address",
          "address " + address + " (supported: an IPv4 loopback address)");
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    e.mapping("ports")
        .ifPresent(
            p -> {
              for (String name : p.fields().keySet()) {
                OptionalInt port = p.integer(name, 1, 65535);
                port.ifPresent(n -> ports.put(name, n));
                if (portNames != null && !portNames.contains(name)) {
                  p.problem(
                      p.value(name).orElseThrow(),
                      p.child(name),
                      "endpoint port "
                          + name
                          + " is not a port of the ServiceEntry (expected one of: "
                          + String.join(", ", portNames)
                          + ")");
                }
              }
              p.finish();
            });
    Map<String, String> labels = e.stringMap("labels");
    String network = "";
    String locality = "";
    OptionalInt weight = OptionalInt.empty();
    String serviceAccount = "";
    for (String field : List.of("network", "locality", "weight", "serviceAccount")) {
      e.notYetSupported(field);
    }
    e.finish();
    return new WorkloadEntry.Endpoint(
        address, ports, labels, network, locality, weight, serviceAccount);
  }

  static List<String> names(Enum<?>[] values) {
    return Arrays.stream(values).map(Enum::name).toList();
  }
}
