package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import dev.meshproof.runtime.xds.ProxyStatus.TypeStatus;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Follows every ADS stream to know, per proxy and type, what was sent and what the proxy holds. An
 * ACK is a request without {@code error_detail} whose {@code response_nonce} is the nonce of the
 * latest response sent on that stream for that type and whose {@code version_info} is that
 * response's version: the proxy then holds exactly the resources of that response. A NACK carries
 * {@code error_detail} (the xDS protocol's definitions).
 *
 * <p>"Synced" means "routable": a type is SYNCED only when the proxy holds it at that type's
 * version in the snapshot <em>and</em> holds every resource of that type in the snapshot. Versions
 * alone are not enough: when a push adds clusters, the EDS response of the new version may reach
 * the proxy before the CDS response, carrying only the endpoints of the clusters it already knew;
 * it ACKs that version, and the endpoints of the new clusters come in a later response at the same
 * version, after the proxy asked for their names. Until then the new clusters have no endpoints
 * (our sidecar answers 503 UH, Envoy keeps them warming).
 */
final class XdsStatusTracker implements DiscoveryServerCallbacks {
  private static final String ISTIO_VERSION_METADATA = "ISTIO_VERSION";

  /**
   * What a proxy holds of one type: a version and the names of the resources it received, or every
   * resource of that version ({@code wildcard}, a CDS/LDS subscription re-sent on a new stream at
   * the version it accepted before).
   */
  private record Held(String nonce, String version, Set<String> names, boolean wildcard) {
    boolean covers(String snapshotVersion, Set<String> expectedNames) {
      return version.equals(snapshotVersion)
          && (wildcard || names == expectedNames || names.containsAll(expectedNames));
    }
  }

  private final Map<Long, String> streamNodes = new HashMap<>();

  /** Per stream and type, the latest response sent: what an ACK on that stream refers to. */
  private final Map<Long, Map<String, Held>> latestSent = new HashMap<>();

  private final Map<String, Map<String, String>> sent = new HashMap<>();
  private final Map<String, Map<String, Held>> acked = new HashMap<>();
  private final Map<String, Map<String, String>> nacked = new HashMap<>();
  private final Map<String, String> nackDetail = new HashMap<>();
  private final Map<String, String> expectedVersion = new HashMap<>();
  private final Map<String, Map<String, Expected>> expectedTypes = new HashMap<>();

  /** What a synced proxy holds of one type: the type's version and the names of its resources. */
  record Expected(String version, Set<String> names) {
    Expected {
      names = internedImmutable(names);
    }
  }

  /**
   * One instance per distinct set of resource names in the JVM: proxies that see the same services
   * are expected to hold, and are sent, the same names, so each proxy and stream refers to one
   * shared set instead of holding a copy of every name (which made this tracker's heap grow with
   * proxies x services). Weak: a set no proxy refers to any more goes.
   */
  private static final Map<Set<String>, java.lang.ref.WeakReference<Set<String>>> NAME_SETS =
      new java.util.WeakHashMap<>();

  /**
   * By immutable input set, its interned copy: a snapshot's name set (Guava's, which keeps its
   * hash) is interned once while the snapshot holds it, not copied and hashed again on every push
   * for every proxy. Weak both ways: the entry goes with the input set (a value may be the input
   * itself, Set.copyOf returning an immutable set as it is).
   */
  private static final Map<Set<String>, java.lang.ref.WeakReference<Set<String>>> INTERNED_INPUTS =
      new java.util.WeakHashMap<>();

  /**
   * As {@link #interned}, for an immutable set (a snapshot's key set): remembered with its interned
   * copy, so the same set passed again is not copied and hashed again.
   */
  static Set<String> internedImmutable(Set<String> names) {
    synchronized (INTERNED_INPUTS) {
      java.lang.ref.WeakReference<Set<String>> ref = INTERNED_INPUTS.get(names);
      Set<String> known = ref == null ? null : ref.get();
      if (known != null) {
        return known;
      }
    }
    Set<String> held = interned(names);
    synchronized (INTERNED_INPUTS) {
      INTERNED_INPUTS.put(names, new java.lang.ref.WeakReference<>(held));
    }
    return held;
  }

  static Set<String> interned(Set<String> names) {
    Set<String> copy = Set.copyOf(names);
    synchronized (NAME_SETS) {
      java.lang.ref.WeakReference<Set<String>> ref = NAME_SETS.get(copy);
      Set<String> held = ref == null ? null : ref.get();
      if (held != null) {
        return held;
      }
      NAME_SETS.put(copy, new java.lang.ref.WeakReference<>(copy));
      return copy;
    }
  }

  /** The ISTIO_VERSION each proxy reported in its node metadata. */
  private final Map<String, String> istioVersions = new HashMap<>();

  /**
   * Who hears when a proxy becomes SYNCED at its current snapshot; copy-on-write, as listeners come
   * and go rarely and are read on every ACK.
   */
  private final java.util.List<ControlPlane.SyncListener> syncListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Per proxy, the snapshot version it was last reported SYNCED at (once per version). */
  private final Map<String, String> reportedSynced = new HashMap<>();

  void addSyncListener(ControlPlane.SyncListener listener) {
    syncListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
  }

  void removeSyncListener(ControlPlane.SyncListener listener) {
    syncListeners.remove(listener);
  }

  /**
   * Tells the listeners when {@code node} has just become SYNCED at its current snapshot: one
   * proxy's status, computed only while someone listens, so a reader waiting for convergence is
   * told on the ACK itself instead of re-reading every proxy's status in a loop.
   */
  private void reportIfSynced(String node) {
    if (syncListeners.isEmpty()) {
      return;
    }
    String version = expectedVersion.get(node);
    if (version == null || version.equals(reportedSynced.get(node))) {
      return;
    }
    if (status(node).synced()) {
      reportedSynced.put(node, version);
      for (ControlPlane.SyncListener listener : syncListeners) {
        listener.synced(node, version);
      }
    }
  }

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
    } else if (!request.getResponseNonce().isEmpty()) {
      Held latest = latestSent.getOrDefault(streamId, Map.of()).get(type);
      if (latest != null
          && latest.nonce().equals(request.getResponseNonce())
          && latest.version().equals(request.getVersionInfo())) {
        acked.computeIfAbsent(node, k -> new HashMap<>()).put(type, latest);
      }
    } else if (!request.getVersionInfo().isEmpty() && request.getResourceNamesCount() == 0) {
      // A new stream's wildcard subscription at the version accepted on the previous stream: the
      // proxy holds all of it, and the server answers only when its version differs.
      acked
          .computeIfAbsent(node, k -> new HashMap<>())
          .put(type, new Held("", request.getVersionInfo(), Set.of(), true));
    }
    reportIfSynced(node);
    notifyAll();
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    // Delta xDS is not offered by this control plane's proxies; nothing to track.
  }

  @Override
  public void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    // Outside the lock: every proxy's responses pass through here.
    Set<String> names = new HashSet<>();
    for (Any resource : response.getResourcesList()) {
      names.add(resourceNames.computeIfAbsent(resource, Resources::getResourceName));
    }
    recordResponse(streamId, request, response, names);
  }

  /**
   * The name of each resource sent, by the packed resource: the server packs a resource shared by
   * many proxies' snapshots once (CachedProtoResourcesSerializer), so its name is read once, not
   * once per proxy and response by unpacking it again. Weak: a resource no response holds any more
   * goes.
   */
  private final Map<Any, String> resourceNames =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private synchronized void recordResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response, Set<String> names) {
    String node = streamNodes.get(streamId);
    if (node == null && request.hasNode()) {
      node = request.getNode().getId();
    }
    String type = XdsNames.shortType(response.getTypeUrl());
    latestSent
        .computeIfAbsent(streamId, k -> new HashMap<>())
        .put(
            type, new Held(response.getNonce(), response.getVersionInfo(), interned(names), false));
    if (node != null) {
      sent.computeIfAbsent(node, k -> new HashMap<>()).put(type, response.getVersionInfo());
    }
    notifyAll();
  }

  @Override
  public synchronized void onStreamClose(long streamId, String typeUrl) {
    streamNodes.remove(streamId);
    latestSent.remove(streamId);
  }

  @Override
  public synchronized void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    streamNodes.remove(streamId);
    latestSent.remove(streamId);
  }

  /**
   * Records that {@code node}'s current snapshot is {@code version} and, per type it holds, that
   * type's version (types change versions independently: an endpoints-only push changes only EDS)
   * and the names of its resources.
   */
  synchronized void expect(String node, String version, Map<String, Expected> byType) {
    expectedVersion.put(node, version);
    expectedTypes.put(node, new LinkedHashMap<>(byType));
    // A new snapshot is reported when synced, even at a version the proxy held before.
    reportedSynced.remove(node);
    reportIfSynced(node);
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
    for (Map.Entry<String, Expected> expected :
        expectedTypes.getOrDefault(node, Map.of()).entrySet()) {
      String type = expected.getKey();
      String typeVersion = expected.getValue().version();
      String sentVersion = sent.getOrDefault(node, Map.of()).get(type);
      Held held = acked.getOrDefault(node, Map.of()).get(type);
      String ackedVersion = held == null ? "" : held.version();
      String nackedVersion = nacked.getOrDefault(node, Map.of()).get(type);
      SyncState state;
      if (held != null && covers(node, type, held, expected.getValue())) {
        state = SyncState.SYNCED;
      } else if (typeVersion.equals(nackedVersion)) {
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
   * Per proxy and type, the last coverage computed: what it held, what was expected, and whether
   * the one covers the other. Both are immutable, so the answer holds as long as they are the same
   * objects; recomputing it on every status read made each read O(proxies x resources), and
   * awaitSynced and proxy-status polling read every proxy's status on each ACK while holding this
   * tracker's lock, which the ADS callbacks wait on.
   */
  private final Map<String, Coverage> coverage = new HashMap<>();

  private record Coverage(Held held, Expected expected, boolean covered) {}

  private boolean covers(String node, String type, Held held, Expected expected) {
    String key = node + "|" + type;
    Coverage last = coverage.get(key);
    if (last != null && last.held() == held && last.expected() == expected) {
      return last.covered();
    }
    boolean covered = held.covers(expected.version(), expected.names());
    coverage.put(key, new Coverage(held, expected, covered));
    return covered;
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
