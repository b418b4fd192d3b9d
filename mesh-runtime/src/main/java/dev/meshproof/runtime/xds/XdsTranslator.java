package dev.meshproof.runtime.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.SnapshotConsistencyException;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Translates the applied Istio resources and the service registry into the Envoy v3 resources of
 * one sidecar, shaped as Istio's own translation shapes them (cluster names {@code
 * outbound|80|v1|catalog.default.svc.cluster.local}, one route per VirtualService match, the
 * defaults of the selected Istio release such as a disabled route timeout). One builder per
 * resource type reads the same {@link TranslationInput}; this class only assembles their output
 * into a versioned, consistent snapshot. The same output feeds the embedded sidecar and real Envoy:
 * there is no second translation.
 */
public final class XdsTranslator {
  private XdsTranslator() {}

  /**
   * The complete, versioned xDS snapshot for {@code input.proxy()}.
   *
   * @throws IllegalStateException when the snapshot is inconsistent (a listener names a route
   *     configuration, or a cluster an assignment, that the snapshot lacks)
   */
  public static Snapshot translate(TranslationInput input) {
    RouteConfigBuilder routeBuilder = new RouteConfigBuilder(input);
    List<Cluster> clusters = new ClusterBuilder(input).build();
    List<ClusterLoadAssignment> endpoints = new EndpointBuilder(input).build();
    List<Listener> listeners = new ListenerBuilder(input, routeBuilder).build();
    List<RouteConfiguration> routes = routeBuilder.build();
    List<Secret> secrets =
        MtlsBuilder.referencesSecrets(clusters, listeners)
            ? new MtlsBuilder(input).secrets(clusters, listeners)
            : List.of();
    // One content version per type, so a push re-sends only the types whose content changed: when
    // only endpoints move, only EDS goes out (istiod's EDS-only incremental push). Secrets have
    // their own version (a rotation pushes only SDS), empty when there are none.
    Snapshot snapshot =
        Snapshot.create(
            clusters,
            contentVersion(clusters),
            endpoints,
            contentVersion(endpoints),
            listeners,
            contentVersion(listeners),
            routes,
            contentVersion(routes),
            secrets,
            secrets.isEmpty() ? "" : contentVersion(secrets));
    try {
      snapshot.ensureConsistent();
    } catch (SnapshotConsistencyException e) {
      throw new IllegalStateException(
          "translation for " + input.proxy().id() + " is inconsistent: " + e.getMessage(), e);
    }
    return snapshot;
  }

  /**
   * {@code translated} with {@code retained} secrets added (a translated secret of the same name
   * wins): secrets of files a proxy was served before and may still be subscribed to while a
   * replaced cluster drains. Envoy keeps the old cluster's SDS subscription until the new cluster
   * has warmed, and java-control-plane answers an ADS request only when every name it asks for is
   * in the snapshot, so dropping the old name at once would keep the new cluster warming forever
   * (istio-agent serves any file it is asked for).
   */
  static Snapshot withRetainedSecrets(Snapshot translated, java.util.Collection<Secret> retained) {
    java.util.Map<String, Secret> secrets = new java.util.TreeMap<>();
    retained.forEach(s -> secrets.put(s.getName(), s));
    translated
        .resources(XdsNames.TYPE_SECRET)
        .forEach((name, secret) -> secrets.put(name, (Secret) secret.resource()));
    if (secrets.size() == translated.resources(XdsNames.TYPE_SECRET).size()) {
      return translated;
    }
    List<Secret> all = List.copyOf(secrets.values());
    return Snapshot.create(
        resources(translated, XdsNames.TYPE_CLUSTER, Cluster.class),
        translated.version(XdsNames.TYPE_CLUSTER),
        resources(translated, XdsNames.TYPE_ENDPOINT, ClusterLoadAssignment.class),
        translated.version(XdsNames.TYPE_ENDPOINT),
        resources(translated, XdsNames.TYPE_LISTENER, Listener.class),
        translated.version(XdsNames.TYPE_LISTENER),
        resources(translated, XdsNames.TYPE_ROUTE, RouteConfiguration.class),
        translated.version(XdsNames.TYPE_ROUTE),
        all,
        contentVersion(all));
  }

  private static <T extends Message> List<T> resources(
      Snapshot snapshot, String typeUrl, Class<T> type) {
    return snapshot.resources(typeUrl).values().stream().map(v -> type.cast(v.resource())).toList();
  }

  /**
   * The version of a whole snapshot, what {@code proxy-status} shows: derived from the per-type
   * versions, so it changes exactly when one of them does. A type without a version (no secrets in
   * a mesh without a CA) is left out, so such a mesh keeps its versions.
   */
  public static String snapshotVersion(Snapshot snapshot) {
    StringBuilder versions = new StringBuilder();
    for (String type : XdsNames.TYPES) {
      if (!snapshot.version(type).isEmpty()) {
        versions.append(snapshot.version(type)).append('|');
      }
    }
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(digest.digest(versions.toString().getBytes(StandardCharsets.UTF_8)), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /**
   * A version derived from the content, so an unchanged configuration keeps its version and a
   * changed one never reuses an old version string.
   */
  @SafeVarargs
  private static String contentVersion(List<? extends Message>... groups) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (List<? extends Message> group : groups) {
        for (Message message : group) {
          digest.update(message.toByteArray());
        }
        digest.update("|".getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
