package dev.meshproof.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/networking/virtual-service/">
 * VirtualService</a>: HTTP routing rules for a set of hosts.
 */
public record VirtualService(
    ResourceMeta meta,
    List<String> hosts,
    List<String> gateways,
    List<HttpRoute> http,
    /**
     * {@code exportTo} as written ({@code .}, {@code *}, namespaces); empty: exported everywhere,
     * Istio's default.
     */
    List<String> exportTo,
    /** The {@code tcp} rules, in order: the first whose match holds routes a connection. */
    List<TcpRoute> tcp,
    /** The {@code tls} rules (SNI routing of passed-through TLS), served on gateways only. */
    List<TlsRoute> tls)
    implements IstioResource {

  public VirtualService {
    hosts = List.copyOf(hosts);
    gateways = List.copyOf(gateways);
    http = List.copyOf(http);
    exportTo = List.copyOf(exportTo);
    tcp = List.copyOf(tcp);
    tls = List.copyOf(tls);
  }

  /** A VirtualService without {@code tls} rules. */
  public VirtualService(
      ResourceMeta meta,
      List<String> hosts,
      List<String> gateways,
      List<HttpRoute> http,
      List<String> exportTo,
      List<TcpRoute> tcp) {
    this(meta, hosts, gateways, http, exportTo, tcp, List.of());
  }

  /** A VirtualService without {@code tcp} rules. */
  public VirtualService(
      ResourceMeta meta,
      List<String> hosts,
      List<String> gateways,
      List<HttpRoute> http,
      List<String> exportTo) {
    this(meta, hosts, gateways, http, exportTo, List.of());
  }

  /** A VirtualService exported to every namespace. */
  public VirtualService(
      ResourceMeta meta, List<String> hosts, List<String> gateways, List<HttpRoute> http) {
    this(meta, hosts, gateways, http, List.of());
  }

  /**
   * Whether this is a delegate VirtualService: one without hosts, used only through a root
   * VirtualService's {@code http[].delegate} (istiod: {@code len(Hosts) == 0}).
   */
  public boolean isDelegate() {
    return hosts.isEmpty();
  }

  /** The reserved gateway name of every sidecar in the mesh. */
  public static final String MESH = "mesh";

  /**
   * A gateway reference as istiod resolves it ({@code resolveGatewayName}): {@code mesh} stays,
   * {@code <namespace>/<name>} stays, a short name is in {@code namespace}.
   */
  public static String resolveGateway(String name, String namespace) {
    if (name.equals(MESH) || name.contains("/")) {
      return name;
    }
    return namespace + "/" + name;
  }

  /**
   * {@code gateways}, resolved ({@link #resolveGateway}); empty means {@code mesh}, as istiod reads
   * it.
   */
  public List<String> resolvedGateways() {
    return gateways.stream().map(g -> resolveGateway(g, meta.namespace())).toList();
  }

  /** Whether the VirtualService applies to {@code gateway} (a resolved name or {@code mesh}). */
  public boolean boundTo(String gateway) {
    return gateways.isEmpty() ? gateway.equals(MESH) : resolvedGateways().contains(gateway);
  }

  @Override
  public VirtualService withMeta(ResourceMeta newMeta) {
    return new VirtualService(newMeta, hosts, gateways, http, exportTo, tcp, tls);
  }

  /**
   * How a proxy in {@code namespace} sees this VirtualService (istiod's {@code
   * initVirtualServices}): 0 private (exported to its own namespace, by {@code .} or by name), 1
   * exported to {@code namespace} by name, 2 public ({@code *} or no {@code exportTo}); empty when
   * not exported there. istiod lists a proxy's VirtualServices in that order.
   */
  public java.util.OptionalInt visibilityRankFor(String namespace) {
    if (exportTo.isEmpty() || exportTo.contains("*")) {
      return java.util.OptionalInt.of(2);
    }
    boolean own = namespace.equals(meta.namespace());
    if (own && (exportTo.contains(".") || exportTo.contains(namespace))) {
      return java.util.OptionalInt.of(0);
    }
    return !own && exportTo.contains(namespace)
        ? java.util.OptionalInt.of(1)
        : java.util.OptionalInt.empty();
  }

  /**
   * One {@code http} rule: matched when any of its match blocks matches (or it has none), with its
   * route {@code timeout} and {@code retries} when set. It forwards to its {@code route}
   * destinations (optionally with a {@code rewrite}), or answers itself with a {@code redirect} or
   * a {@code directResponse}; {@code headers} are changed on the request and the response. Its
   * mirrors ({@code mirror} with {@code mirrorPercentage}, or {@code mirrors}) copy requests, and
   * its {@code fault} delays or aborts them.
   */
  public record HttpRoute(
      String name,
      List<HttpMatchRequest> match,
      List<RouteDestination> route,
      Optional<Duration> timeout,
      Optional<HttpRetry> retries,
      RouteActions actions,
      List<HttpMirror> mirrors,
      Optional<HttpFault> fault,
      Optional<CorsPolicy> corsPolicy,
      /**
       * {@code delegate}: the rule's routes come from another VirtualService (one without hosts),
       * merged in by {@link VirtualServiceDelegation}; such a rule has no {@code route} itself.
       */
      Optional<Delegate> delegate) {
    public HttpRoute {
      match = List.copyOf(match);
      route = List.copyOf(route);
      mirrors = List.copyOf(mirrors);
    }

    /** A rule that does not delegate. */
    public HttpRoute(
        String name,
        List<HttpMatchRequest> match,
        List<RouteDestination> route,
        Optional<Duration> timeout,
        Optional<HttpRetry> retries,
        RouteActions actions,
        List<HttpMirror> mirrors,
        Optional<HttpFault> fault,
        Optional<CorsPolicy> corsPolicy) {
      this(
          name,
          match,
          route,
          timeout,
          retries,
          actions,
          mirrors,
          fault,
          corsPolicy,
          Optional.empty());
    }

    /** A rule without a CORS policy. */
    public HttpRoute(
        String name,
        List<HttpMatchRequest> match,
        List<RouteDestination> route,
        Optional<Duration> timeout,
        Optional<HttpRetry> retries,
        RouteActions actions,
        List<HttpMirror> mirrors,
        Optional<HttpFault> fault) {
      this(name, match, route, timeout, retries, actions, mirrors, fault, Optional.empty());
    }

    /** A rule without mirrors, fault or CORS policy. */
    public HttpRoute(
        String name,
        List<HttpMatchRequest> match,
        List<RouteDestination> route,
        Optional<Duration> timeout,
        Optional<HttpRetry> retries,
        RouteActions actions) {
      this(
          name,
          match,
          route,
          timeout,
          retries,
          actions,
          List.of(),
          Optional.empty(),
          Optional.empty());
    }

    /** A rule without timeout, retries, actions, mirrors, fault or CORS policy. */
    public HttpRoute(String name, List<HttpMatchRequest> match, List<RouteDestination> route) {
      this(name, match, route, Optional.empty(), Optional.empty(), RouteActions.NONE);
    }

    /** A rule without actions, mirrors or fault. */
    public HttpRoute(
        String name,
        List<HttpMatchRequest> match,
        List<RouteDestination> route,
        Optional<Duration> timeout,
        Optional<HttpRetry> retries) {
      this(name, match, route, timeout, retries, RouteActions.NONE);
    }
  }

  /**
   * Istio's <a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#Delegate">Delegate</a>:
   * the VirtualService (without hosts) whose {@code http} rules replace the delegating rule; {@code
   * namespace} empty means the delegating VirtualService's own namespace.
   */
  public record Delegate(String name, Optional<String> namespace) {}

  /**
   * Istio's <a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#CorsPolicy">CorsPolicy</a>
   * on an {@code http} rule: which origins may make cross-origin requests ({@code allowOrigins}, or
   * the deprecated {@code allowOrigin} as exact matches), what a preflight answers, and whether a
   * preflight from another origin is forwarded ({@code unmatchedPreflights}).
   */
  public record CorsPolicy(
      List<StringMatch> allowOrigins,
      List<String> allowMethods,
      List<String> allowHeaders,
      List<String> exposeHeaders,
      Optional<Duration> maxAge,
      Optional<Boolean> allowCredentials,
      UnmatchedPreflights unmatchedPreflights) {
    public CorsPolicy {
      allowOrigins = List.copyOf(allowOrigins);
      allowMethods = List.copyOf(allowMethods);
      allowHeaders = List.copyOf(allowHeaders);
      exposeHeaders = List.copyOf(exposeHeaders);
    }
  }

  /** {@code CorsPolicy.UnmatchedPreflights}: forward (the default) or ignore. */
  public enum UnmatchedPreflights {
    UNSPECIFIED,
    FORWARD,
    IGNORE
  }

  /**
   * What an {@code http} rule does besides choosing destinations: {@code rewrite}, {@code
   * redirect}, {@code directResponse} (at most one of the last two, and neither with {@code route}
   * or {@code rewrite}: Istio's webhook rejects those combinations) and {@code headers}.
   */
  public record RouteActions(
      Optional<HttpRewrite> rewrite,
      Optional<HttpRedirect> redirect,
      Optional<HttpDirectResponse> directResponse,
      Headers headers) {
    public static final RouteActions NONE =
        new RouteActions(Optional.empty(), Optional.empty(), Optional.empty(), Headers.NONE);
  }

  /**
   * Istio's <a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRewrite">HTTPRewrite</a>:
   * the matched prefix replaced by {@code uri}, or the path rewritten by {@code uriRegexRewrite},
   * and the authority replaced.
   */
  public record HttpRewrite(
      Optional<String> uri, Optional<RegexRewrite> uriRegexRewrite, Optional<String> authority) {}

  /** {@code uriRegexRewrite}: every match of the RE2 {@code match} replaced by {@code rewrite}. */
  public record RegexRewrite(String match, String rewrite) {}

  /**
   * Istio's <a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRedirect">HTTPRedirect</a>.
   *
   * @param uri the new path (with the request's query kept unless it has its own)
   * @param authority the new host
   * @param port the new port ({@code port}, or {@code derivePort: FROM_REQUEST_PORT} resolved to
   *     the listener port at translation time, as istiod does)
   * @param derivePort whether {@code derivePort} was given (then a port is always resolved)
   * @param scheme {@code http} or {@code https}
   * @param redirectCode the status, 0 when unset (istiod's default is 301)
   */
  public record HttpRedirect(
      Optional<String> uri,
      Optional<String> authority,
      OptionalInt port,
      Optional<DerivePort> derivePort,
      Optional<String> scheme,
      int redirectCode) {}

  /** {@code HTTPRedirect.derivePort}. */
  public enum DerivePort {
    FROM_PROTOCOL_DEFAULT,
    FROM_REQUEST_PORT
  }

  /** Istio's {@code HTTPDirectResponse}: the proxy answers {@code status} with {@code body}. */
  public record HttpDirectResponse(int status, Optional<String> body) {}

  /**
   * Istio's <a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#Headers">Headers</a>:
   * changes to the request (before forwarding) and to the response.
   */
  public record Headers(HeaderOperations request, HeaderOperations response) {
    public static final Headers NONE = new Headers(HeaderOperations.NONE, HeaderOperations.NONE);

    public boolean isEmpty() {
      return request.isEmpty() && response.isEmpty();
    }
  }

  /** {@code set} (overwrite), {@code add} (append) and {@code remove}, in the order written. */
  public record HeaderOperations(
      Map<String, String> set, Map<String, String> add, List<String> remove) {
    public static final HeaderOperations NONE = new HeaderOperations(Map.of(), Map.of(), List.of());

    public HeaderOperations {
      set = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(set));
      add = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(add));
      remove = List.copyOf(remove);
    }

    public boolean isEmpty() {
      return set.isEmpty() && add.isEmpty() && remove.isEmpty();
    }
  }

  /**
   * A mirror of an {@code http} rule: {@code mirror} with {@code mirrorPercentage}, or one entry of
   * {@code mirrors} (<a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMirrorPolicy">HTTPMirrorPolicy</a>).
   *
   * @param destination where the copies go
   * @param percentage the percentage (0..100) of requests copied; absent means 100
   */
  public record HttpMirror(Destination destination, java.util.OptionalDouble percentage) {}

  /**
   * Istio's <a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection">HTTPFaultInjection</a>,
   * validated as Istio's webhook does ({@code validateHTTPFaultInjection}): an abort, a delay, or
   * both.
   */
  public record HttpFault(Optional<FaultAbort> abort, Optional<FaultDelay> delay) {}

  /**
   * {@code fault.abort}: an HTTP status (200..599) or a gRPC status name ({@code UNAVAILABLE}), on
   * {@code percentage} of requests (absent: istiod emits no percentage, so Envoy aborts none).
   */
  public record FaultAbort(
      OptionalInt httpStatus, Optional<String> grpcStatus, java.util.OptionalDouble percentage) {}

  /** {@code fault.delay}: a {@code fixedDelay} on {@code percentage} of requests. */
  public record FaultDelay(Duration fixedDelay, java.util.OptionalDouble percentage) {}

  /**
   * Istio's <a
   * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry">HTTPRetry</a>,
   * validated as Istio's webhook does ({@code pkg/config/validation/agent/validation.go} {@code
   * ValidateHTTPRetry}).
   *
   * @param attempts retries allowed; 0 disables retries (no retry policy at all)
   * @param perTryTimeout the timeout of each attempt
   * @param retryOn the comma-separated conditions as written (policies and status codes)
   * @param retryRemoteLocalities whether retries prefer other localities
   */
  public record HttpRetry(
      int attempts,
      Optional<Duration> perTryTimeout,
      Optional<String> retryOn,
      boolean retryRemoteLocalities) {}

  /**
   * One {@code match} block; all of its conditions must hold. {@code queryParams} and {@code
   * scheme} are request matches; {@code port}, {@code sourceLabels} and {@code sourceNamespace}
   * decide at translation time which proxies and ports get the route, as istiod does.
   */
  public record HttpMatchRequest(
      String name,
      Optional<StringMatch> uri,
      Optional<StringMatch> method,
      Optional<StringMatch> authority,
      Map<String, StringMatch> headers,
      Map<String, StringMatch> withoutHeaders,
      boolean ignoreUriCase,
      Optional<StringMatch> scheme,
      Map<String, StringMatch> queryParams,
      OptionalInt port,
      Map<String, String> sourceLabels,
      Optional<String> sourceNamespace,
      /**
       * {@code match[].gateways} as {@code <namespace>/<name>} (a short name is in the
       * VirtualService's namespace) or {@code mesh}; empty: the VirtualService's own gateways.
       */
      List<String> gateways) {
    public HttpMatchRequest {
      headers = Map.copyOf(headers);
      withoutHeaders = Map.copyOf(withoutHeaders);
      queryParams = Map.copyOf(queryParams);
      sourceLabels = Map.copyOf(sourceLabels);
      gateways = List.copyOf(gateways);
    }

    /** A match block that names no gateways of its own. */
    public HttpMatchRequest(
        String name,
        Optional<StringMatch> uri,
        Optional<StringMatch> method,
        Optional<StringMatch> authority,
        Map<String, StringMatch> headers,
        Map<String, StringMatch> withoutHeaders,
        boolean ignoreUriCase,
        Optional<StringMatch> scheme,
        Map<String, StringMatch> queryParams,
        OptionalInt port,
        Map<String, String> sourceLabels,
        Optional<String> sourceNamespace) {
      this(
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
          List.of());
    }

    /**
     * Whether this match applies on {@code gateway} ({@code mesh} for sidecars, else a Gateway's
     * {@code <namespace>/<name>}), as istiod's {@code sourceMatchHTTP}: its own gateways if it
     * names any, else those of the VirtualService {@code vs}.
     */
    public boolean appliesTo(String gateway, VirtualService vs) {
      List<String> effective =
          gateways.isEmpty()
              ? vs.resolvedGateways()
              : gateways.stream().map(g -> resolveGateway(g, vs.meta().namespace())).toList();
      if (effective.isEmpty()) {
        return gateway.equals(MESH);
      }
      return effective.contains(gateway);
    }

    /** A match block on uri, method, authority and headers only. */
    public HttpMatchRequest(
        String name,
        Optional<StringMatch> uri,
        Optional<StringMatch> method,
        Optional<StringMatch> authority,
        Map<String, StringMatch> headers,
        Map<String, StringMatch> withoutHeaders,
        boolean ignoreUriCase) {
      this(
          name,
          uri,
          method,
          authority,
          headers,
          withoutHeaders,
          ignoreUriCase,
          Optional.empty(),
          Map.of(),
          OptionalInt.empty(),
          Map.of(),
          Optional.empty());
    }
  }

  /** A weighted destination of an {@code http} rule, with its own header changes. */
  public record RouteDestination(Destination destination, OptionalInt weight, Headers headers) {
    public RouteDestination(Destination destination, OptionalInt weight) {
      this(destination, weight, Headers.NONE);
    }
  }

  /**
   * One {@code tcp} rule (Istio's {@code TCPRoute}): routes a connection to its weighted {@code
   * route} destinations when any {@code match} block holds (or it has none).
   */
  public record TcpRoute(List<L4Match> match, List<RouteDestination> route) {
    public TcpRoute {
      match = List.copyOf(match);
      route = List.copyOf(route);
    }
  }

  /**
   * One {@code match} block of a {@code tcp} rule (Istio's {@code L4MatchAttributes}); each
   * condition is decided at translation time per proxy and port, as istiod's {@code matchTCP}
   * (tls.go) does.
   */
  public record L4Match(
      OptionalInt port,
      Map<String, String> sourceLabels,
      Optional<String> sourceNamespace,
      List<String> gateways) {
    public L4Match {
      sourceLabels = Map.copyOf(sourceLabels);
      gateways = List.copyOf(gateways);
    }

    /**
     * True when this block matches a sidecar with {@code labels} in {@code namespace} on the
     * service {@code port} ({@code matchTCP}: gateways must include {@code mesh} when set).
     */
    public boolean matches(Map<String, String> labels, String namespace, int servicePort) {
      boolean gatewayMatch = gateways.isEmpty() || gateways.contains("mesh");
      boolean labelMatch =
          sourceLabels.entrySet().stream()
              .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
      boolean portMatch = port.isEmpty() || port.getAsInt() == servicePort;
      boolean nsMatch = sourceNamespace.isEmpty() || sourceNamespace.get().equals(namespace);
      return gatewayMatch && labelMatch && portMatch && nsMatch;
    }

    /**
     * True when this block holds for the Gateway server on {@code serverPort} of {@code gateway}
     * ({@code <namespace>/<name>}), as istiod's {@code l4SingleMatch} (gateway.go) decides for a
     * gateway's TCP server: the port, if set, is the server's, and the gateways, if set, include
     * this one (short names resolved in the VirtualService's namespace {@code vsNamespace}).
     */
    public boolean matchesGateway(String gateway, String vsNamespace, int serverPort) {
      boolean portMatch = port.isEmpty() || port.getAsInt() == serverPort;
      boolean gatewayMatch =
          gateways.isEmpty()
              || gateways.stream().anyMatch(g -> resolveGateway(g, vsNamespace).equals(gateway));
      return portMatch && gatewayMatch;
    }
  }

  /**
   * A {@code tls} rule (Istio's {@code TLSRoute}): its {@code match} blocks and the weighted {@code
   * route} destinations a matching connection is proxied to, still encrypted.
   */
  public record TlsRoute(List<TlsMatch> match, List<RouteDestination> route) {
    public TlsRoute {
      match = List.copyOf(match);
      route = List.copyOf(route);
    }
  }

  /**
   * One {@code match} block of a {@code tls} rule ({@code TLSMatchAttributes}): the SNI names it
   * matches ({@code sniHosts}, required) and its port and gateways ({@code l4}, as istiod's {@code
   * convertTLSMatchToL4Match} reads them).
   */
  public record TlsMatch(List<String> sniHosts, L4Match l4) {
    public TlsMatch {
      sniHosts = List.copyOf(sniHosts);
    }
  }
}
