package dev.meshproof.runtime.config;

import dev.meshproof.runtime.policy.lb.ConsistentHash;
import dev.meshproof.runtime.policy.lb.LbPolicy;
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
    Optional<String> tlsMode,
    Optional<ConsistentHash> consistentHash,
    Optional<ClientTlsSettings> tls)
    implements IstioResource {

  /**
   * @param tlsMode {@code trafficPolicy.tls.mode}, the mode of {@code tls}
   * @param tls the whole {@code trafficPolicy.tls}
   */
  public DestinationRule {
    subsets = List.copyOf(subsets);
    portLevelSettings = List.copyOf(portLevelSettings);
    java.util.Objects.requireNonNull(tlsMode, "tlsMode");
    java.util.Objects.requireNonNull(consistentHash, "consistentHash");
    java.util.Objects.requireNonNull(tls, "tls");
    if (!tlsMode.equals(tls.map(ClientTlsSettings::mode))) {
      throw new IllegalArgumentException(
          "tlsMode: " + tlsMode + " (expected: the mode of tls " + tls + ")");
    }
  }

  /** A DestinationRule whose {@code trafficPolicy.tls} is only a mode. */
  public DestinationRule(
      ResourceMeta meta,
      String host,
      Optional<LbPolicy> loadBalancer,
      List<Subset> subsets,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection,
      List<PortTrafficPolicy> portLevelSettings,
      Optional<String> tlsMode,
      Optional<ConsistentHash> consistentHash) {
    this(
        meta,
        host,
        loadBalancer,
        subsets,
        connectionPool,
        outlierDetection,
        portLevelSettings,
        tlsMode,
        consistentHash,
        tlsMode.map(ClientTlsSettings::ofMode));
  }

  /** A DestinationRule without {@code trafficPolicy.loadBalancer.consistentHash}. */
  public DestinationRule(
      ResourceMeta meta,
      String host,
      Optional<LbPolicy> loadBalancer,
      List<Subset> subsets,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection,
      List<PortTrafficPolicy> portLevelSettings,
      Optional<String> tlsMode) {
    this(
        meta,
        host,
        loadBalancer,
        subsets,
        connectionPool,
        outlierDetection,
        portLevelSettings,
        tlsMode,
        Optional.empty());
  }

  /**
   * The consistent hash of the cluster of {@code subset} on {@code port}: the rule's, unless a
   * port-level entry for the port or the subset's own load balancer or port-level entry replaces
   * the rule's load balancer wholesale (istiod's {@code MergeSubsetTrafficPolicy}; consistent
   * hashes at subset and port level are not simulated yet and rejected by the parser).
   */
  public Optional<ConsistentHash> consistentHashFor(Optional<Subset> subset, int port) {
    if (portLevel(portLevelSettings, port).isPresent()) {
      return Optional.empty();
    }
    if (subset.isPresent()
        && (subset.get().loadBalancer().isPresent()
            || portLevel(subset.get().portLevelSettings(), port).isPresent())) {
      return Optional.empty();
    }
    return consistentHash;
  }

  /** A DestinationRule without {@code trafficPolicy.tls} (auto mTLS decides). */
  public DestinationRule(
      ResourceMeta meta,
      String host,
      Optional<LbPolicy> loadBalancer,
      List<Subset> subsets,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection,
      List<PortTrafficPolicy> portLevelSettings) {
    this(
        meta,
        host,
        loadBalancer,
        subsets,
        connectionPool,
        outlierDetection,
        portLevelSettings,
        Optional.empty());
  }

  /** A rule without port-level settings. */
  public DestinationRule(
      ResourceMeta meta,
      String host,
      Optional<LbPolicy> loadBalancer,
      List<Subset> subsets,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection) {
    this(meta, host, loadBalancer, subsets, connectionPool, outlierDetection, List.of());
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
        tlsMode,
        consistentHash,
        tls);
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
                new PortTrafficPolicy(port, loadBalancer, connectionPool, outlierDetection, tls));
    if (subset.isEmpty()) {
      return rule;
    }
    Subset s = subset.get();
    Optional<PortTrafficPolicy> subsetPort = portLevel(s.portLevelSettings(), port);
    if (subsetPort.isPresent()) {
      return subsetPort.get();
    }
    return new PortTrafficPolicy(
        port,
        s.loadBalancer().or(rule::loadBalancer),
        s.connectionPool().or(rule::connectionPool),
        s.outlierDetection().or(rule::outlierDetection),
        s.tls().or(rule::tls));
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
   * (the first entry for a port wins, as istiod's lookup); an omitted block means Istio's default
   * ({@code tls} omitted: auto mTLS decides).
   */
  public record PortTrafficPolicy(
      int port,
      Optional<LbPolicy> loadBalancer,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection,
      Optional<ClientTlsSettings> tls) {
    public PortTrafficPolicy {
      java.util.Objects.requireNonNull(tls, "tls");
    }

    /** A port policy without {@code tls}. */
    public PortTrafficPolicy(
        int port,
        Optional<LbPolicy> loadBalancer,
        Optional<ConnectionPoolSettings> connectionPool,
        Optional<OutlierDetectionSettings> outlierDetection) {
      this(port, loadBalancer, connectionPool, outlierDetection, Optional.empty());
    }
  }

  public Optional<Subset> subset(String name) {
    return subsets.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /**
   * A named group of instances selected by labels, with optional policy overrides; as in istiod's
   * {@code MergeTrafficPolicy}, a subset's {@code connectionPool} or {@code outlierDetection}
   * replaces the rule's whole block.
   */
  public record Subset(
      String name,
      Map<String, String> labels,
      Optional<LbPolicy> loadBalancer,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection,
      List<PortTrafficPolicy> portLevelSettings,
      Optional<ClientTlsSettings> tls) {
    public Subset {
      labels = Map.copyOf(labels);
      portLevelSettings = List.copyOf(portLevelSettings);
      java.util.Objects.requireNonNull(tls, "tls");
    }

    /** A subset without {@code tls}. */
    public Subset(
        String name,
        Map<String, String> labels,
        Optional<LbPolicy> loadBalancer,
        Optional<ConnectionPoolSettings> connectionPool,
        Optional<OutlierDetectionSettings> outlierDetection,
        List<PortTrafficPolicy> portLevelSettings) {
      this(
          name,
          labels,
          loadBalancer,
          connectionPool,
          outlierDetection,
          portLevelSettings,
          Optional.empty());
    }

    /** A subset without port-level settings. */
    public Subset(
        String name,
        Map<String, String> labels,
        Optional<LbPolicy> loadBalancer,
        Optional<ConnectionPoolSettings> connectionPool,
        Optional<OutlierDetectionSettings> outlierDetection) {
      this(name, labels, loadBalancer, connectionPool, outlierDetection, List.of());
    }
  }
}
