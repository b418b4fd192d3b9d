package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Objects;

/**
 * One Istio resource kind the mesh accepts: its API group and versions as {@code apiVersion} spells
 * them, its {@code kind}, the record it parses into and the parser of its {@code spec}. The kinds
 * are listed in {@link IstioKinds}; the config store is queried by kind ({@link
 * ConfigStore#resources(IstioKind)}).
 *
 * @param <T> the parsed resource
 */
public final class IstioKind<T extends IstioResource> {
  /** Reads a {@code spec} into the resource, reporting problems on the mapping. */
  @FunctionalInterface
  interface SpecParser<T> {
    T parse(ResourceMeta meta, YamlMapping spec);
  }

  private final String group;
  private final List<String> versions;
  private final String kind;
  private final Class<T> type;
  private final SpecParser<T> parser;

  IstioKind(String group, List<String> versions, String kind, Class<T> type, SpecParser<T> parser) {
    if (versions.isEmpty()) {
      throw new IllegalArgumentException("versions of " + kind + ": [] (expected: at least one)");
    }
    this.group = Objects.requireNonNull(group, "group");
    this.versions = List.copyOf(versions);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.type = Objects.requireNonNull(type, "type");
    this.parser = Objects.requireNonNull(parser, "parser");
  }

  /** The API group, e.g. {@code networking.istio.io}. */
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

  /** Every {@code apiVersion} this kind is accepted under, e.g. {@code networking.istio.io/v1}. */
  public List<String> apiVersions() {
    return versions.stream().map(v -> group + "/" + v).toList();
  }

  T parse(ResourceMeta meta, YamlMapping spec) {
    return parser.parse(meta, spec);
  }

  @Override
  public String toString() {
    return kind;
  }
}
