package dev.meshproof.runtime.config;

import dev.meshproof.runtime.policy.lb.ConsistentHash;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.lb.LocalityLbSetting;
import dev.meshproof.runtime.policy.lb.SlowStart;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/networking/destination-rule/">
 * DestinationRule</a>: subsets of a service's instances by label, and their traffic policy.
 */
public record DestinationRule(
    ResourceMeta meta,
    String host,
    Optional<LbPolicy> loadBalancer,
    List<Subset> subsets,
    Optional<ConnectionPoolSettings> connectionPool,
    Optional<OutlierDetectionSettings> outlierDetection,
    List<PortTrafficPolicy> portLevelSettings,
    Optional<ConsistentHash> consistentHash,
    Optional<LocalityLbSetting> localityLbSetting,
    Optional<ClientTlsSettings> tls,
    /**
     * {@code exportTo} as written ({@code .}, {@code *}, namespaces); empty: exported everywhere
     * (MeshConfig's default {@code defaultDestinationRuleExportTo} is {@code *}).
     */
    List<String> exportTo,
    /**
     * {@code trafficPolicy.loadBalancer.warmup} (or the deprecated {@code warmupDurationSecs}) as
     * Envoy's slow start; empty: none.
     */
    Optional<SlowStart> warmup)
    implements IstioResource {

  /**
   * @param tls the whole {@code trafficPolicy.tls}
   */
  public DestinationRule {
    subsets = List.copyOf(subsets);
    portLevelSettings = List.copyOf(portLevelSettings);
    java.util.Objects.requireNonNull(consistentHash, "consistentHash");
    java.util.Objects.requireNonNull(localityLbSetting, "localityLbSetting");
    java.util.Objects.requireNonNull(tls, "tls");
    java.util.Objects.requireNonNull(warmup, "warmup");
    exportTo = List.copyOf(exportTo);
  }

  /** {@code trafficPolicy.tls.mode}: the mode of {@link #tls()}. */
  public Optional<String> tlsMode() {
    return tls.map(ClientTlsSettings::mode);
  }

  /**
   * Whether a proxy of {@code namespace} may find this rule in this rule's own namespace (istiod's
   * {@code namespaceLocal} index, {@code setDestinationRules}): no {@code exportTo}, {@code *},
   * {@code .} or the rule's own namespace.
   */
  public boolean visibleInOwnNamespace() {
    return exportTo.isEmpty()
        || exportTo.contains("*")
        || exportTo.contains(".")
        || exportTo.contains(meta.namespace());
  }

  /**
   * Whether this rule is exported beyond its namespace to a proxy of {@code namespace} (istiod's
   * {@code exportedByNamespace} index and {@code getExportedDestinationRuleFromNamespace}): not
   * private only ({@code .} or its own namespace alone), and no {@code exportTo}, {@code *} or
   * {@code namespace} by name.
   */
  public boolean exportedTo(String namespace) {
    boolean privateOnly =
        exportTo.size() == 1 && (exportTo.contains(".") || exportTo.contains(meta.namespace()));
    return !privateOnly
        && (exportTo.isEmpty() || exportTo.contains("*") || exportTo.contains(namespace));
  }

  /**
   * The {@code localityLbSetting} of the cluster of {@code subset} on {@code port}: the one of the
   * load balancer the merged policy keeps ({@link #policyFor}, istiod's {@code
   * MergeSubsetTrafficPolicy}: a port-level entry replaces the rule's policy wholesale, a subset's
   * {@code loadBalancer} replaces the rule's, a subset's port-level entry replaces everything);
   * empty: the mesh's ({@code enabled: true} by default), as {@code GetLocalityLbSetting}.
   */
  public Optional<LocalityLbSetting> localityLbSettingFor(Optional<Subset> subset, int port) {
    return policyFor(subset, port).localityLbSetting();
  }

  /**
   * The consistent hash of the cluster of {@code subset} on {@code port}, merged as the rest of the
   * load balancer (istiod's {@code util.MergeSubsetTrafficPolicy}, whose {@code loadBalancer} block
   * is replaced wholesale): the rule's, or the rule's port-level entry's for the port; a subset
   * that sets a {@code loadBalancer} replaces it with its own (none when it sets only {@code
   * simple}); the subset's port-level entry for the port replaces everything.
   */
  public Optional<ConsistentHash> consistentHashFor(Optional<Subset> subset, int port) {
    return policyFor(subset, port).consistentHash();
  }

  /**
   * The warmup (Envoy's slow start) of the cluster of {@code subset} on {@code port}, merged with
   * the rest of the load balancer ({@link #policyFor}).
   */
  public Optional<SlowStart> warmupFor(Optional<Subset> subset, int port) {
    return policyFor(subset, port).warmup();
  }

  /**
   * The hash key a route to this rule's host carries when it goes to {@code subset} (empty: no
   * subset) on {@code port} (empty: a route destination without a port), as istiod's {@code
   * HashForHTTPDestination} (route/route.go) picks it, field by field rather than by merging: the
   * subset's port-level hash, else the subset's hash, else the rule's port-level hash (read only
   * when the destination names its port), else the rule's. Unlike the cluster's merge, a subset
   * with {@code simple} keeps the rule's hash on the route (Envoy ignores a hash policy on a
   * cluster without a hashing load balancer).
   */
  public Optional<ConsistentHash> routeHashFor(
      Optional<String> subset, java.util.OptionalInt port) {
    Optional<ConsistentHash> portHash =
        port.isPresent()
            ? portLevel(portLevelSettings, port.getAsInt())
                .flatMap(PortTrafficPolicy::consistentHash)
            : Optional.empty();
    Optional<Subset> s = subset.flatMap(this::subset);
    Optional<ConsistentHash> subsetPortHash =
        port.isPresent()
            ? s.flatMap(x -> portLevel(x.portLevelSettings(), port.getAsInt()))
                .flatMap(PortTrafficPolicy::consistentHash)
            : Optional.empty();
    return subsetPortHash
        .or(() -> s.flatMap(Subset::consistentHash))
        .or(() -> portHash)
        .or(() -> consistentHash);
  }

  /**
   * The hash key of the default route to this rule's host on {@code port} (no VirtualService):
   * istiod's {@code hashForService}, the rule's port-level hash for the port, else the rule's.
   */
  public Optional<ConsistentHash> serviceHashFor(int port) {
    return portLevel(portLevelSettings, port)
        .flatMap(PortTrafficPolicy::consistentHash)
        .or(() -> consistentHash);
  }

  @Override
  public DestinationRule withMeta(ResourceMeta newMeta) {
    return new DestinationRule(
        newMeta,
        host,
        loadBalancer,
        subsets,
        connectionPool,
        outlierDetection,
        portLevelSettings,
        consistentHash,
        localityLbSetting,
        tls,
        exportTo,
        warmup);
  }

  /**
   * The traffic policy of this rule for the cluster of {@code subset} (empty: the whole service) on
   * service port {@code port}, merged as istiod's {@code util.MergeSubsetTrafficPolicy} does: the
   * rule's port-level entry for the port replaces the rule's policy wholesale (fields it omits fall
   * back to the defaults, not to the rule's); then a subset's port-level entry replaces that
   * wholesale again, or else each block the subset sets replaces the rule's block.
   */
  public PortTrafficPolicy policyFor(Optional<Subset> subset, int port) {
    PortTrafficPolicy rule =
        portLevel(portLevelSettings, port)
            .orElse(
                new PortTrafficPolicy(
                    port,
                    loadBalancer,
                    connectionPool,
                    outlierDetection,
                    consistentHash,
                    tls,
                    localityLbSetting,
                    warmup));
    if (subset.isEmpty()) {
      return rule;
    }
    Subset s = subset.get();
    Optional<PortTrafficPolicy> subsetPort = portLevel(s.portLevelSettings(), port);
    if (subsetPort.isPresent()) {
      return subsetPort.get();
    }
    boolean subsetLb =
        s.loadBalancer().isPresent()
            || s.consistentHash().isPresent()
            || s.localityLbSetting().isPresent()
            || s.warmup().isPresent();
    return new PortTrafficPolicy(
        port,
        subsetLb ? s.loadBalancer() : rule.loadBalancer(),
        s.connectionPool().or(rule::connectionPool),
        s.outlierDetection().or(rule::outlierDetection),
        subsetLb ? s.consistentHash() : rule.consistentHash(),
        s.tls().or(rule::tls),
        subsetLb ? s.localityLbSetting() : rule.localityLbSetting(),
        subsetLb ? s.warmup() : rule.warmup());
  }

  /** Every {@code tls} block of the rule: its own, its port-level ones, its subsets'. */
  public List<ClientTlsSettings> allTls() {
    List<ClientTlsSettings> out = new java.util.ArrayList<>();
    tls.ifPresent(out::add);
    portLevelSettings.forEach(p -> p.tls().ifPresent(out::add));
    for (Subset s : subsets) {
      s.tls().ifPresent(out::add);
      s.portLevelSettings().forEach(p -> p.tls().ifPresent(out::add));
    }
    return out;
  }

  private static Optional<PortTrafficPolicy> portLevel(List<PortTrafficPolicy> settings, int port) {
    return settings.stream().filter(p -> p.port() == port).findFirst();
  }

  /**
   * One entry of {@code trafficPolicy.portLevelSettings}: the policy blocks for one service port
   * (the first entry for a port wins, as istiod's lookup); an omitted block means Istio's default.
   * {@code consistentHash} and {@code localityLbSetting} are its {@code loadBalancer}'s; {@code
   * tls} omitted: auto mTLS decides.
   */
  public record PortTrafficPolicy(
      int port,
      Optional<LbPolicy> loadBalancer,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection,
      Optional<ConsistentHash> consistentHash,
      Optional<ClientTlsSettings> tls,
      Optional<LocalityLbSetting> localityLbSetting,
      /** Its {@code loadBalancer}'s warmup; empty: none. */
      Optional<SlowStart> warmup) {

    public PortTrafficPolicy {
      java.util.Objects.requireNonNull(consistentHash, "consistentHash");
      java.util.Objects.requireNonNull(tls, "tls");
      java.util.Objects.requireNonNull(localityLbSetting, "localityLbSetting");
      java.util.Objects.requireNonNull(warmup, "warmup");
    }
  }

  public Optional<Subset> subset(String name) {
    return subsets.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /**
   * A named group of instances selected by labels, with optional policy overrides; as in istiod's
   * {@code MergeTrafficPolicy}, a subset's {@code connectionPool} or {@code outlierDetection}
   * replaces the rule's whole block; so does its {@code loadBalancer} ({@code simple}, {@code
   * consistentHash} or {@code localityLbSetting}).
   */
  public record Subset(
      String name,
      Map<String, String> labels,
      Optional<LbPolicy> loadBalancer,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection,
      List<PortTrafficPolicy> portLevelSettings,
      Optional<ConsistentHash> consistentHash,
      Optional<ClientTlsSettings> tls,
      Optional<LocalityLbSetting> localityLbSetting,
      /** Its {@code loadBalancer}'s warmup; empty: none. */
      Optional<SlowStart> warmup) {
    public Subset {
      labels = Map.copyOf(labels);
      portLevelSettings = List.copyOf(portLevelSettings);
      java.util.Objects.requireNonNull(consistentHash, "consistentHash");
      java.util.Objects.requireNonNull(tls, "tls");
      java.util.Objects.requireNonNull(localityLbSetting, "localityLbSetting");
      java.util.Objects.requireNonNull(warmup, "warmup");
    }
  }
}
