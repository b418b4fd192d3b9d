package dev.meshproof.runtime.config;

import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The {@code spec} of a VirtualService, read field by field: fields we do not implement yet are
 * reported as not yet supported rather than dropped. Registered in {@link IstioKinds}.
 */
final class VirtualServiceParser {
  private VirtualServiceParser() {}

  static VirtualService parse(ResourceMeta meta, YamlMapping spec) {
    List<String> hosts = spec.stringList("hosts");
    if (!spec.has("hosts")) {
      spec.problem(
          spec.node(),
          spec.child("hosts"),
          "required field is missing (expected: a list of hosts)");
    }
    List<String> gateways = spec.stringList("gateways");
    List<HttpRoute> http =
        spec.list("http", (node, path) -> Optional.of(httpRoute(spec, node, path)));
    for (String field : List.of("tcp", "tls", "exportTo")) {
      spec.notYetSupported(field);
    }
    spec.finish();
    return new VirtualService(meta, hosts, gateways, http);
  }

  private static HttpRoute httpRoute(YamlMapping parent, Node node, String path) {
    YamlMapping m = YamlMapping.of(parent.source(), path, node, parent.problems());
    String name = m.string("name").orElse("");
    List<HttpMatchRequest> match = m.list("match", (n, p) -> Optional.of(matchRequest(m, n, p)));
    List<RouteDestination> route =
        m.list("route", (n, p) -> Optional.of(routeDestination(m, n, p)));
    for (String field :
        List.of(
            "redirect",
            "directResponse",
            "delegate",
            "rewrite",
            "timeout",
            "retries",
            "fault",
            "mirror",
            "mirrors",
            "mirrorPercentage",
            "mirrorPercent",
            "mirror_percent",
            "corsPolicy",
            "headers")) {
      m.notYetSupported(field);
    }
    m.finish();
    if (!m.has("route")) {
      m.problem(node, m.child("route"), "at least one route destination is required");
    }
    if (route.size() > 1) {
      Node routeNode = m.value("route").orElse(node);
      for (int i = 0; i < route.size(); i++) {
        String weightPath = m.child("route") + "[" + i + "].weight";
        boolean alreadyReported = m.problems().stream().anyMatch(p -> p.field().equals(weightPath));
        if (route.get(i).weight().isEmpty() && !alreadyReported) {
          m.problem(
              routeNode,
              weightPath,
              "required when a rule has more than one destination (expected: an integer of 0 or more)");
        }
      }
      // Istio's webhook (validateHTTPRouteDestinations): weights are relative, each destination
      // gets weight/sum, so any total is valid except zero.
      long total = route.stream().mapToLong(r -> r.weight().orElse(0)).sum();
      if (total == 0 && route.stream().allMatch(r -> r.weight().isPresent())) {
        m.problem(
            routeNode,
            m.child("route"),
            "destination weights sum to 0 (expected: at least one destination with a weight above"
                + " 0)");
      }
    }
    return new HttpRoute(name, match, route);
  }

  private static HttpMatchRequest matchRequest(YamlMapping parent, Node node, String path) {
    YamlMapping m = YamlMapping.of(parent.source(), path, node, parent.problems());
    String name = m.string("name").orElse("");
    Optional<StringMatch> uri = m.mapping("uri").flatMap(VirtualServiceParser::stringMatch);
    Optional<StringMatch> method = m.mapping("method").flatMap(VirtualServiceParser::stringMatch);
    Optional<StringMatch> authority =
        m.mapping("authority").flatMap(VirtualServiceParser::stringMatch);
    Map<String, StringMatch> headers = stringMatchMap(m, "headers");
    Map<String, StringMatch> withoutHeaders = stringMatchMap(m, "withoutHeaders");
    boolean ignoreUriCase = m.bool("ignoreUriCase", false);
    for (String field :
        List.of(
            "scheme",
            "port",
            "queryParams",
            "sourceLabels",
            "gateways",
            "sourceNamespace",
            "statPrefix")) {
      m.notYetSupported(field);
    }
    m.finish();
    return new HttpMatchRequest(
        name, uri, method, authority, headers, withoutHeaders, ignoreUriCase);
  }

  private static Map<String, StringMatch> stringMatchMap(YamlMapping m, String field) {
    Optional<YamlMapping> mapping = m.mapping(field);
    if (mapping.isEmpty()) {
      return Map.of();
    }
    Map<String, StringMatch> out = new LinkedHashMap<>();
    mapping
        .get()
        .fields()
        .forEach(
            (name, value) ->
                stringMatch(
                        YamlMapping.of(m.source(), mapping.get().child(name), value, m.problems()),
                        true)
                    .ifPresent(match -> out.put(name, match)));
    return out;
  }

  private static Optional<StringMatch> stringMatch(YamlMapping m) {
    return stringMatch(m, false);
  }

  /**
   * One StringMatch; for a header ({@code presenceAllowed}) an empty mapping is Istio's presence
   * match.
   */
  private static Optional<StringMatch> stringMatch(YamlMapping m, boolean presenceAllowed) {
    List<StringMatch> found = new ArrayList<>();
    for (StringMatch.Kind kind : StringMatch.Kind.values()) {
      if (kind == StringMatch.Kind.PRESENT) {
        continue;
      }
      String field = kind.name().toLowerCase(java.util.Locale.ROOT);
      m.string(field).ifPresent(v -> found.add(new StringMatch(kind, v)));
    }
    m.finish();
    if (found.isEmpty() && presenceAllowed && m.fields().isEmpty()) {
      return Optional.of(StringMatch.present());
    }
    if (found.size() != 1) {
      m.problem(
          m.node(),
          m.path(),
          (found.isEmpty() ? "no match type given" : "more than one match type given")
              + " (expected exactly one of: exact, prefix, regex)");
      return Optional.empty();
    }
    // Regexes are deliberately passed through unchecked: RE2 validity is the data plane's to
    // judge (Envoy NACKs), and the embedded sidecar applies the same check when decoding.
    return Optional.of(found.get(0));
  }

  private static RouteDestination routeDestination(YamlMapping parent, Node node, String path) {
    YamlMapping m = YamlMapping.of(parent.source(), path, node, parent.problems());
    Destination destination =
        m.mapping("destination")
            .map(VirtualServiceParser::destination)
            .orElseGet(
                () -> {
                  m.problem(
                      node,
                      m.child("destination"),
                      "required field is missing (expected: host, subset, port)");
                  return new Destination("", Optional.empty(), OptionalInt.empty());
                });
    OptionalInt weight = m.integer("weight", 0, Integer.MAX_VALUE);
    m.notYetSupported("headers");
    m.finish();
    return new RouteDestination(destination, weight);
  }

  private static Destination destination(YamlMapping m) {
    String host =
        m.requiredString(
            "host", "a service host such as catalog or catalog.default.svc.cluster.local");
    Optional<String> subset = m.string("subset");
    OptionalInt port =
        m.mapping("port")
            .map(
                p -> {
                  OptionalInt number = p.integer("number", 1, 65535);
                  p.finish();
                  return number;
                })
            .orElse(OptionalInt.empty());
    m.finish();
    return new Destination(host, subset, port);
  }
}
