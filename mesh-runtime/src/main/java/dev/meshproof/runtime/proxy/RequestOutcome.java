package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.route.HeaderChanges;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import dev.meshproof.runtime.telemetry.UpstreamAttempt;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a request ended, as a value: the one thing the connection adapter writes, counts and logs.
 * Route, cluster and host are {@code -} where the request did not get that far. The upstream
 * attempts made for it are kept as evidence, and a retry-limit flag (URX) or retry overflow (UO)
 * when the last outcome would have been retried.
 */
sealed interface RequestOutcome {

  int status();

  Optional<ResponseFlag> flag();

  /** The flag the retry decision added to the outcome's own (URX, UO), if any. */
  Optional<ResponseFlag> retryFlag();

  /** The upstream attempts, in order; empty when no attempt was made. */
  List<UpstreamAttempt> attempts();

  /** Whether the fault filter delayed the request (flag DI beside the outcome's own). */
  boolean delayInjected();

  /** This outcome, marked as delayed by the fault filter. */
  RequestOutcome withDelayInjected();

  String route();

  String cluster();

  String host();

  /** The sidecar answered itself (no route, no healthy upstream, upstream failure, a filter). */
  record LocalReply(
      int status,
      ResponseFlag responseFlag,
      String body,
      String route,
      String cluster,
      String host,
      List<UpstreamAttempt> attempts,
      Optional<ResponseFlag> retryFlag,
      List<HeaderChanges> responseHeaderChanges,
      OptionalInt grpcStatus,
      boolean delayInjected)
      implements RequestOutcome {
    public LocalReply {
      attempts = List.copyOf(attempts);
      responseHeaderChanges = List.copyOf(responseHeaderChanges);
    }

    /** A plain local reply: no header changes, no gRPC status, not delayed. */
    LocalReply(
        int status,
        ResponseFlag responseFlag,
        String body,
        String route,
        String cluster,
        String host,
        List<UpstreamAttempt> attempts,
        Optional<ResponseFlag> retryFlag) {
      this(status, responseFlag, body, route, cluster, host, attempts, retryFlag, List.of());
    }

    /** A local reply with the route's response header changes, no gRPC status, not delayed. */
    LocalReply(
        int status,
        ResponseFlag responseFlag,
        String body,
        String route,
        String cluster,
        String host,
        List<UpstreamAttempt> attempts,
        Optional<ResponseFlag> retryFlag,
        List<HeaderChanges> responseHeaderChanges) {
      this(
          status,
          responseFlag,
          body,
          route,
          cluster,
          host,
          attempts,
          retryFlag,
          responseHeaderChanges,
          OptionalInt.empty(),
          false);
    }

    /** A local reply without header changes, with a gRPC status when answering a gRPC request. */
    LocalReply(
        int status,
        ResponseFlag responseFlag,
        String body,
        String route,
        String cluster,
        String host,
        List<UpstreamAttempt> attempts,
        Optional<ResponseFlag> retryFlag,
        OptionalInt grpcStatus,
        boolean delayInjected) {
      this(
          status,
          responseFlag,
          body,
          route,
          cluster,
          host,
          attempts,
          retryFlag,
          List.of(),
          grpcStatus,
          delayInjected);
    }

    /**
     * The same reply with the route's (and its weighted cluster's) response header changes, which
     * Envoy's router applies to its own local replies once a route is chosen.
     */
    LocalReply withResponseHeaderChanges(List<HeaderChanges> changes) {
      return new LocalReply(
          status,
          responseFlag,
          body,
          route,
          cluster,
          host,
          attempts,
          retryFlag,
          changes,
          grpcStatus,
          delayInjected);
    }

    @Override
    public LocalReply withDelayInjected() {
      return new LocalReply(
          status,
          responseFlag,
          body,
          route,
          cluster,
          host,
          attempts,
          retryFlag,
          responseHeaderChanges,
          grpcStatus,
          true);
    }

    /** A local reply before any upstream attempt. */
    LocalReply(
        int status,
        ResponseFlag responseFlag,
        String body,
        String route,
        String cluster,
        String host) {
      this(status, responseFlag, body, route, cluster, host, List.of(), Optional.empty());
    }

    @Override
    public Optional<ResponseFlag> flag() {
      return Optional.of(responseFlag);
    }
  }

  /**
   * A route answered without an upstream (Envoy's {@code DirectResponseEntry}: a redirect or a
   * {@code direct_response}): no response flag, no cluster, no attempt.
   */
  record DirectReply(
      int status, HttpHeaders headers, String body, String route, boolean delayInjected)
      implements RequestOutcome {
    /** A direct reply the fault filter did not delay. */
    DirectReply(int status, HttpHeaders headers, String body, String route) {
      this(status, headers, body, route, false);
    }

    @Override
    public DirectReply withDelayInjected() {
      return new DirectReply(status, headers, body, route, true);
    }

    @Override
    public Optional<ResponseFlag> flag() {
      return Optional.empty();
    }

    @Override
    public Optional<ResponseFlag> retryFlag() {
      return Optional.empty();
    }

    @Override
    public List<UpstreamAttempt> attempts() {
      return List.of();
    }

    @Override
    public String cluster() {
      return "-";
    }

    @Override
    public String host() {
      return "-";
    }
  }

  /**
   * The upstream's response, to be forwarded; the writer owns (and releases) the message. {@code
   * upstreamPrincipals} are those of the connection the answering attempt ran over (Istio's source
   * reporter labels them).
   */
  record Proxied(
      FullHttpResponse response,
      String route,
      String cluster,
      String host,
      List<UpstreamAttempt> attempts,
      Optional<ResponseFlag> retryFlag,
      boolean delayInjected,
      UpstreamPrincipals upstreamPrincipals)
      implements RequestOutcome {
    public Proxied {
      attempts = List.copyOf(attempts);
    }

    Proxied(
        FullHttpResponse response,
        String route,
        String cluster,
        String host,
        List<UpstreamAttempt> attempts,
        Optional<ResponseFlag> retryFlag,
        UpstreamPrincipals upstreamPrincipals) {
      this(response, route, cluster, host, attempts, retryFlag, false, upstreamPrincipals);
    }

    Proxied(FullHttpResponse response, String route, String cluster, String host) {
      this(response, route, cluster, host, List.of(), Optional.empty(), UpstreamPrincipals.NONE);
    }

    @Override
    public Proxied withDelayInjected() {
      return new Proxied(
          response, route, cluster, host, attempts, retryFlag, true, upstreamPrincipals);
    }

    /** The same outcome with the response taken whole ({@code StreamedResponse.takeIfComplete}). */
    Proxied withResponse(FullHttpResponse whole) {
      return new Proxied(
          whole, route, cluster, host, attempts, retryFlag, delayInjected, upstreamPrincipals);
    }

    @Override
    public int status() {
      return response.status().code();
    }

    @Override
    public Optional<ResponseFlag> flag() {
      return Optional.empty();
    }
  }
}
