package dev.meshproof.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service of a scenario's topology: its name, port and versions with their replica counts, and
 * the Kubernetes service account each version's pods run as (a version not listed runs as {@code
 * default}; Kubernetes manifests set it with {@code serviceAccountName}).
 */
public record ServiceSpec(
    String name,
    int port,
    Map<String, Integer> replicasByVersion,
    Map<String, String> serviceAccountByVersion) {

  public ServiceSpec {
    replicasByVersion =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(replicasByVersion));
    serviceAccountByVersion = Map.copyOf(serviceAccountByVersion);
  }

  /** A service whose pods all run as the {@code default} service account. */
  public ServiceSpec(String name, int port, Map<String, Integer> replicasByVersion) {
    this(name, port, replicasByVersion, Map.of());
  }

  /** The service account the pods of {@code version} run as. */
  public String serviceAccount(String version) {
    return serviceAccountByVersion.getOrDefault(version, "default");
  }

  /** Configures a {@link ServiceSpec} inside {@link Scenario.Builder#service}. */
  public static final class Builder {
    private final String name;
    private int port = 80;
    private final Map<String, Integer> versions = new LinkedHashMap<>();

    Builder(String name) {
      this.name = name;
    }

    /** Adds a version with one replica (an echo instance labelled {@code version: <version>}). */
    public Builder version(String version) {
      return version(version, 1);
    }

    public Builder version(String version, int replicas) {
      if (replicas < 1) {
        throw new IllegalArgumentException(
            "replicas of " + version + ": " + replicas + " (expected: >= 1)");
      }
      if (versions.putIfAbsent(version, replicas) != null) {
        throw new IllegalArgumentException(
            "version: " + version + " is declared twice for service " + name);
      }
      return this;
    }

    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
      }
      this.port = port;
      return this;
    }

    ServiceSpec build() {
      if (versions.isEmpty()) {
        versions.put("v1", 1);
      }
      return new ServiceSpec(name, port, versions);
    }
  }

  /** Instance names as Kubernetes would name pods: {@code catalog-v1-0}, {@code catalog-v1-1}. */
  public List<String> instanceNames(String version) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < replicasByVersion.get(version); i++) {
      names.add(name + "-" + version + "-" + i);
    }
    return names;
  }
}
