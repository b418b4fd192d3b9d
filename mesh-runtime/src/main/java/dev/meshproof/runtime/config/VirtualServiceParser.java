package dev.meshproof.runtime.config;

import dev.meshproof.runtime.config.StringMatch.Kind;
import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import dev.meshproof.runtime.re2.Re2Syntax;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The {@code spec} of a VirtualService, read field by field: fields we do not implement yet are
 * reported as not yet supported rather than dropped. Registered in {@link IstioKinds}.
 */
final class VirtualServiceParser {
  private static final String WEIGHT = "a non-negative integer; weights are relative to their sum";

  /** Where a StringMatch appears: which match types and values Istio's webhook allows there. */
  private enum MatchSite {
    /** {@code uri}: an empty prefix is allowed (it matches every path). */
    URI,
    /** {@code method}, {@code authority}: no empty prefix. */
    PSEUDO_HEADER,
    /** {@code headers}, {@code withoutHeaders}: no empty prefix; no match type = presence. */
    HEADER
  }

  private VirtualServiceParser() {}

  static VirtualService parse(ResourceMeta meta, YamlMapping spec) {
    List<String> hosts = spec.list("hosts", (node, path) -> host(spec, node, path));
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

  private static Optional<String> host(YamlMapping spec, Node node, String path) {
    Optional<String> host = spec.scalar(node, path, "a string");
    if (host.isEmpty()) {
      return host;
    }
    if (host.get().isEmpty()) {
      spec.problem(
          node, path, "must not be empty (expected: a host such as reviews or reviews.default)");
      return Optional.empty();
    }
    return host;
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
              "required when a rule has more than one destination (expected: " + WEIGHT + ")");
        }
      }
      // Istio's webhook (validateHTTPRouteDestinations): weights are relative, so any total is
      // valid except 0. Istio before 1.15 required a total of 100; no profile that old exists,
      // so this rule does not go through IstioVersionProfile.
      long total = route.stream().mapToLong(r -> r.weight().orElse(0)).sum();
      if (total == 0 && route.stream().allMatch(r -> r.weight().isPresent())) {
        m.problem(
            routeNode,
            m.child("route"),
            "total destination weight = 0 (expected: at least one destination with a positive"
                + " weight)");
      }
    }
    return new HttpRoute(name, match, route);
  }

  private static HttpMatchRequest matchRequest(YamlMapping parent, Node node, String path) {
    YamlMapping m = YamlMapping.of(parent.source(), path, node, parent.problems());
    String name = m.string("name").orElse("");
    Optional<StringMatch> uri = m.mapping("uri").flatMap(u -> stringMatch(u, MatchSite.URI));
    Optional<StringMatch> method =
        m.mapping("method").flatMap(u -> stringMatch(u, MatchSite.PSEUDO_HEADER));
    Optional<StringMatch> authority =
        m.mapping("authority").flatMap(u -> stringMatch(u, MatchSite.PSEUDO_HEADER));
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
                        MatchSite.HEADER)
                    .ifPresent(match -> out.put(name, match)));
    return out;
  }

  /**
   * One StringMatch, checked as Istio's webhook checks it ({@code validateStringMatch}, {@code
   * validateStringMatchRegexp}; /work/notes/istiod-defaults.md section 6).
   */
  private static Optional<StringMatch> stringMatch(YamlMapping m, MatchSite site) {
    List<StringMatch> found = new ArrayList<>();
    for (StringMatch.Kind kind : List.of(Kind.EXACT, Kind.PREFIX, Kind.REGEX)) {
      String field = kind.name().toLowerCase(java.util.Locale.ROOT);
      m.string(field).ifPresent(v -> found.add(new StringMatch(kind, v)));
    }
    m.finish();
    if (found.isEmpty() && site == MatchSite.HEADER && m.node() instanceof MappingNode) {
      return Optional.of(StringMatch.present());
    }
    if (found.size() != 1) {
      m.problem(
          m.node(),
          m.path(),
          (found.isEmpty() ? "no match type given" : "more than one match type given")
              + " (expected exactly one of: exact, prefix, regex"
              + (site == MatchSite.HEADER ? "; or {} for a presence match" : "")
              + ")");
      return Optional.empty();
    }
    StringMatch match = found.get(0);
    String field = match.kind().name().toLowerCase(java.util.Locale.ROOT);
    Node value = m.value(field).orElseThrow();
    if (match.kind() == Kind.PREFIX && match.value().isEmpty() && site != MatchSite.URI) {
      m.problem(
          value,
          m.child(field),
          "prefix string match should not be empty (expected: a non-empty prefix; {} matches"
              + " any value of a header)");
      return Optional.empty();
    }
    if (match.kind() == Kind.REGEX) {
      if (match.value().isEmpty()) {
        m.problem(
            value,
            m.child(field),
            "regex string match should not be empty (expected: an RE2 regular expression)");
        return Optional.empty();
      }
      // Envoy compiles safe_regex with RE2 and NACKs the whole route configuration otherwise;
      // checking here locates the problem in the YAML. The embedded sidecar checks again.
      try {
        Re2Syntax.compile(match.value(), true);
      } catch (IllegalArgumentException e) {
        m.problem(
            value,
            m.child(field),
            e.getMessage() + " (expected: RE2 syntax, https://github.com/google/re2/wiki/Syntax)");
        return Optional.empty();
      }
    }
    return Optional.of(match);
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
    OptionalInt weight = m.integer("weight", 0, Integer.MAX_VALUE, WEIGHT);
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
