package dev.meshproof.runtime.config;

import dev.meshproof.runtime.config.StringMatch.Kind;
import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.HttpRetry;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import dev.meshproof.runtime.config.VirtualService.RouteActions;
import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import dev.meshproof.runtime.re2.Re2Syntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The {@code spec} of a VirtualService, read field by field: fields we do not implement yet are
 * reported as not yet supported rather than dropped. Registered in {@link IstioKinds}.
 */
final class VirtualServiceParser {
  private static final String WEIGHT = "a non-negative integer; weights are relative to their sum";

  /** Where a StringMatch appears: which match types and values Istio's webhook allows there. */
  enum MatchSite {
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
    Optional<Duration> timeout = m.duration("timeout", false);
    Optional<HttpRetry> retries = m.mapping("retries").flatMap(VirtualServiceParser::retries);
    for (String field :
        List.of(
            "delegate",
            "fault",
            "mirror",
            "mirrors",
            "mirrorPercentage",
            "mirrorPercent",
            "mirror_percent")) {
      m.notYetSupported(field);
    }
    Optional<VirtualService.CorsPolicy> cors = m.mapping("corsPolicy").map(CorsPolicyParser::parse);
    RouteActions actions = RouteActionsParser.actions(m, node, m.has("route"), allUriPrefix(match));
    m.finish();
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
    return new HttpRoute(name, match, route, timeout, retries, actions, cors);
  }

  /** Whether every match block with a {@code uri} matches it by prefix. */
  private static boolean allUriPrefix(List<HttpMatchRequest> match) {
    return match.stream().allMatch(m -> m.uri().map(u -> u.kind() == Kind.PREFIX).orElse(true));
  }

  /**
   * The retry policies Istio's webhook accepts in {@code retryOn} besides HTTP status codes ({@code
   * pkg/config/validation/agent/validation.go} {@code supportedRetryOnPolicies}).
   */
  static final Set<String> RETRY_ON_POLICIES =
      new LinkedHashSet<>(
          List.of(
              "5xx",
              "gateway-error",
              "reset",
              "reset-before-request",
              "connect-failure",
              "envoy-ratelimited",
              "retriable-4xx",
              "refused-stream",
              "retriable-status-codes",
              "retriable-headers",
              "http3-post-connect-failure",
              "cancelled",
              "deadline-exceeded",
              "internal",
              "resource-exhausted",
              "unavailable"));

  /** {@code retries}, validated as Istio's {@code ValidateHTTPRetry}. */
  private static Optional<HttpRetry> retries(YamlMapping m) {
    OptionalInt attempts = m.integer("attempts", Integer.MIN_VALUE, Integer.MAX_VALUE);
    Optional<Duration> perTryTimeout = m.duration("perTryTimeout", true);
    Optional<String> retryOn = m.string("retryOn");
    boolean remote = m.bool("retryRemoteLocalities", false);
    for (String field : List.of("retryIgnorePreviousHosts", "backoff")) {
      m.notYetSupported(field);
    }
    m.finish();
    int n = attempts.orElse(0);
    if (n < 0) {
      m.problem(
          m.value("attempts").orElse(m.node()),
          m.child("attempts"),
          n + " is negative (expected: 0 to disable retries, or a positive number of retries)");
      return Optional.empty();
    }
    if (n == 0
        && (perTryTimeout.isPresent() || retryOn.isPresent() || m.has("retryRemoteLocalities"))) {
      m.problem(
          m.value("attempts").orElse(m.node()),
          m.child("attempts"),
          "http retry policy configured when attempts are set to 0 (disabled) (expected: attempts"
              + " > 0 with perTryTimeout, retryOn or retryRemoteLocalities)");
      return Optional.empty();
    }
    if (retryOn.isPresent()) {
      for (String token : retryOn.get().split(",", -1)) {
        if (!RETRY_ON_POLICIES.contains(token) && !isHttpStatusCode(token)) {
          m.problem(
              m.value("retryOn").orElse(m.node()),
              m.child("retryOn"),
              "\""
                  + token
                  + "\" is not a valid retryOn policy (expected: an HTTP status code or one of "
                  + String.join(", ", RETRY_ON_POLICIES)
                  + ")");
          return Optional.empty();
        }
      }
    }
    return Optional.of(new HttpRetry(n, perTryTimeout, retryOn, remote));
  }

  /** Go's {@code http.StatusText} knows the code: what istiod and its webhook accept as a code. */
  static boolean isHttpStatusCode(String token) {
    if (!token.matches("[0-9]{3}")) {
      return false;
    }
    return GO_STATUS_CODES.contains(Integer.parseInt(token));
  }

  private static final Set<Integer> GO_STATUS_CODES =
      Set.of(
          100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303,
          304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413,
          414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502,
          503, 504, 505, 506, 507, 508, 510, 511);

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
    Optional<StringMatch> scheme =
        m.mapping("scheme").flatMap(u -> stringMatch(u, MatchSite.PSEUDO_HEADER));
    Map<String, StringMatch> queryParams = queryParams(m);
    OptionalInt port = m.integer("port", 1, 65535);
    Map<String, String> sourceLabels = m.stringMap("sourceLabels");
    Optional<String> sourceNamespace = sourceNamespace(m);
    for (String field : List.of("gateways", "statPrefix")) {
      m.notYetSupported(field);
    }
    m.finish();
    return new HttpMatchRequest(
        name,
        uri,
        method,
        authority,
        headers,
        withoutHeaders,
        ignoreUriCase,
        scheme,
        queryParams,
        port,
        sourceLabels,
        sourceNamespace);
  }

  /**
   * {@code queryParams}: each a StringMatch without an empty prefix; {@code {}} (or {@code regex:
   * "*"}) is a presence match, as istiod's {@code translateQueryParamMatch} reads it.
   */
  private static Map<String, StringMatch> queryParams(YamlMapping m) {
    Optional<YamlMapping> mapping = m.mapping("queryParams");
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

  private static Optional<String> sourceNamespace(YamlMapping m) {
    Optional<String> namespace = m.string("sourceNamespace").filter(s -> !s.isEmpty());
    if (namespace.isPresent() && !namespace.get().matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      m.problem(
          m.value("sourceNamespace").orElseThrow(),
          m.child("sourceNamespace"),
          "sourceNamespace match "
              + namespace.get()
              + " is invalid (expected: a DNS-1123 label such as default)");
      return Optional.empty();
    }
    return namespace;
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
  static Optional<StringMatch> stringMatch(YamlMapping m, MatchSite site) {
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
    VirtualService.Headers headers =
        m.mapping("headers").map(RouteActionsParser::headers).orElse(VirtualService.Headers.NONE);
    m.finish();
    return new RouteDestination(destination, weight, headers);
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
