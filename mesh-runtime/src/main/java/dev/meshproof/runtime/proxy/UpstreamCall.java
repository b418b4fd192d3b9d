package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.transport.UpstreamConnectionSettings;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTP exchange with an upstream host, the router's only I/O: the connection pool in the
 * sidecar, a fake in router tests. Completes with the response (which the caller releases) or
 * exceptionally, ideally with a {@link dev.meshproof.runtime.transport.UpstreamException}. The
 * sidecar's pool completes once the response's head arrived, with a {@link
 * dev.meshproof.runtime.transport.StreamedResponse} whose body follows; a fake may answer whole. A
 * zero {@code timeout} waits indefinitely; otherwise it bounds the wait for the head (Envoy's
 * per-try timeout).
 */
@FunctionalInterface
interface UpstreamCall {
  /**
   * Sends {@code request} (taking ownership of it) over a connection of the cluster's {@code
   * settings}; a zero {@code timeout} waits indefinitely.
   */
  CompletableFuture<FullHttpResponse> send(
      InetSocketAddress host,
      FullHttpRequest request,
      Duration timeout,
      UpstreamConnectionSettings settings);

  /**
   * Sends over TLS when {@code tls} is given. The sidecar's connection pool implements it; a
   * plaintext-only fake refuses TLS rather than send in the clear.
   */
  default CompletableFuture<FullHttpResponse> send(
      InetSocketAddress host,
      FullHttpRequest request,
      Duration timeout,
      UpstreamConnectionSettings settings,
      java.util.Optional<dev.meshproof.runtime.transport.UpstreamTls> tls) {
    if (tls.isPresent()) {
      request.release();
      return CompletableFuture.failedFuture(
          new IllegalStateException("this upstream call does not implement TLS"));
    }
    return send(host, request, timeout, settings);
  }
}
