package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import java.util.concurrent.CompletableFuture;

/**
 * A client workload's app as a deployment hands it out: sends one request through the workload's
 * sidecar, as the app in a pod would. Every request completes with an outcome, never exceptionally
 * (a timeout or reset is an outcome).
 */
@FunctionalInterface
public interface TrafficClient {

  /** Sends {@code request}; the future completes with its outcome. */
  CompletableFuture<HttpOutcome> send(HttpRequestSpec request);

  /**
   * The loopback address of the workload's sidecar outbound listener for destination port {@code
   * port}, where open-loop and HTTP/2 traffic connects directly (through the shared {@link
   * dev.meshproof.scenario.load.LoadGenerator}).
   *
   * @throws UnsupportedOperationException when this client can only {@link #send}
   */
  default java.net.InetSocketAddress outbound(int port) {
    throw new UnsupportedOperationException(
        "this client only sends requests one by one (expected: a deployment's client, for"
            + " open-loop or HTTP2 traffic)");
  }

  /**
   * A client that sends through {@code send} and connects to {@code outbound} applied to the
   * destination port.
   */
  static TrafficClient of(
      TrafficClient send, java.util.function.IntFunction<java.net.InetSocketAddress> outbound) {
    return new TrafficClient() {
      @Override
      public CompletableFuture<HttpOutcome> send(HttpRequestSpec request) {
        return send.send(request);
      }

      @Override
      public java.net.InetSocketAddress outbound(int port) {
        return outbound.apply(port);
      }
    };
  }
}
