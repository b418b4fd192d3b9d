package dev.meshproof.runtime.config;

import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Parses Istio YAML exactly as {@code kubectl apply} takes it (one or more documents separated by
 * {@code ---}) into validated resources. Every problem is reported with file, line, column, field
 * path and what is allowed; unknown fields are errors, not silently dropped.
 */
public final class IstioYamlParser {
  private static final Set<String> NETWORKING_VERSIONS =
      Set.of(
          "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3");
  private static final String SUPPORTED_KINDS = "VirtualService, DestinationRule";

  private IstioYamlParser() {}

  /**
   * Parses {@code yaml}; {@code source} names it in messages (a file path, or a label for inline
   * text); resources without {@code metadata.namespace} go to {@code defaultNamespace}.
   *
   * @throws InvalidConfigException listing every problem found
   */
  public static List<IstioResource> parse(String yaml, String source, String defaultNamespace) {
    List<ConfigProblem> problems = new ArrayList<>();
    List<IstioResource> resources = new ArrayList<>();
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // reported by YamlMapping with the field path instead
    try {
      for (Node document : new Yaml(options).composeAll(new StringReader(yaml))) {
        if (document != null) {
          parseDocument(document, source, defaultNamespace, problems).ifPresent(resources::add);
        }
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
      problems.add(
          new ConfigProblem(
              source,
              mark == null ? 0 : mark.getLine() + 1,
              mark == null ? 0 : mark.getColumn() + 1,
              "",
              "not valid YAML: "
                  + what
                  + (e.getContext() != null ? " (" + e.getContext() + ")" : "")));
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    return List.copyOf(resources);
  }

  private static Optional<IstioResource> parseDocument(
      Node document, String source, String defaultNamespace, List<ConfigProblem> problems) {
    int before = problems.size();
    YamlMapping root = YamlMapping.of(source, "", document, problems);
    String apiVersion = root.requiredString("apiVersion", "networking.istio.io/v1");
    String kind = root.requiredString("kind", SUPPORTED_KINDS);
    ResourceMeta meta = readMeta(root, kind, defaultNamespace);
    Optional<YamlMapping> spec = root.mapping("spec");
    root.value(
        "status"); // written by Istio, never read: allowed so `kubectl get -o yaml` output applies
    root.finish();
    if (problems.size() > before) {
      return Optional.empty();
    }
    if (!kind.equals("VirtualService") && !kind.equals("DestinationRule")) {
      root.problem(
          root.value("kind").orElseThrow(),
          "kind",
          "\"" + kind + "\" is not supported (expected one of: " + SUPPORTED_KINDS + ")");
      return Optional.empty();
    }
    if (!NETWORKING_VERSIONS.contains(apiVersion)) {
      root.problem(
          root.value("apiVersion").orElseThrow(),
          "apiVersion",
          "\""
              + apiVersion
              + "\" is not an API version of "
              + kind
              + " (expected one of: "
              + NETWORKING_VERSIONS.stream().sorted().collect(Collectors.joining(", "))
              + ")");
      return Optional.empty();
    }
    if (spec.isEmpty()) {
      root.problem(document, "spec", "required field is missing");
      return Optional.empty();
    }
    IstioResource resource =
        kind.equals("VirtualService")
            ? virtualService(meta, spec.get())
            : destinationRule(meta, spec.get());
    return problems.size() > before ? Optional.empty() : Optional.of(resource);
  }

  private static ResourceMeta readMeta(YamlMapping root, String kind, String defaultNamespace) {
    Optional<YamlMapping> metadata = root.mapping("metadata");
    if (metadata.isEmpty()) {
      root.problem(
          root.node(), "metadata", "required field is missing (expected: name, namespace)");
      return new ResourceMeta(kind, "", defaultNamespace, root.source(), root.line());
    }
    YamlMapping m = metadata.get();
    String name = m.requiredString("name", "a DNS-1123 name");
    String namespace = m.string("namespace").orElse(defaultNamespace);
    m.stringMap("labels");
    m.stringMap("annotations");
    for (String ignored :
        List.of("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields")) {
      m.value(ignored); // server-populated fields, as in `kubectl get -o yaml`
    }
    m.finish();
    return new ResourceMeta(kind, name, namespace, root.source(), root.line());
  }

  private static VirtualService virtualService(ResourceMeta meta, YamlMapping spec) {
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
              "required when a rule has more than one destination (expected: an integer from 0 to 100)");
        }
      }
      int total = route.stream().mapToInt(r -> r.weight().orElse(0)).sum();
      if (total != 100 && route.stream().allMatch(r -> r.weight().isPresent())) {
        m.problem(
            routeNode,
            m.child("route"),
            "destination weights sum to " + total + " (expected: a total of 100)");
      }
    }
    return new HttpRoute(name, match, route);
  }

  private static HttpMatchRequest matchRequest(YamlMapping parent, Node node, String path) {
    YamlMapping m = YamlMapping.of(parent.source(), path, node, parent.problems());
    String name = m.string("name").orElse("");
    Optional<StringMatch> uri = m.mapping("uri").flatMap(IstioYamlParser::stringMatch);
    Optional<StringMatch> method = m.mapping("method").flatMap(IstioYamlParser::stringMatch);
    Optional<StringMatch> authority = m.mapping("authority").flatMap(IstioYamlParser::stringMatch);
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
                        YamlMapping.of(m.source(), mapping.get().child(name), value, m.problems()))
                    .ifPresent(match -> out.put(name, match)));
    return out;
  }

  private static Optional<StringMatch> stringMatch(YamlMapping m) {
    List<StringMatch> found = new ArrayList<>();
    for (StringMatch.Kind kind : StringMatch.Kind.values()) {
      String field = kind.name().toLowerCase(java.util.Locale.ROOT);
      m.string(field).ifPresent(v -> found.add(new StringMatch(kind, v)));
    }
    m.finish();
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
            .map(IstioYamlParser::destination)
            .orElseGet(
                () -> {
                  m.problem(
                      node,
                      m.child("destination"),
                      "required field is missing (expected: host, subset, port)");
                  return new Destination("", Optional.empty(), OptionalInt.empty());
                });
    OptionalInt weight = m.integer("weight", 0, 100);
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

  private static DestinationRule destinationRule(ResourceMeta meta, YamlMapping spec) {
    String host = spec.requiredString("host", "a service host such as catalog");
    Optional<LbPolicy> lb = spec.mapping("trafficPolicy").flatMap(IstioYamlParser::trafficPolicy);
    List<DestinationRule.Subset> subsets =
        spec.list(
            "subsets",
            (node, path) -> {
              YamlMapping s = YamlMapping.of(spec.source(), path, node, spec.problems());
              String name = s.requiredString("name", "a subset name such as v1");
              Map<String, String> labels = s.stringMap("labels");
              Optional<LbPolicy> subsetLb =
                  s.mapping("trafficPolicy").flatMap(IstioYamlParser::trafficPolicy);
              s.finish();
              return Optional.of(new DestinationRule.Subset(name, labels, subsetLb));
            });
    spec.notYetSupported("exportTo");
    spec.notYetSupported("workloadSelector");
    spec.finish();
    return new DestinationRule(meta, host, lb, subsets);
  }

  private static Optional<LbPolicy> trafficPolicy(YamlMapping policy) {
    Optional<LbPolicy> lb =
        policy
            .mapping("loadBalancer")
            .flatMap(
                l -> {
                  Optional<String> simple = l.string("simple");
                  for (String field :
                      List.of(
                          "consistentHash", "localityLbSetting", "warmupDurationSecs", "warmup")) {
                    l.notYetSupported(field);
                  }
                  l.finish();
                  return simple.flatMap(
                      s -> {
                        String normalized = s.equals("LEAST_CONN") ? "LEAST_REQUEST" : s;
                        try {
                          return Optional.of(LbPolicy.valueOf(normalized));
                        } catch (IllegalArgumentException e) {
                          l.problem(
                              l.value("simple").orElseThrow(),
                              l.child("simple"),
                              "\""
                                  + s
                                  + "\" is not supported (expected one of: "
                                  + Arrays.stream(LbPolicy.values())
                                      .map(Enum::name)
                                      .collect(Collectors.joining(", "))
                                  + ", LEAST_CONN)");
                          return Optional.empty();
                        }
                      });
                });
    for (String field :
        List.of(
            "connectionPool",
            "outlierDetection",
            "tls",
            "portLevelSettings",
            "tunnel",
            "proxyProtocol")) {
      policy.notYetSupported(field);
    }
    policy.finish();
    return lb;
  }
}
