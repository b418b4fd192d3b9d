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
 * into a versioned, consistent snapshot: a sidecar's outbound part (clusters, endpoints, routes)
 * from {@link OutboundCache}, shared with every sidecar whose outbound input is equal, and its
 * inbound part (listeners, inbound cluster, secrets) built for it. The same output feeds the
 * embedded sidecar and real Envoy: there is no second translation.
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
    return translate(input, new OutboundCache());
  }

  /**
   * As {@link #translate(TranslationInput)}, taking a sidecar's outbound resources (clusters,
   * endpoints, route configurations) from {@code shared}: built once per distinct outbound input
   * and shared between the proxies that have it. The listeners, the inbound cluster and the secrets
   * are the proxy's own. A gateway's translation is all its own.
   */
  static Snapshot translate(TranslationInput input, OutboundCache shared) {
    return translate(input, shared, null);
  }

  /**
   * As {@link #translate(TranslationInput, OutboundCache)}, reusing the resources of {@code
   * previous} (the proxy's last translation, or null) that are equal to the ones translated: the
   * snapshot's content is the same as without it, but the proxy's unchanged listeners, inbound
   * clusters and secrets keep their instances, their cache wrappers and their type's version, so a
   * push that changed only routes does not wrap, hash or read them again ({@link
   * TranslatedSnapshot}).
   */
  static TranslatedSnapshot translate(
      TranslationInput input, OutboundCache shared, TranslatedSnapshot previous) {
    OutboundCache.Outbound outbound = outbound(input, shared);
    // A push that changed only HTTP routes keeps the sidecar's own resources as they were built.
    ProxyOwnResources own =
        ProxyOwnResources.of(input, outbound, previous == null ? null : previous.own());
    // One content version per type, so a push re-sends only the types whose content changed: when
    // only endpoints move, only EDS goes out (istiod's EDS-only incremental push). Secrets have
    // their own version (a rotation pushes only SDS), empty when there are none.
    TranslatedSnapshot snapshot =
        TranslatedSnapshot.assemble(
            outbound,
            own,
            () -> outbound.clustersVersion(own.inbound()),
            XdsTranslator::contentVersion,
            s -> s.isEmpty() ? "" : contentVersion(s),
            previous);
    try {
      snapshot.ensureConsistent();
    } catch (SnapshotConsistencyException e) {
      throw new IllegalStateException(
          "translation for " + input.proxy().id() + " is inconsistent: " + e.getMessage(), e);
    }
    return snapshot;
  }

  /**
   * The outbound resources of {@code input}: a sidecar's from {@code shared}, a gateway's built
   * from its own input (its routes and clusters follow the Gateways that select it).
   */
  private static OutboundCache.Outbound outbound(TranslationInput input, OutboundCache shared) {
    if (input.proxy().isGateway()) {
      return OutboundCache.Outbound.build(input);
    }
    try {
      return shared.outboundOf(input);
    } catch (RuntimeException e) {
      // Bad config fails every proxy that reads it; building from the proxy's own input throws the
      // same error naming this proxy (the shared key names none).
      return OutboundCache.Outbound.build(input);
    }
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
  static String contentVersion(List<? extends Message> messages) {
    MessageDigest digest = newDigest();
    for (Message message : messages) {
      digest.update(message.toByteArray());
    }
    return finish(digest);
  }

  /** The version a content digest ends in: the group separator, then 8 bytes in hex. */
  static String finish(MessageDigest digest) {
    digest.update("|".getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest.digest(), 0, 8);
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
