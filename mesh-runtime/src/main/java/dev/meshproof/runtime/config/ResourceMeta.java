package dev.meshproof.runtime.config;

/** Kind, name and namespace of an Istio resource, and where it was written (for diagnostics). */
public record ResourceMeta(String kind, String name, String namespace, String source, int line) {

  /** {@code kind/namespace/name}, the key under which the config store keeps it. */
  public String key() {
    return kind + "/" + namespace + "/" + name;
  }
}
