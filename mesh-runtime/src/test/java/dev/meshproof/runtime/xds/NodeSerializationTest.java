package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * While the control plane sets a node's snapshot (holding the node's lock), that node's ADS
 * requests wait, so a request cannot cancel the watch the push is answering (java-control-plane's
 * "watch was already cancelled"); other nodes' requests do not wait.
 */
class NodeSerializationTest {

  private static DiscoveryRequest request(String node, String nonce) {
    return DiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId(node))
        .setTypeUrl(XdsNames.TYPE_ENDPOINT)
        .setResponseNonce(nonce)
        .build();
  }

  @Test
  void aNodesRequestWaitsForAPushToThatNodeAndOtherNodesRequestsDoNot() throws Exception {
    NodeSerialization serialization = new NodeSerialization();
    List<String> handled = new CopyOnWriteArrayList<>();
    ServerCallHandler<DiscoveryRequest, DiscoveryResponse> ads =
        (call, headers) ->
            new ServerCall.Listener<>() {
              @Override
              public void onMessage(DiscoveryRequest message) {
                handled.add(message.getNode().getId() + "/" + message.getResponseNonce());
              }

              @Override
              public void onCancel() {
                handled.add("cancelled");
              }
            };
    ServerCall.Listener<DiscoveryRequest> streamA =
        serialization.interceptCall(null, new Metadata(), ads);
    ServerCall.Listener<DiscoveryRequest> streamB =
        serialization.interceptCall(null, new Metadata(), ads);
    streamA.onMessage(request("a", "0"));
    ExecutorService grpc = Executors.newFixedThreadPool(2);
    try {
      AtomicReference<Thread> requestThread = new AtomicReference<>();
      Future<?> requestOfA;
      synchronized (serialization.lockOf("a")) { // a push to node a is answering its watches
        requestOfA =
            grpc.submit(
                () -> {
                  requestThread.set(Thread.currentThread());
                  // Later requests of a stream may leave the node out: the stream's lock holds.
                  streamA.onMessage(request("", "1"));
                });
        grpc.submit(() -> streamB.onMessage(request("b", "0"))).get(10, TimeUnit.SECONDS);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    requestThread.get() != null
                        && requestThread.get().getState() == Thread.State.BLOCKED);
        assertThat(handled).containsExactly("a/0", "b/0");
      }
      requestOfA.get(10, TimeUnit.SECONDS);
      assertThat(handled).containsExactly("a/0", "b/0", "/1");

      // The stream's close (which cancels its watches) waits for the push as well.
      AtomicReference<Thread> closeThread = new AtomicReference<>();
      Future<?> close;
      synchronized (serialization.lockOf("a")) {
        close =
            grpc.submit(
                () -> {
                  closeThread.set(Thread.currentThread());
                  streamA.onCancel();
                });
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    closeThread.get() != null
                        && closeThread.get().getState() == Thread.State.BLOCKED);
        assertThat(handled).doesNotContain("cancelled");
      }
      close.get(10, TimeUnit.SECONDS);
      assertThat(handled).contains("cancelled");
    } finally {
      grpc.shutdownNow();
    }
  }
}
