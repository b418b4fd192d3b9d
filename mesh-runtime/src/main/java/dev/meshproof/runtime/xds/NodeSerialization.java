package dev.meshproof.runtime.xds;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One lock per xDS node, under which the control plane sets the node's snapshot and the ADS server
 * handles the node's requests and stream close: a push and the node's own requests never
 * interleave, as in istiod, where a connection's pushes and its requests are handled one at a time
 * on the connection's own goroutine ({@code pilot/pkg/xds/ads.go}, {@code Stream} and {@code
 * pushConnection}).
 *
 * <p>Why: java-control-plane's {@code SimpleCache.setSnapshot} answers the node's open watches
 * outside its lock, type after type (CDS, then EDS, ...), while the ADS stream replaces a type's
 * watch as soon as a request of that type arrives ({@code AdsDiscoveryRequestStreamObserver
 * .computeWatch} cancels the open one), and closes all of them when the stream ends. A proxy that
 * gets the new CDS of a push and at once asks EDS for the new clusters cancels the EDS watch the
 * push is about to answer: the push's answer is dropped with the ERROR {@code failed to respond ...
 * because watch was already cancelled}, and the request's new watch is answered from the new
 * snapshot by the gRPC thread while the push thread may still be writing its own reply of the same
 * type. java-control-plane sends a reply on the thread that answers the watch (its default executor
 * is direct) and assigns its nonce, records it (our tracker's callback and the stream's latest
 * response) and writes it without a lock across those steps, so two such replies can be recorded in
 * one order and written in the other; the proxy's ACK then names a nonce that is not the latest,
 * the server ignores it and the proxy stays STALE (seen at 200 proxies: ERRORs, and a proxy that
 * never converged). Serialised per node, the push answers the watch before the request replaces it,
 * every reply to a node is recorded and written in one order, and the request's new watch sees the
 * new snapshot.
 */
final class NodeSerialization implements ServerInterceptor {
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  /** The lock of the node {@code nodeId}. */
  Object lockOf(String nodeId) {
    return locks.computeIfAbsent(nodeId, id -> new Object());
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(call, headers)) {
      // The node sends its id on its first request; later ones may leave it out.
      private volatile Object lock;

      @Override
      public void onMessage(Q message) {
        if (lock == null
            && message instanceof DiscoveryRequest request
            && !request.getNode().getId().isEmpty()) {
          lock = lockOf(request.getNode().getId());
        }
        run(() -> super.onMessage(message));
      }

      @Override
      public void onHalfClose() {
        run(super::onHalfClose);
      }

      @Override
      public void onCancel() {
        run(super::onCancel);
      }

      @Override
      public void onComplete() {
        run(super::onComplete);
      }

      private void run(Runnable step) {
        Object held = lock;
        if (held == null) {
          step.run();
          return;
        }
        synchronized (held) {
          step.run();
        }
      }
    };
  }
}
