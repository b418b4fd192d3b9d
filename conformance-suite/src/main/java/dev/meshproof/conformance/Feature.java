package dev.meshproof.conformance;

import dev.meshproof.reports.SupportLevel;

/**
 * Mesh features the catalogue proves, named in the style of Gateway API's features (ARCHITECTURE.md
 * §7); each is core or extended. Reports name them by {@link #reportName()}, Meshproof's own names,
 * so that no report claims a Gateway API feature for a test that applies Istio resources.
 */
public enum Feature {
  /** VirtualService weighted routes across DestinationRule subsets. */
  MeshHTTPRouteWeight(SupportLevel.CORE),
  /**
   * VirtualService {@code tcp} routes: connections to a TCP service port split across subsets by
   * weight, through {@code tcp_proxy} listeners.
   */
  MeshTCPRouteWeight(SupportLevel.EXTENDED),
  /**
   * A Kubernetes Service with several ports: one outbound listener and cluster per port ({@code
   * outbound|<port>||<host>}), VirtualService routes matched by port, one inbound listener and
   * cluster per port on each instance, delivered to that port's app; a port the Service omits is
   * not the service's.
   */
  MeshMultiPortService(SupportLevel.EXTENDED),
  /**
   * Trace context ({@code traceparent}, {@code tracestate}, {@code baggage}, {@code b3}, {@code
   * x-b3-*}) forwarded to the upstream unchanged, none invented where the app sent none.
   */
  MeshTracePropagation(SupportLevel.EXTENDED),
  /**
   * Istio's standard metrics ({@code istio_requests_total} and its histograms, {@code istio_tcp_*})
   * with Istio's labels, equal to what the clients observed; on Envoy 1.40, which has no {@code
   * istio.stats} filter, {@code istio_requests_total} is judged by its cluster statistics.
   */
  MeshTelemetryMetrics(SupportLevel.EXTENDED),
  /** VirtualService match on request headers. */
  MeshHTTPRouteHeaderMatch(SupportLevel.CORE),
  /** VirtualService match on the URI (prefix, exact, regex). */
  MeshHTTPRoutePathMatch(SupportLevel.CORE),
  /** VirtualService match on query parameters (exact, regex, presence). */
  MeshHTTPRouteQueryParamMatch(SupportLevel.EXTENDED),
  /** VirtualService match on the HTTP method. */
  MeshHTTPRouteMethodMatch(SupportLevel.EXTENDED),
  /**
   * VirtualService {@code delegate}: a root rule's routes come from a delegate VirtualService,
   * merged as istiod merges them (match within the root's, inherited settings, exportTo).
   */
  MeshHTTPRouteDelegate(SupportLevel.EXTENDED),
  /** VirtualService {@code rewrite}: the path (prefix or regex) and authority forwarded. */
  MeshHTTPRewrite(SupportLevel.EXTENDED),
  /** VirtualService {@code redirect}: the proxy answers with a redirect. */
  MeshHTTPRedirect(SupportLevel.EXTENDED),
  /** VirtualService {@code headers}: request and response headers set, added, removed. */
  MeshHTTPHeaderModifier(SupportLevel.EXTENDED),
  /** VirtualService {@code directResponse}: the proxy answers with a fixed status and body. */
  MeshDirectResponse(SupportLevel.EXTENDED),
  /**
   * DestinationRule {@code trafficPolicy.loadBalancer.simple} spreading requests over endpoints.
   */
  MeshLoadBalancing(SupportLevel.CORE),
  /**
   * DestinationRule {@code loadBalancer.consistentHash.httpHeaderName}: every request with one
   * header value reaches the same endpoint (ring hash), the values spread over the endpoints.
   */
  MeshConsistentHashHeader(SupportLevel.EXTENDED),
  /**
   * DestinationRule {@code loadBalancer.warmup} (Envoy's slow start): an endpoint that joins a
   * round-robin cluster gets less than its fair share inside its warmup window and its fair share
   * after it; without warmup, its fair share at once.
   */
  MeshWarmup(SupportLevel.EXTENDED),
  /**
   * DestinationRule {@code loadBalancer.consistentHash.httpCookie}: every request with one cookie
   * value reaches the same endpoint (maglev), the values spread over the endpoints.
   */
  MeshConsistentHashCookie(SupportLevel.EXTENDED),
  /**
   * DestinationRule {@code loadBalancer.consistentHash.useSourceIp}: one client address, one
   * endpoint.
   */
  MeshConsistentHashSourceIP(SupportLevel.EXTENDED),
  /**
   * Locality failover: with outlier detection (and the mesh's default {@code localityLbSetting}),
   * EDS priorities follow the caller's locality; when the local endpoints are ejected, traffic goes
   * to the next locality (same region first), never further while it has healthy endpoints.
   */
  MeshLocalityFailover(SupportLevel.EXTENDED),
  /**
   * Locality {@code distribute}: the caller's locality sends each share of its traffic to the
   * localities the rule names, and none to the others.
   */
  MeshLocalityDistribute(SupportLevel.EXTENDED),
  /**
   * Locality {@code failoverPriority}: with outlier detection, endpoints are ordered by the labels
   * they share with the caller (istiod's topology labels included, {@code label=value} compared
   * with the value), in the order the rule lists them.
   */
  MeshLocalityFailoverPriority(SupportLevel.EXTENDED),
  /**
   * VirtualService {@code retries.retryRemoteLocalities}: Envoy's {@code previous_priorities} retry
   * priority; once two attempts went to the local priority, the next one goes to the next priority.
   */
  MeshLocalityRetryRemote(SupportLevel.EXTENDED),
  /** VirtualService {@code http[].timeout}: the route timeout, 504 UT when it fires. */
  MeshTimeouts(SupportLevel.CORE),
  /** VirtualService {@code retries.perTryTimeout}: each attempt bounded, timed-out ones retried. */
  MeshPerTryTimeout(SupportLevel.CORE),
  /** VirtualService {@code retries}: attempts and retryOn (policies and status codes). */
  MeshRetries(SupportLevel.CORE),
  /** Istio's default retry policy on routes without {@code retries}, per Istio release. */
  MeshRetriesDefault(SupportLevel.CORE),
  /** DestinationRule {@code connectionPool}: circuit breaking with 503 UO on overflow. */
  MeshConnectionPool(SupportLevel.EXTENDED),
  /** DestinationRule {@code outlierDetection}: failing hosts ejected, within the ejection cap. */
  MeshOutlierDetection(SupportLevel.EXTENDED),
  /**
   * VirtualService {@code corsPolicy}: preflights answered by the proxy, allowed origins marked.
   */
  MeshCORS(SupportLevel.EXTENDED),
  /**
   * MeshConfig {@code outboundTrafficPolicy}: hosts outside the registry passed through ({@code
   * ALLOW_ANY}, Istio's default) or refused with 502 ({@code REGISTRY_ONLY}).
   */
  MeshOutboundTrafficPolicy(SupportLevel.CORE),
  /**
   * ServiceEntry: hosts outside the mesh added to the registry (resolution DNS or STATIC, endpoints
   * on loopback), routed to their endpoints while other external hosts stay blocked under {@code
   * REGISTRY_ONLY}.
   */
  MeshServiceEntry(SupportLevel.CORE),
  /** Proxies keep serving their last configuration while the control plane is unavailable. */
  MeshControlPlaneOutage(SupportLevel.EXTENDED),
  /**
   * Chaos: a version answering 503 to a share of calls is absorbed by retries (a VirtualService's
   * {@code retries}, or the emulated Istio release's default policy); without them success drops.
   */
  ChaosServiceErrors(SupportLevel.EXTENDED),
  /** Chaos: a slow service is cut off by the route timeout, so latency stays bounded. */
  ChaosServiceLatency(SupportLevel.EXTENDED),
  /** Chaos: an instance killed and restarted; retries move its calls to the instances left. */
  ChaosInstanceLoss(SupportLevel.EXTENDED),
  /**
   * Chaos: toxics on a network link (latency, resets, ...); the route timeout bounds the latency
   * and retries on {@code reset} recover the reset calls.
   */
  ChaosNetworkToxics(SupportLevel.EXTENDED),
  /** Chaos: a partition between a caller and one version; outlier detection fails over. */
  ChaosPartition(SupportLevel.EXTENDED),
  /** Chaos: an instance stopped gracefully (drained) loses no request. */
  ChaosDrain(SupportLevel.EXTENDED),
  /** Chaos: a version scaled up while traffic runs; the new endpoints take their share. */
  ChaosScale(SupportLevel.EXTENDED),
  /**
   * Chaos: an instance flapping between ready and not ready; each flip reaches every caller's EDS
   * through the control plane, so no request meets it while it is not ready.
   */
  ChaosReadinessFlap(SupportLevel.EXTENDED),
  /**
   * Chaos: an error rate rising in steps, started after a number of requests; retries absorb it.
   */
  ChaosRamp(SupportLevel.EXTENDED),
  /**
   * VirtualService {@code mirror}, {@code mirrorPercentage} and {@code mirrors}: copies of a share
   * of requests, with the Host the Istio release gives them.
   */
  MeshRequestMirror(SupportLevel.EXTENDED),
  /** A slow or failing mirror never changes the primary request's status or latency. */
  MeshRequestMirrorIsolation(SupportLevel.EXTENDED),
  /** VirtualService {@code fault.abort}: HTTP or gRPC status on a share of requests, flag FI. */
  MeshFaultAbort(SupportLevel.EXTENDED),
  /** VirtualService {@code fault.delay}: a fixed delay on a share of requests, flag DI. */
  MeshFaultDelay(SupportLevel.EXTENDED),
  /**
   * PeerAuthentication {@code STRICT}: mesh callers get in over mutual TLS with their identity, a
   * plaintext caller without a sidecar never reaches the app.
   */
  MeshPeerAuthenticationStrict(SupportLevel.CORE),
  /** PeerAuthentication {@code PERMISSIVE}: mutual TLS and plaintext on one port. */
  MeshPeerAuthenticationPermissive(SupportLevel.CORE),
  /** PeerAuthentication {@code DISABLE}: plaintext only, the callee sees no client certificate. */
  MeshPeerAuthenticationDisable(SupportLevel.EXTENDED),
  /**
   * PeerAuthentication {@code portLevelMtls}: a STRICT workload's port made PERMISSIVE admits
   * plaintext on that port only; a port-level entry for another port leaves the workload STRICT.
   */
  MeshPeerAuthenticationPortLevel(SupportLevel.EXTENDED),
  /**
   * MeshConfig {@code enableAutoMtls}: callers speak mutual TLS to sidecars without a
   * DestinationRule; without it a STRICT callee refuses them (503).
   */
  MeshAutoMTLS(SupportLevel.CORE),
  /**
   * Workload certificates rotated at half their lifetime; traffic across rotations loses nothing.
   */
  MeshCertificateRotation(SupportLevel.EXTENDED),
  /**
   * AuthorizationPolicy ALLOW: with an ALLOW policy present only matching requests get in
   * (principals, methods, paths), others are answered 403 by the callee's sidecar.
   */
  MeshAuthorizationPolicyAllow(SupportLevel.CORE),
  /** AuthorizationPolicy DENY: a matching DENY wins over any ALLOW (403, app never reached). */
  MeshAuthorizationPolicyDeny(SupportLevel.CORE),
  /**
   * Mutual TLS on a TCP port: the caller's tcp_proxy originates ISTIO_MUTUAL, the callee's TLS
   * filter chain terminates it (STRICT: a plaintext caller's connection is closed; PERMISSIVE: both
   * are served).
   */
  MeshTCPMutualTLS(SupportLevel.EXTENDED),
  /**
   * AuthorizationPolicy on a TCP port: network RBAC before the tcp_proxy; principals and ports
   * hold, HTTP-only fields skip an ALLOW rule and are dropped from a DENY rule (connection closed).
   */
  MeshAuthorizationPolicyTCP(SupportLevel.EXTENDED),
  /**
   * AuthorizationPolicy {@code istio.io/dry-run}: the policy becomes shadow rules, never refuses a
   * request, and what it would have decided is counted in the RBAC filter's shadow statistics.
   */
  MeshAuthorizationPolicyDryRun(SupportLevel.EXTENDED),
  /** AuthorizationPolicy AUDIT: an RBAC LOG filter that never changes a request's outcome. */
  MeshAuthorizationPolicyAudit(SupportLevel.EXTENDED),
  /**
   * AuthorizationPolicy CUSTOM: the requests its rules match are decided by the mesh config's HTTP
   * ext_authz provider (allowed, or its denial returned), an unreachable one refuses unless
   * failOpen.
   */
  MeshAuthorizationPolicyCustom(SupportLevel.EXTENDED),
  /**
   * RequestAuthentication: a valid token or none gets in, a bad one (signature, expiry, issuer,
   * audience) is refused by jwt_authn's local reply (401, 403 for the audience) before the app.
   */
  MeshRequestAuthentication(SupportLevel.CORE),
  /**
   * AuthorizationPolicy on end users: {@code requestPrincipals} and {@code
   * request.auth.claims[...]} match the verified token; no token, no request principal (403).
   */
  MeshAuthorizationPolicyRequestPrincipal(SupportLevel.EXTENDED),
  /**
   * DestinationRule {@code trafficPolicy.tls.mode}: DISABLE wins over auto mTLS, ISTIO_MUTUAL gives
   * mutual TLS without it.
   */
  MeshDestinationRuleTLS(SupportLevel.EXTENDED),
  /**
   * DestinationRule {@code tls.mode: SIMPLE}: the client's sidecar originates TLS to an app that
   * terminates it, verifying its certificate against {@code caCertificates} and {@code
   * subjectAltNames} (wrong root, wrong name, expired: 503 UF), also at port level.
   */
  MeshDestinationRuleTLSSimple(SupportLevel.EXTENDED),
  /**
   * DestinationRule {@code tls.mode: MUTUAL}: the client's sidecar presents {@code
   * clientCertificate}; an app requiring client certificates refuses one from another root or none
   * (503 UF), also at subset level.
   */
  MeshDestinationRuleTLSMutual(SupportLevel.EXTENDED),
  /**
   * gRPC through the mesh: a {@code grpc} service port is HTTP/2 to the upstream, and
   * VirtualService routes match gRPC methods by path ({@code /package.Service/Method}) and
   * metadata, with weights.
   */
  MeshGRPCRoute(SupportLevel.EXTENDED),
  /**
   * gRPC statuses the mesh gives: fault abort {@code grpcStatus}, local replies as gRPC (no healthy
   * upstream UNAVAILABLE, no route UNIMPLEMENTED), retries on gRPC {@code retryOn} conditions.
   */
  MeshGRPCStatus(SupportLevel.EXTENDED),
  /**
   * gRPC server streaming through the mesh: each answer of a server stream is forwarded as it
   * arrives (Envoy's router streams response bodies), so the first reaches the client before the
   * service sent the last.
   */
  MeshGRPCServerStreaming(SupportLevel.EXTENDED),
  /**
   * Gateway served by an ingress gateway workload: plain HTTP servers, the VirtualServices bound to
   * them by {@code gateways}, 404 NR for other hosts.
   */
  MeshIngressGateway(SupportLevel.EXTENDED),
  /**
   * Opaque TCP servers on a Gateway (Istio's tcp-echo samples as-is): the VirtualServices' {@code
   * tcp} rules bound to the Gateway route each connection from outside, with weights, through the
   * gateway Service's port to the pod's.
   */
  MeshIngressGatewayTCP(SupportLevel.EXTENDED),
  /**
   * A Gateway HTTP server's {@code tls.httpsRedirect}: its virtual hosts require TLS, a plain
   * request is answered 301 to its https URL, other servers' hosts are routed.
   */
  GatewayHTTPSRedirect(SupportLevel.EXTENDED),
  /**
   * RequestAuthentication and AuthorizationPolicy selecting the ingress gateway (Istio in Action
   * ch. 9.4): the gateway's listeners validate end-user tokens (401) and authorize by {@code
   * requestPrincipals} and claims (403) before routing; sidecars are not selected.
   */
  GatewayEndUserJwt(SupportLevel.EXTENDED),
  /**
   * A Gateway HTTPS server with {@code tls.mode: SIMPLE} (certificate from files mounted in the
   * gateway): the gateway terminates TLS on the filter chain whose server names match the
   * ClientHello's SNI; an unknown SNI, no SNI, or a client not trusting the served certificate is
   * refused in the handshake.
   */
  GatewayTLSSimple(SupportLevel.EXTENDED),
  /**
   * A Gateway HTTPS server with {@code tls.mode: MUTUAL} and {@code credentialName} (a Kubernetes
   * Secret served as SDS {@code kubernetes://}): a client certificate from the Secret's CA is
   * required; none, or one from another root, is refused in the handshake.
   */
  GatewayTLSMutual(SupportLevel.EXTENDED),
  /**
   * A Gateway server with {@code tls.mode: PASSTHROUGH}: the VirtualService's {@code tls} routes
   * send each connection by its SNI ({@code sniHosts}) to a backend that terminates TLS itself.
   */
  GatewayTLSPassthrough(SupportLevel.EXTENDED);

  private final SupportLevel supportLevel;

  Feature(SupportLevel supportLevel) {
    this.supportLevel = supportLevel;
  }

  public SupportLevel supportLevel() {
    return supportLevel;
  }

  /**
   * The name reports use: {@code Meshproof} instead of the {@code Mesh} prefix that Gateway API's
   * own mesh features carry, e.g. {@code MeshproofHTTPRouteWeight}; other features get it in front,
   * e.g. {@code MeshproofChaosServiceErrors}.
   */
  public String reportName() {
    return name().startsWith("Mesh")
        ? "Meshproof" + name().substring("Mesh".length())
        : "Meshproof" + name();
  }
}
