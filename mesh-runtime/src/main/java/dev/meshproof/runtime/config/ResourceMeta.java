package dev.meshproof.runtime.config;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Kind, name and namespace of an Istio resource, where it was written (for diagnostics), and when
 * it was created: {@code metadata.creationTimestamp} if the YAML gives one, otherwise the order in
 * which the mesh's config store first applied it ({@code applySequence}, 0 until applied).
 *
 * <p>Istio orders VirtualServices oldest first ({@code configCompareByCreationTime}, see
 * /work/notes/istiod-defaults.md section 6); {@link #OLDEST_FIRST} is that order.
 */
public record ResourceMeta(
    String kind,
    String name,
    String namespace,
    String source,
    int line,
    Optional<Instant> creationTimestamp,
    long applySequence) {

  /**
   * Istio's {@code configCompareByCreationTime}: by {@link #creationOrder()}, then name, then
   * namespace.
   */
  public static final Comparator<ResourceMeta> OLDEST_FIRST =
      Comparator.comparing(ResourceMeta::creationOrder)
          .thenComparing(ResourceMeta::name)
          .thenComparing(ResourceMeta::namespace);

  public ResourceMeta {
    Objects.requireNonNull(creationTimestamp, "creationTimestamp");
  }

  /** A resource not yet applied and without {@code metadata.creationTimestamp}. */
  public ResourceMeta(String kind, String name, String namespace, String source, int line) {
    this(kind, name, namespace, source, line, Optional.empty(), 0);
  }

  /** A resource not yet applied, with its {@code metadata.creationTimestamp} if written. */
  public ResourceMeta(
      String kind,
      String name,
      String namespace,
      String source,
      int line,
      Optional<Instant> creationTimestamp) {
    this(kind, name, namespace, source, line, creationTimestamp, 0);
  }

  /** {@code kind/namespace/name}, the key under which the config store keeps it. */
  public String key() {
    return kind + "/" + namespace + "/" + name;
  }

  /** When this resource was created, comparable oldest first. */
  public CreationOrder creationOrder() {
    return new CreationOrder(creationTimestamp, applySequence);
  }

  /** This meta with the config store's apply sequence. */
  public ResourceMeta withApplySequence(long sequence) {
    return new ResourceMeta(kind, name, namespace, source, line, creationTimestamp, sequence);
  }

  /**
   * The creation time of a resource as the config store knows it. A written {@code
   * creationTimestamp} is in the past of every apply, so resources that have one sort before those
   * that do not (whose creation is their apply); two written timestamps compare by instant only
   * (equal instants are equal, as in Istio, which then compares names); two applied resources
   * compare by apply order. Consistent with equals only up to that tie: use {@link
   * ResourceMeta#OLDEST_FIRST} for a total order.
   */
  public record CreationOrder(Optional<Instant> timestamp, long applySequence)
      implements Comparable<CreationOrder> {
    @Override
    public int compareTo(CreationOrder other) {
      if (timestamp.isPresent() && other.timestamp.isPresent()) {
        return timestamp.get().compareTo(other.timestamp.get());
      }
      if (timestamp.isPresent() != other.timestamp.isPresent()) {
        return timestamp.isPresent() ? -1 : 1;
      }
      return Long.compare(applySequence, other.applySequence);
    }
  }
}
