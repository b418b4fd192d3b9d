package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One resource kind the parser knows: its API group and versions as {@code apiVersion} spells them,
 * its {@code kind}, the record it parses into, the parser of its {@code spec}, and how far the mesh
 * simulates it ({@link Support}). The kinds are listed in {@link IstioKinds}; the config store is
 * queried by kind ({@link ConfigStore#resources(IstioKind)}).
 *
 * @param <T> the parsed resource
 */
public final class IstioKind<T extends IstioResource> {
  /** Reads a {@code spec} into the resource, reporting problems on the mapping. */
  @FunctionalInterface
  interface SpecParser<T> {
    T parse(ResourceMeta meta, YamlMapping spec);
  }

  /** How far the mesh simulates a kind. */
  public enum Support {
    /** Parsed, validated and translated (or, for Kubernetes workload kinds, deployed). */
    SIMULATED,
    /**
     * Parsed and validated as Istio's webhook does, then rejected: the mesh would silently ignore
     * it, so a scenario could prove something about a configuration it did not run.
     */
    NOT_YET_SUPPORTED,
    /**
     * Accepted and listed as not simulated: it has no effect on the HTTP behaviour the mesh proves
     * (an EnvoyFilter, Telemetry, a ConfigMap, a HorizontalPodAutoscaler, ...). Its spec is not
     * read.
     */
    NOT_SIMULATED
  }

  private final String group;
  private final List<String> versions;
  private final String kind;
  private final Class<T> type;
  private final SpecParser<T> parser;
  private final Support support;
  private final boolean specRequired;
  private final Set<String> topLevelFields;

  IstioKind(String group, List<String> versions, String kind, Class<T> type, SpecParser<T> parser) {
    this(group, versions, kind, type, parser, Support.SIMULATED, true, Set.of());
  }

  IstioKind(
      String group,
      List<String> versions,
      String kind,
      Class<T> type,
      SpecParser<T> parser,
      Support support,
      boolean specRequired,
      Set<String> topLevelFields) {
    if (versions.isEmpty()) {
      throw new IllegalArgumentException("versions of " + kind + ": [] (expected: at least one)");
    }
    this.group = Objects.requireNonNull(group, "group");
    this.versions = List.copyOf(versions);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.type = Objects.requireNonNull(type, "type");
    this.parser = Objects.requireNonNull(parser, "parser");
    this.support = Objects.requireNonNull(support, "support");
    this.specRequired = specRequired;
    this.topLevelFields = Set.copyOf(topLevelFields);
  }

  /** The API group, e.g. {@code networking.istio.io}; empty for the Kubernetes core group. */
  public String group() {
    return group;
  }

  /** The served versions of the group, newest first, e.g. {@code v1, v1beta1, v1alpha3}. */
  public List<String> versions() {
    return versions;
  }

  /** The {@code kind} field's value, e.g. {@code VirtualService}. */
  public String kind() {
    return kind;
  }

  /** The record this kind parses into. */
  public Class<T> type() {
    return type;
  }

  /** How far the mesh simulates this kind. */
  public Support support() {
    return support;
  }

  /**
   * Every {@code apiVersion} this kind is accepted under, e.g. {@code networking.istio.io/v1}, or
   * {@code v1} for the Kubernetes core group.
   */
  public List<String> apiVersions() {
    return versions.stream().map(v -> group.isEmpty() ? v : group + "/" + v).toList();
  }

  /** Whether {@code spec} must be present (it is optional for a ServiceAccount or a Namespace). */
  boolean specRequired() {
    return specRequired;
  }

  /**
   * Fields beside apiVersion, kind, metadata, spec and status this kind has at the top level (a
   * ServiceAccount's {@code secrets}); for a {@link Support#NOT_SIMULATED} kind every field is
   * accepted.
   */
  Set<String> topLevelFields() {
    return topLevelFields;
  }

  T parse(ResourceMeta meta, YamlMapping spec) {
    return parser.parse(meta, spec);
  }

  @Override
  public String toString() {
    return kind;
  }
}
