package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.policy.route.RouteTable;
import io.netty.handler.codec.http.FullHttpRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * One downstream request as the HTTP filters and the router see it: what arrived (headers and the
 * message to forward), its request id and start time, and the routing state read once for it.
 *
 * @param listener the listener that accepted the request
 * @param headers method, path, authority and headers, for matching
 * @param requestId the {@code x-request-id} (received or generated)
 * @param start when the request arrived, from the sidecar's clock
 * @param routing the configuration and cluster state in force for this request
 * @param routes the route table of the filter chain that serves it; empty when the listener does
 *     not exist or is still warming (Envoy: no route, NR)
 * @param downstream the downstream message, owned by the caller until the chain's result completes
 * @param executor where results are delivered: the downstream connection's event loop
 * @param connection the downstream connection's peer principal, remote address and local port
 * @param jwtPayloads jwt_authn's dynamic metadata: the verified token's payload under its
 *     provider's {@code payload_in_metadata} name (empty before the filter, or without a token)
 * @param rbacMetadata the RBAC filters' dynamic metadata ({@code envoy.filters.http.rbac}): the
 *     shadow rules' {@code <shadow_rules_stat_prefix>shadow_effective_policy_id} and {@code
 *     ...shadow_engine_result}, which enable the ext_authz filter of a CUSTOM policy
 */
record RequestContext(
    String listener,
    RequestHeaders headers,
    String requestId,
    Instant start,
    Sidecar.RoutingState routing,
    Optional<RouteTable> routes,
    FullHttpRequest downstream,
    Executor executor,
    DownstreamConnection connection,
    java.util.Map<String, java.util.Map<String, Object>> jwtPayloads,
    java.util.Map<String, String> rbacMetadata) {

  RequestContext {
    jwtPayloads = java.util.Map.copyOf(jwtPayloads);
    rbacMetadata = java.util.Map.copyOf(rbacMetadata);
  }

  /** A request no RBAC filter has seen. */
  RequestContext(
      String listener,
      RequestHeaders headers,
      String requestId,
      Instant start,
      Sidecar.RoutingState routing,
      Optional<RouteTable> routes,
      FullHttpRequest downstream,
      Executor executor,
      DownstreamConnection connection,
      java.util.Map<String, java.util.Map<String, Object>> jwtPayloads) {
    this(
        listener,
        headers,
        requestId,
        start,
        routing,
        routes,
        downstream,
        executor,
        connection,
        jwtPayloads,
        java.util.Map.of());
  }

  /** A request no jwt_authn filter has seen. */
  RequestContext(
      String listener,
      RequestHeaders headers,
      String requestId,
      Instant start,
      Sidecar.RoutingState routing,
      Optional<RouteTable> routes,
      FullHttpRequest downstream,
      Executor executor,
      DownstreamConnection connection) {
    this(
        listener,
        headers,
        requestId,
        start,
        routing,
        routes,
        downstream,
        executor,
        connection,
        java.util.Map.of());
  }

  /**
   * This request after jwt_authn: its headers as changed (the same changes are made on {@code
   * downstream}) and the verified payloads.
   */
  RequestContext withJwt(
      RequestHeaders newHeaders, java.util.Map<String, java.util.Map<String, Object>> payloads) {
    return new RequestContext(
        listener,
        newHeaders,
        requestId,
        start,
        routing,
        routes,
        downstream,
        executor,
        connection,
        payloads,
        rbacMetadata);
  }

  /** This request after an RBAC filter that wrote {@code metadata} (added to what was there). */
  RequestContext withRbacMetadata(java.util.Map<String, String> metadata) {
    java.util.Map<String, String> all = new java.util.HashMap<>(rbacMetadata);
    all.putAll(metadata);
    return new RequestContext(
        listener,
        headers,
        requestId,
        start,
        routing,
        routes,
        downstream,
        executor,
        connection,
        jwtPayloads,
        all);
  }

  /** This request with {@code newHeaders} (the same changes made on {@code downstream}). */
  RequestContext withHeaders(RequestHeaders newHeaders) {
    return new RequestContext(
        listener,
        newHeaders,
        requestId,
        start,
        routing,
        routes,
        downstream,
        executor,
        connection,
        jwtPayloads,
        rbacMetadata);
  }

  /**
   * What the request's connection tells filters such as RBAC: the peer's principal (the URI SAN of
   * a mutual TLS client certificate), its remote address and the local port it arrived on.
   */
  record DownstreamConnection(
      java.util.Optional<String> peerPrincipal, java.net.InetAddress remoteAddress, int localPort) {
    /** A plaintext connection from loopback on an unknown port (tests without a connection). */
    static final DownstreamConnection UNKNOWN =
        new DownstreamConnection(
            java.util.Optional.empty(), java.net.InetAddress.getLoopbackAddress(), 0);
  }

  /** A request whose connection is not known (plaintext, loopback). */
  RequestContext(
      String listener,
      RequestHeaders headers,
      String requestId,
      Instant start,
      Sidecar.RoutingState routing,
      Optional<RouteTable> routes,
      FullHttpRequest downstream,
      Executor executor) {
    this(
        listener,
        headers,
        requestId,
        start,
        routing,
        routes,
        downstream,
        executor,
        DownstreamConnection.UNKNOWN);
  }
}
