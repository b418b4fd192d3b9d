package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.xds.ProxyStatus.TypeStatus;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Follows every ADS stream to know, per proxy and type, what was sent and what was ACKed or NACKed.
 * An ACK is a request whose {@code version_info} is the version just sent and that has no {@code
 * error_detail}; a NACK carries {@code error_detail} (the xDS protocol's definition).
 */
final class XdsStatusTracker implements DiscoveryServerCallbacks {
  private static final String ISTIO_VERSION_METADATA = "ISTIO_VERSION";

  private final Map<Long, String> streamNodes = new HashMap<>();
  private final Map<String, Map<String, String>> sent = new HashMap<>();
  private final Map<String, Map<String, String>> acked = new HashMap<>();
  private final Map<String, Map<String, String>> nacked = new HashMap<>();
  private final Map<String, String> nackDetail = new HashMap<>();
  private final Map<String, String> expectedVersion = new HashMap<>();
  private final Map<String, Set<String>> expectedTypes = new HashMap<>();

  /** The ISTIO_VERSION each proxy reported in its node metadata. */
  private final Map<String, String> istioVersions = new HashMap<>();

  @Override
  public synchronized void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    String node = request.hasNode() ? request.getNode().getId() : streamNodes.get(streamId);
    if (node == null) {
      return;
    }
    streamNodes.put(streamId, node);
    if (request.hasNode()
        && request.getNode().getMetadata().containsFields(ISTIO_VERSION_METADATA)) {
      istioVersions.put(
          node,
          request
              .getNode()
              .getMetadata()
              .getFieldsOrThrow(ISTIO_VERSION_METADATA)
              .getStringValue());
    }
    String type = XdsNames.shortType(request.getTypeUrl());
    if (request.hasErrorDetail()) {
      String rejected = sent.getOrDefault(node, Map.of()).getOrDefault(type, "");
      nacked.computeIfAbsent(node, k -> new HashMap<>()).put(type, rejected);
      nackDetail.put(node + "|" + type, request.getErrorDetail().getMessage());
    } else if (!request.getVersionInfo().isEmpty()) {
      acked.computeIfAbsent(node, k -> new HashMap<>()).put(type, request.getVersionInfo());
    }
    notifyAll();
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    // Delta xDS is not offered by this control plane's proxies; nothing to track.
  }

  @Override
  public synchronized void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    String node = streamNodes.get(streamId);
    if (node == null && request.hasNode()) {
      node = request.getNode().getId();
    }
    if (node != null) {
      sent.computeIfAbsent(node, k -> new HashMap<>())
          .put(XdsNames.shortType(response.getTypeUrl()), response.getVersionInfo());
      notifyAll();
    }
  }

  @Override
  public synchronized void onStreamClose(long streamId, String typeUrl) {
    streamNodes.remove(streamId);
  }

  @Override
  public synchronized void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    streamNodes.remove(streamId);
  }

  /** Records that {@code node}'s current snapshot is {@code version} and which types it holds. */
  synchronized void expect(String node, String version, Set<String> types) {
    expectedVersion.put(node, version);
    expectedTypes.put(node, Set.copyOf(types));
    notifyAll();
  }

  synchronized Map<String, ProxyStatus> statuses() {
    Map<String, ProxyStatus> out = new LinkedHashMap<>();
    for (String node : expectedVersion.keySet()) {
      out.put(node, status(node));
    }
    return out;
  }

  private ProxyStatus status(String node) {
    String version = expectedVersion.get(node);
    Map<String, TypeStatus> types = new LinkedHashMap<>();
    for (String type : expectedTypes.getOrDefault(node, Set.of())) {
      String sentVersion = sent.getOrDefault(node, Map.of()).get(type);
      String ackedVersion = acked.getOrDefault(node, Map.of()).getOrDefault(type, "");
      String nackedVersion = nacked.getOrDefault(node, Map.of()).get(type);
      SyncState state;
      if (version.equals(ackedVersion)) {
        state = SyncState.SYNCED;
      } else if (version.equals(nackedVersion)) {
        state = SyncState.NACKED;
      } else if (sentVersion == null) {
        state = SyncState.NOT_SENT;
      } else {
        state = SyncState.STALE;
      }
      types.put(
          type,
          new TypeStatus(
              type,
              state,
              sentVersion == null ? "" : sentVersion,
              ackedVersion,
              state == SyncState.NACKED
                  ? Optional.ofNullable(nackDetail.get(node + "|" + type))
                  : Optional.empty()));
    }
    return new ProxyStatus(node, version, types, Optional.ofNullable(istioVersions.get(node)));
  }

  /**
   * Waits until every proxy in {@code nodes} has ACKed its current snapshot.
   *
   * @throws XdsRejectedException as soon as one NACKs it, with the proxy's error detail
   * @throws TimeoutException naming the proxies and types still not synced
   */
  synchronized void awaitSynced(Collection<String> nodes, Duration timeout)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      StringBuilder pending = new StringBuilder();
      for (String node : nodes) {
        if (!expectedVersion.containsKey(node)) {
          pending.append(node).append(" (no snapshot); ");
          continue;
        }
        ProxyStatus status = status(node);
        Optional<TypeStatus> nack = status.nack();
        if (nack.isPresent()) {
          throw new XdsRejectedException(
              node,
              nack.get().type(),
              status.snapshotVersion(),
              nack.get().nackDetail().orElse("(no detail)"));
        }
        if (!status.synced()) {
          pending.append(node).append(' ').append(status.types().values()).append("; ");
        }
      }
      if (pending.length() == 0) {
        return;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        throw new TimeoutException("proxies not synced after " + timeout + ": " + pending);
      }
      wait(Math.max(1, remaining / 1_000_000));
    }
  }
}
