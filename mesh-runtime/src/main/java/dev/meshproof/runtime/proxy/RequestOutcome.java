package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.telemetry.ResponseFlag;
import dev.meshproof.runtime.telemetry.UpstreamAttempt;
import io.netty.handler.codec.http.FullHttpResponse;
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
      OptionalInt grpcStatus,
      boolean delayInjected)
      implements RequestOutcome {
    public LocalReply {
      attempts = List.copyOf(attempts);
    }

    /** A plain local reply (no gRPC status), not delayed. */
    LocalReply(
        int status,
        ResponseFlag responseFlag,
        String body,
        String route,
        String cluster,
        String host,
        List<UpstreamAttempt> attempts,
        Optional<ResponseFlag> retryFlag) {
      this(
          status,
          responseFlag,
          body,
          route,
          cluster,
          host,
          attempts,
          retryFlag,
          OptionalInt.empty(),
          false);
    }

    @Override
    public LocalReply withDelayInjected() {
      return new LocalReply(
          status, responseFlag, body, route, cluster, host, attempts, retryFlag, grpcStatus, true);
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

  /** The upstream's response, to be forwarded; the writer owns (and releases) the message. */
  record Proxied(
      FullHttpResponse response,
      String route,
      String cluster,
      String host,
      List<UpstreamAttempt> attempts,
      Optional<ResponseFlag> retryFlag,
      boolean delayInjected)
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
        Optional<ResponseFlag> retryFlag) {
      this(response, route, cluster, host, attempts, retryFlag, false);
    }

    Proxied(FullHttpResponse response, String route, String cluster, String host) {
      this(response, route, cluster, host, List.of(), Optional.empty());
    }

    @Override
    public Proxied withDelayInjected() {
      return new Proxied(response, route, cluster, host, attempts, retryFlag, true);
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
