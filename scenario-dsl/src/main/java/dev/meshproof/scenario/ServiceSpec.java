package dev.meshproof.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service of a scenario's topology: its name, port, versions with their replica counts, and the
 * protocol of its port ({@code http}, served by the HTTP echo, or {@code tcp}, served by the TCP
 * echo in Istio's tcp-echo line protocol, each instance prefixing its answers with its name).
 */
public record ServiceSpec(
    String name, int port, Map<String, Integer> replicasByVersion, String protocol) {

  /** The protocols a scenario service can have. */
  public static final List<String> PROTOCOLS = List.of("http", "tcp");

  public ServiceSpec {
    replicasByVersion =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(replicasByVersion));
    if (!PROTOCOLS.contains(protocol)) {
      throw new IllegalArgumentException(
          "protocol: " + protocol + " (expected one of " + PROTOCOLS + ")");
    }
  }

  /** An HTTP service. */
  public ServiceSpec(String name, int port, Map<String, Integer> replicasByVersion) {
    this(name, port, replicasByVersion, "http");
  }

  /** True for a TCP service (a {@code tcp_proxy} in the mesh, the TCP echo as its app). */
  public boolean isTcp() {
    return protocol.equals("tcp");
  }

  /** Configures a {@link ServiceSpec} inside {@link Scenario.Builder#service}. */
  public static final class Builder {
    private final String name;
    private int port = 80;
    private String protocol = "http";
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

    /**
     * The protocol of the service port: {@code http} (default) or {@code tcp}, as Istio selects it
     * from a port named {@code tcp} or {@code tcp-*}.
     */
    public Builder protocol(String protocol) {
      if (!PROTOCOLS.contains(protocol)) {
        throw new IllegalArgumentException(
            "protocol: " + protocol + " (expected one of " + PROTOCOLS + ")");
      }
      this.protocol = protocol;
      return this;
    }

    ServiceSpec build() {
      if (versions.isEmpty()) {
        versions.put("v1", 1);
      }
      return new ServiceSpec(name, port, versions, protocol);
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
