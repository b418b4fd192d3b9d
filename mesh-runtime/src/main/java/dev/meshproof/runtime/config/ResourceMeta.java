package dev.meshproof.runtime.config;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Kind, name and namespace of an Istio resource, its {@code metadata.creationTimestamp} when the
 * YAML states one, and where it was written (for diagnostics).
 */
public record ResourceMeta(
    String kind,
    String name,
    String namespace,
    String source,
    int line,
    Optional<Instant> creationTimestamp) {

  public ResourceMeta {
    Objects.requireNonNull(creationTimestamp, "creationTimestamp");
  }

  public ResourceMeta(String kind, String name, String namespace, String source, int line) {
    this(kind, name, namespace, source, line, Optional.empty());
  }

  /** {@code kind/namespace/name}, the key under which the config store keeps it. */
  public String key() {
    return kind + "/" + namespace + "/" + name;
  }
}
