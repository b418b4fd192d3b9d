package dev.meshproof.runtime.xds;

import com.google.common.collect.MapMaker;
import dev.meshproof.runtime.config.DestinationRule;
import dev.meshproof.runtime.config.ResourceMeta;
import dev.meshproof.runtime.config.VirtualService;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sidecar's own resources (its inbound clusters, its listeners and its secrets) with the part of
 * the input they are built from, so a push whose change that part does not see keeps them without
 * building them again.
 *
 * <p>A sidecar's listeners read every field of its {@link TranslationInput} except the {@code http}
 * rules of its VirtualServices: those become route configurations, which are outbound resources
 * ({@link OutboundCache}), while the listeners read a VirtualService only for its {@code tcp}
 * rules, and which VirtualService holds a host ({@link TranslationInput#virtualServiceFor}: its
 * hosts, gateways, {@code exportTo} and place in creation order). The key is therefore the input
 * with each VirtualService's {@code http} rules left out, and each VirtualService's and
 * DestinationRule's file, line and apply sequence (which only order them, and the lists keep that
 * order). The secrets also read the outbound clusters (which secrets their TLS settings name): they
 * are part of the key as the list the outbound entry holds. This is istiod's split of a
 * VirtualService change into what a listener push and what a route push must carry, kept
 * conservative: any other change builds them anew. A gateway's listeners follow its
 * VirtualServices' routes and servers, so a gateway builds them on every translation.
 */
final class ProxyOwnResources {
  /** Null for a gateway: never reused. */
  private final TranslationInput key;

  private final List<Cluster> outboundClusters;
  private final List<Cluster> inbound;
  private final List<Listener> listeners;
  private final List<Secret> secrets;

  private ProxyOwnResources(
      TranslationInput key,
      List<Cluster> outboundClusters,
      List<Cluster> inbound,
      List<Listener> listeners,
      List<Secret> secrets) {
    this.key = key;
    this.outboundClusters = outboundClusters;
    this.inbound = inbound;
    this.listeners = listeners;
    this.secrets = secrets;
  }

  /**
   * The own resources of {@code input.proxy()}: {@code previous}'s when built from an equal key and
   * the same outbound clusters, else built from {@code input}.
   */
  static ProxyOwnResources of(
      TranslationInput input, OutboundCache.Outbound outbound, ProxyOwnResources previous) {
    TranslationInput key = input.proxy().isGateway() ? null : keyOf(input);
    if (key != null
        && previous != null
        && key.equals(previous.key)
        && outbound.clusters().equals(previous.outboundClusters)) {
      return previous;
    }
    List<Cluster> inbound = new ClusterBuilder(input).inbound();
    List<Cluster> clusters = new ArrayList<>(outbound.clusters());
    clusters.addAll(inbound);
    List<Listener> listeners = new ListenerBuilder(input, new RouteConfigBuilder(input)).build();
    List<Secret> secrets =
        MtlsBuilder.referencesSecrets(clusters, listeners)
            ? new MtlsBuilder(input).secrets(clusters, listeners)
            : List.of();
    return new ProxyOwnResources(key, outbound.clusters(), inbound, listeners, secrets);
  }

  /**
   * Per list of VirtualServices a push hands to translations (one instance per namespace and
   * Sidecar scope, shared by the proxies that have it), the same without their {@code http} rules:
   * built once per list, so each proxy's key holds a shared list. Weak, by identity: an entry goes
   * with the push that made its list.
   */
  private static final Map<List<VirtualService>, List<VirtualService>> WITHOUT_HTTP =
      new MapMaker().weakKeys().makeMap();

  /** As {@link #WITHOUT_HTTP}, per list of DestinationRules (one per namespace and push). */
  private static final Map<List<DestinationRule>, List<DestinationRule>> RULES_IN_PLACE =
      new MapMaker().weakKeys().makeMap();

  /** The input with what a sidecar's own resources do not read left out (see the class doc). */
  static TranslationInput keyOf(TranslationInput input) {
    return new TranslationInput(
        input.proxy(),
        WITHOUT_HTTP.computeIfAbsent(input.virtualServices(), ProxyOwnResources::withoutHttp),
        RULES_IN_PLACE.computeIfAbsent(input.destinationRules(), ProxyOwnResources::inPlace),
        input.instances(),
        input.profile(),
        input.security(),
        input.meshOutboundTrafficPolicy(),
        input.gateways(),
        input.files(),
        input.credentials());
  }

  private static List<VirtualService> withoutHttp(List<VirtualService> virtualServices) {
    List<VirtualService> out = new ArrayList<>(virtualServices.size());
    for (VirtualService vs : virtualServices) {
      out.add(
          new VirtualService(
              placeOnly(vs.meta()),
              vs.hosts(),
              vs.gateways(),
              List.of(),
              vs.exportTo(),
              vs.tcp(),
              vs.tls()));
    }
    return List.copyOf(out);
  }

  private static List<DestinationRule> inPlace(List<DestinationRule> rules) {
    List<DestinationRule> out = new ArrayList<>(rules.size());
    for (DestinationRule rule : rules) {
      out.add(rule.withMeta(placeOnly(rule.meta())));
    }
    return List.copyOf(out);
  }

  /**
   * {@code meta} without the file, line and apply sequence it was applied from: a rule applied
   * again unchanged (a new file, a new sequence) builds the same listeners, and the input's lists
   * keep the creation order those fields only decide.
   */
  private static ResourceMeta placeOnly(ResourceMeta meta) {
    return new ResourceMeta(
        meta.kind(), meta.name(), meta.namespace(), "", 0, meta.creationTimestamp(), 0);
  }

  List<Cluster> inbound() {
    return inbound;
  }

  List<Listener> listeners() {
    return listeners;
  }

  List<Secret> secrets() {
    return secrets;
  }
}
