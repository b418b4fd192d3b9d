package dev.meshproof.runtime.config;

import dev.meshproof.runtime.config.StringMatch.Kind;
import dev.meshproof.runtime.config.VirtualService.FaultAbort;
import dev.meshproof.runtime.config.VirtualService.FaultDelay;
import dev.meshproof.runtime.config.VirtualService.HttpFault;
import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.HttpMirror;
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
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;

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
    // No hosts: a delegate VirtualService (istiod's len(Hosts) == 0), used only through a root's
    // http[].delegate. The webhook (ValidateVirtualService) then forbids gateways, tcp and tls.
    boolean delegate =
        hosts.isEmpty()
            && !spec.problems().stream().anyMatch(p -> p.field().startsWith(spec.child("hosts")));
    List<String> gateways = spec.stringList("gateways");
    if (delegate && !gateways.isEmpty()) {
      spec.problem(
          spec.value("gateways").orElse(spec.node()),
          spec.child("gateways"),
          "delegate virtual service must have no gateways specified (expected: no gateways on a"
              + " VirtualService without hosts; set gateways on its root)");
    }
    // Istio's webhook (validateVirtualService): a wildcard only as the whole first label, and not
    // the bare "*" on a VirtualService bound to the mesh.
    boolean appliesToMesh = gateways.isEmpty() || gateways.contains("mesh");
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      Node at = spec.value("hosts").orElse(spec.node());
      String path = spec.child("hosts") + "[" + i + "]";
      int star = host.indexOf('*');
      if (star >= 0 && !(host.equals("*") || (host.startsWith("*.") && host.indexOf('*', 1) < 0))) {
        spec.problem(
            at,
            path,
            "domain name \""
                + host
                + "\" invalid (expected: a wildcard only as the whole first label, such as"
                + " *.example.com)");
      } else if (appliesToMesh && host.equals("*")) {
        spec.problem(
            at,
            path,
            "wildcard host * is not allowed for virtual services bound to the mesh gateway"
                + " (expected: a host or a wildcard such as *.default.svc.cluster.local)");
      }
    }
    List<HttpRoute> http =
        spec.list("http", (node, path) -> Optional.of(httpRoute(spec, node, path, delegate)));
    if (!spec.has("http") && !spec.has("tcp") && !spec.has("tls")) {
      spec.problem(
          spec.node(),
          spec.child("http"),
          "http, tcp or tls must be provided in virtual service (expected: a list of http rules)");
    }
    List<String> exportTo = exportTo(spec, meta.namespace());
    List<VirtualService.TcpRoute> tcp =
        spec.list("tcp", (node, path) -> Optional.of(tcpRoute(spec, node, path)));
    List<VirtualService.TlsRoute> tls =
        spec.list("tls", (node, path) -> Optional.of(tlsRoute(spec, node, path)));
    if (!tls.isEmpty() && (gateways.isEmpty() || gateways.contains(VirtualService.MESH))) {
      // Sidecars would route such connections by SNI (istiod's buildSidecarOutboundTLSFilterChain);
      // Meshproof serves tls rules on gateways only, so on a sidecar they would be ignored.
      spec.problem(
          spec.value("tls").orElseThrow(),
          spec.child("tls"),
          "tls rules for sidecars (gateways empty or mesh) are valid Istio, but not supported by"
              + " Meshproof yet (expected: gateways naming the Gateways whose PASSTHROUGH servers"
              + " route by SNI)");
    }
    spec.finish();
    return new VirtualService(meta, hosts, gateways, http, exportTo, tcp, tls);
  }

  private static final java.util.regex.Pattern DNS1123_LABEL =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  /**
   * {@code exportTo}, validated as Istio's webhook does ({@code validateExportTo}, validation.go
   * :665): {@code .}, {@code *} or a DNS-1123 label; no {@code ~}; no duplicates ({@code .} and the
   * own namespace count as one); {@code *} alone.
   */
  static List<String> exportTo(YamlMapping spec, String namespace) {
    List<String> exportTo = spec.stringList("exportTo");
    Node node = spec.value("exportTo").orElse(spec.node());
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < exportTo.size(); i++) {
      String entry = exportTo.get(i);
      String path = spec.child("exportTo") + "[" + i + "]";
      String key = entry.equals(".") ? namespace : entry;
      if (!seen.add(key)) {
        spec.problem(
            node,
            path,
            (key.equals(entry)
                    ? "duplicate entries in exportTo for entry " + entry
                    : "duplicate entries in exportTo: . and current namespace " + namespace)
                + " (expected: each namespace once)");
      } else if (entry.equals("~")) {
        spec.problem(
            node,
            path,
            "exportTo ~ (none) is not allowed for Istio configuration objects (expected: ., * or a"
                + " namespace)");
      } else if (!entry.equals(".")
          && !entry.equals("*")
          && (entry.length() > 63 || !DNS1123_LABEL.matcher(entry).matches())) {
        spec.problem(
            node,
            path,
            "\"" + entry + "\": only .,*, or a valid DNS 1123 label is allowed as exportTo entry");
      }
    }
    if (exportTo.contains("*") && exportTo.size() > 1) {
      spec.problem(
          node,
          spec.child("exportTo"),
          "cannot have both public (*) and non-public exportTo values for a resource (expected: *"
              + " alone)");
    }
    return exportTo;
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

  /**
   * A {@code tcp} rule: {@code match} blocks (port, sourceLabels, sourceNamespace, gateways) and
   * weighted {@code route} destinations, at least one, as the webhook's {@code validateTCPRoute}
   * requires; {@code destinationSubnets} and {@code sourceSubnet} are not simulated (loopback has
   * no pod or service CIDRs).
   */
  private static VirtualService.TcpRoute tcpRoute(YamlMapping parent, Node node, String path) {
    YamlMapping m = YamlMapping.of(parent.source(), path, node, parent.problems());
    List<VirtualService.L4Match> match =
        m.list(
            "match",
            (n, p) -> {
              YamlMapping mm = YamlMapping.of(m.source(), p, n, m.problems());
              OptionalInt port = mm.integer("port", 1, 65535);
              Map<String, String> sourceLabels = mm.stringMap("sourceLabels");
              Optional<String> sourceNamespace = sourceNamespace(mm);
              List<String> gateways = mm.stringList("gateways");
              for (String field : List.of("destinationSubnets", "sourceSubnet")) {
                mm.notYetSupported(field);
              }
              mm.finish();
              return Optional.of(
                  new VirtualService.L4Match(port, sourceLabels, sourceNamespace, gateways));
            });
    List<RouteDestination> route = l4RouteDestinations(m, node, "TCP");
    m.finish();
    return new VirtualService.TcpRoute(match, route);
  }

  /**
   * A {@code tls} rule: {@code match} blocks, each with {@code sniHosts} (required, as the
   * webhook's {@code validateTLSMatch}), port and gateways, and weighted {@code route}
   * destinations, at least one ({@code validateTLSRoute}).
   */
  private static VirtualService.TlsRoute tlsRoute(YamlMapping parent, Node node, String path) {
    YamlMapping m = YamlMapping.of(parent.source(), path, node, parent.problems());
    List<VirtualService.TlsMatch> match =
        m.list(
            "match",
            (n, p) -> {
              YamlMapping mm = YamlMapping.of(m.source(), p, n, m.problems());
              List<String> sniHosts = mm.stringList("sniHosts");
              if (sniHosts.isEmpty()) {
                mm.problem(
                    n,
                    mm.child("sniHosts"),
                    "TLS match must have at least one SNI host (expected: sniHosts, e.g."
                        + " [secure.example.com])");
              }
              OptionalInt port = mm.integer("port", 1, 65535);
              List<String> gateways = mm.stringList("gateways");
              for (String field :
                  List.of("destinationSubnets", "sourceLabels", "sourceNamespace")) {
                mm.notYetSupported(field);
              }
              mm.finish();
              return Optional.of(
                  new VirtualService.TlsMatch(
                      sniHosts,
                      new VirtualService.L4Match(port, Map.of(), Optional.empty(), gateways)));
            });
    if (match.isEmpty()) {
      m.problem(
          node,
          m.child("match"),
          "TLS route must have at least one match condition (expected:" + " match with sniHosts)");
    }
    List<RouteDestination> route = l4RouteDestinations(m, node, "TLS");
    m.finish();
    return new VirtualService.TlsRoute(match, route);
  }

  /**
   * A {@code tcp} or {@code tls} rule's {@code route}: at least one destination, none with {@code
   * headers} (the webhook's {@code validateTCPRoute} / {@code validateTLSRoute}).
   */
  private static List<RouteDestination> l4RouteDestinations(
      YamlMapping m, Node node, String protocol) {
    List<RouteDestination> route =
        m.list("route", (n, p) -> Optional.of(routeDestination(m, n, p)));
    if (route.isEmpty()) {
      m.problem(
          node,
          m.child("route"),
          protocol + " route is required (expected: at least one route destination)");
    }
    for (int i = 0; i < route.size(); i++) {
      if (!route.get(i).headers().isEmpty()) {
        m.problem(
            node,
            m.child("route") + "[" + i + "].headers",
            "headers are not allowed on a "
                + protocol
                + " route destination (expected: destination, weight)");
      }
    }
    return route;
  }

  private static HttpRoute httpRoute(
      YamlMapping parent, Node node, String path, boolean inDelegateVirtualService) {
    YamlMapping m = YamlMapping.of(parent.source(), path, node, parent.problems());
    String name = m.string("name").orElse("");
    List<HttpMatchRequest> match = m.list("match", (n, p) -> Optional.of(matchRequest(m, n, p)));
    List<RouteDestination> route =
        m.list("route", (n, p) -> Optional.of(routeDestination(m, n, p)));
    Optional<Duration> timeout = m.duration("timeout", false);
    Optional<HttpRetry> retries = m.mapping("retries").flatMap(VirtualServiceParser::retries);
    List<HttpMirror> mirrors = mirrors(m, node);
    Optional<HttpFault> fault = m.mapping("fault").flatMap(VirtualServiceParser::fault);
    Optional<VirtualService.Delegate> delegate = delegate(m, name, inDelegateVirtualService);
    Optional<VirtualService.CorsPolicy> cors = m.mapping("corsPolicy").map(CorsPolicyParser::parse);
    // A root rule (with delegate) takes its route from the delegate: validateHTTPRouteConflict
    // checks only that it sets neither route nor redirect (reported by delegate(..)).
    boolean routeOrDelegate = m.has("route") || (delegate.isPresent() && !m.has("redirect"));
    RouteActions actions =
        RouteActionsParser.actions(m, node, routeOrDelegate, allUriPrefix(match));
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
    return new HttpRoute(
        name, match, route, timeout, retries, actions, mirrors, fault, cors, delegate);
  }

  /**
   * {@code delegate}, validated as Istio's webhook ({@code validateHTTPRouteConflict},
   * pkg/config/validation/virtualservice.go): a root rule must set neither {@code route} nor {@code
   * redirect}; a delegate VirtualService's rules cannot delegate again. The webhook does not check
   * the name: a delegate that does not exist is ignored when merging, as istiod does.
   */
  private static Optional<VirtualService.Delegate> delegate(
      YamlMapping m, String ruleName, boolean inDelegateVirtualService) {
    Optional<YamlMapping> mapping = m.mapping("delegate");
    if (mapping.isEmpty()) {
      return Optional.empty();
    }
    YamlMapping d = mapping.get();
    String name = d.string("name").orElse("");
    Optional<String> namespace = d.string("namespace").filter(ns -> !ns.isEmpty());
    d.finish();
    Node at = m.value("delegate").orElse(m.node());
    if (inDelegateVirtualService) {
      m.problem(
          at,
          m.child("delegate"),
          "delegate HTTP route cannot contain delegate (expected: route, redirect or"
              + " directResponse in a VirtualService without hosts)");
      return Optional.empty();
    }
    if (m.has("route")) {
      m.problem(
          m.value("route").orElse(at),
          m.child("route"),
          "root HTTP route "
              + ruleName
              + " must not specify route (expected: delegate alone; the"
              + " delegate VirtualService holds the routes)");
    }
    if (m.has("redirect")) {
      m.problem(
          m.value("redirect").orElse(at),
          m.child("redirect"),
          "root HTTP route "
              + ruleName
              + " must not specify redirect (expected: delegate alone;"
              + " the delegate VirtualService holds the redirect)");
    }
    return Optional.of(new VirtualService.Delegate(name, namespace));
  }

  /** Whether every match block with a {@code uri} matches it by prefix. */
  private static boolean allUriPrefix(List<HttpMatchRequest> match) {
    return match.stream().allMatch(m -> m.uri().map(u -> u.kind() == Kind.PREFIX).orElse(true));
  }

  /**
   * {@code mirror} with {@code mirrorPercentage}, or {@code mirrors}, validated as Istio's webhook
   * ({@code validateHTTPRoute}, {@code validateHTTPMirrors}): not both, each percentage 0..100. The
   * deprecated integer {@code mirrorPercent} is not supported (use {@code mirrorPercentage}).
   */
  private static List<HttpMirror> mirrors(YamlMapping m, Node node) {
    m.notYetSupported("mirrorPercent");
    m.notYetSupported("mirror_percent");
    Optional<Destination> mirror = m.mapping("mirror").map(VirtualServiceParser::destination);
    OptionalDouble mirrorPercentage = percentage(m, "mirrorPercentage");
    List<HttpMirror> mirrors =
        m.list(
            "mirrors",
            (n, p) -> {
              YamlMapping entry = YamlMapping.of(m.source(), p, n, m.problems());
              Optional<Destination> destination =
                  entry.mapping("destination").map(VirtualServiceParser::destination);
              OptionalDouble percentage = percentage(entry, "percentage");
              entry.finish();
              if (destination.isEmpty()) {
                entry.problem(
                    n,
                    entry.child("destination"),
                    "destination is required for mirrors (expected: host, subset, port)");
                return Optional.empty();
              }
              return Optional.of(new HttpMirror(destination.get(), percentage));
            });
    if (mirror.isPresent() && m.has("mirrors")) {
      m.problem(
          m.value("mirrors").orElse(node),
          m.child("mirrors"),
          "HTTP route cannot contain both mirror and mirrors (expected: mirror with"
              + " mirrorPercentage, or a list of mirrors)");
      return List.of();
    }
    if (mirror.isEmpty() && mirrorPercentage.isPresent()) {
      m.problem(
          m.value("mirrorPercentage").orElse(node),
          m.child("mirrorPercentage"),
          "mirrorPercentage without mirror would be ignored (expected: a mirror destination)");
    }
    return mirror.map(d -> List.of(new HttpMirror(d, mirrorPercentage))).orElse(mirrors);
  }

  /**
   * An Istio {@code Percent} ({@code {value: 12.5}}): a number from 0 to 100, as Istio's webhook
   * checks mirror percentages; fault percentages must also be 0 or at least 0.0001 ({@code
   * validatePercentage}), which {@link #faultPercentage} adds.
   */
  private static OptionalDouble percentage(YamlMapping m, String field) {
    Optional<YamlMapping> percent = m.mapping(field);
    if (percent.isEmpty()) {
      return OptionalDouble.empty();
    }
    YamlMapping p = percent.get();
    String expected = "a number from 0 to 100, such as {value: 12.5}";
    Optional<Node> value = p.value("value");
    p.finish();
    if (value.isEmpty() || YamlMapping.isNull(value.get())) {
      // Istio reads {} as value 0: nothing is mirrored or injected.
      return OptionalDouble.of(0);
    }
    Optional<String> text = p.scalar(value.get(), p.child("value"), expected);
    if (text.isEmpty()) {
      return OptionalDouble.empty();
    }
    Tag tag = value.get().getTag();
    double parsed;
    try {
      parsed = Double.parseDouble(text.get().strip());
    } catch (NumberFormatException e) {
      parsed = Double.NaN;
    }
    if (!(Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) || Double.isNaN(parsed)) {
      p.problem(
          value.get(),
          p.child("value"),
          "\"" + text.get() + "\" is not a number (expected: " + expected + ", without quotes)");
      return OptionalDouble.empty();
    }
    if (parsed < 0 || parsed > 100) {
      p.problem(
          value.get(), p.child("value"), parsed + " is out of range (expected: " + expected + ")");
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(parsed);
  }

  private static OptionalDouble faultPercentage(YamlMapping m) {
    OptionalDouble percentage = percentage(m, "percentage");
    if (percentage.isPresent()
        && percentage.getAsDouble() > 0
        && percentage.getAsDouble() < 0.0001) {
      m.problem(
          m.value("percentage").orElse(m.node()),
          m.child("percentage"),
          "percentage "
              + percentage.getAsDouble()
              + " is neither 0.0, nor in range [0.0001, 100.0]");
      return OptionalDouble.empty();
    }
    return percentage;
  }

  /**
   * {@code fault}, validated as Istio's {@code validateHTTPFaultInjection}: an abort and/or a
   * delay; an abort with exactly one of {@code httpStatus} (200..599) and {@code grpcStatus} (a
   * gRPC code name); a delay with {@code fixedDelay} (at least 1 ms). {@code exponentialDelay} and
   * {@code http2Error} are rejected as Istio's webhook rejects them ("not supported yet"); the
   * deprecated integer {@code percent} is not supported by Meshproof (use {@code percentage}).
   */
  private static Optional<HttpFault> fault(YamlMapping m) {
    Optional<FaultAbort> abort = m.mapping("abort").flatMap(VirtualServiceParser::faultAbort);
    Optional<FaultDelay> delay = m.mapping("delay").flatMap(VirtualServiceParser::faultDelay);
    boolean hasAbort = m.has("abort");
    boolean hasDelay = m.has("delay");
    m.finish();
    if (!hasAbort && !hasDelay) {
      m.problem(
          m.node(),
          m.path(),
          "HTTP fault injection must have an abort and/or a delay (expected: abort, delay)");
      return Optional.empty();
    }
    if (abort.isEmpty() && delay.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new HttpFault(abort, delay));
  }

  private static Optional<FaultAbort> faultAbort(YamlMapping m) {
    OptionalInt httpStatus = m.integer("httpStatus", 200, 599, "an HTTP status from 200 to 599");
    Optional<String> grpcStatus = m.string("grpcStatus");
    OptionalDouble percentage = faultPercentage(m);
    boolean http2Error = m.has("http2Error");
    m.notYetSupported("percent");
    m.finish();
    if (http2Error) {
      m.problem(
          m.value("http2Error").orElseThrow(),
          m.child("http2Error"),
          "HTTP/2 abort fault injection not supported yet (expected: httpStatus or grpcStatus)");
      return Optional.empty();
    }
    int types = (m.has("httpStatus") ? 1 : 0) + (grpcStatus.isPresent() ? 1 : 0);
    if (types != 1) {
      m.problem(
          m.node(),
          m.path(),
          (types == 0 ? "abort configured, but error type not set" : "more than one error type")
              + " (expected exactly one of: httpStatus, grpcStatus)");
      return Optional.empty();
    }
    if (grpcStatus.isPresent() && !GrpcStatusNames.contains(grpcStatus.get())) {
      m.problem(
          m.value("grpcStatus").orElseThrow(),
          m.child("grpcStatus"),
          "gRPC status \""
              + grpcStatus.get()
              + "\" is not supported (expected one of: "
              + String.join(", ", GrpcStatusNames.NAMES)
              + ")");
      return Optional.empty();
    }
    if (m.has("httpStatus") && httpStatus.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new FaultAbort(httpStatus, grpcStatus, percentage));
  }

  private static Optional<FaultDelay> faultDelay(YamlMapping m) {
    Optional<Duration> fixedDelay = m.duration("fixedDelay", true);
    OptionalDouble percentage = faultPercentage(m);
    boolean exponential = m.has("exponentialDelay");
    m.notYetSupported("percent");
    m.finish();
    if (exponential) {
      m.problem(
          m.value("exponentialDelay").orElseThrow(),
          m.child("exponentialDelay"),
          "exponentialDelay not supported yet (expected: fixedDelay)");
      return Optional.empty();
    }
    if (!m.has("fixedDelay")) {
      m.problem(
          m.node(),
          m.child("fixedDelay"),
          "required field is missing (expected: a duration such as 250ms or 2s)");
      return Optional.empty();
    }
    return fixedDelay.map(d -> new FaultDelay(d, percentage));
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
    List<String> gateways = m.stringList("gateways");
    m.notYetSupported("statPrefix");
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
        sourceNamespace,
        gateways);
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

  static Destination destination(YamlMapping m) {
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
