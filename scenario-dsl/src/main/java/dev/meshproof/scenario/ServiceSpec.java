package dev.meshproof.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service of a scenario's topology: its name, port and versions with their replica counts, and
 * its port's name, whose prefix is the protocol Istio gives the port ({@code http}, {@code http2},
 * {@code grpc}, {@code tcp}): a {@code grpc} port's instances are gRPC echo workloads, a {@code
 * tcp} port's Istio's tcp-echo server (each instance prefixing its answers with its name), others
 * HTTP echoes; and the Kubernetes service account each version's pods run as (a version not listed
 * runs as {@code default}; Kubernetes manifests set it with {@code serviceAccountName}).
 */
public record ServiceSpec(
    String name,
    int port,
    Map<String, Integer> replicasByVersion,
    String portName,
    Map<String, String> serviceAccountByVersion) {

  public ServiceSpec {
    replicasByVersion =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(replicasByVersion));
    serviceAccountByVersion = Map.copyOf(serviceAccountByVersion);
  }

  /** A service on an {@code http} port whose pods run as the given service accounts. */
  public ServiceSpec(
      String name,
      int port,
      Map<String, Integer> replicasByVersion,
      Map<String, String> serviceAccountByVersion) {
    this(name, port, replicasByVersion, "http", serviceAccountByVersion);
  }

  /** A service whose pods all run as the {@code default} service account. */
  public ServiceSpec(
      String name, int port, Map<String, Integer> replicasByVersion, String portName) {
    this(name, port, replicasByVersion, portName, Map.of());
  }

  /** The service account the pods of {@code version} run as. */
  public String serviceAccount(String version) {
    return serviceAccountByVersion.getOrDefault(version, "default");
  }

  /** A service on an {@code http} port. */
  public ServiceSpec(String name, int port, Map<String, Integer> replicasByVersion) {
    this(name, port, replicasByVersion, "http");
  }

  /** Istio's protocol of the port. */
  public dev.meshproof.runtime.registry.ServiceProtocol protocol() {
    return dev.meshproof.runtime.registry.ServiceProtocol.ofPort(
        portName, java.util.Optional.empty());
  }

  /** True for a TCP service (a {@code tcp_proxy} in the mesh, the TCP echo as its app). */
  public boolean isTcp() {
    return protocol() == dev.meshproof.runtime.registry.ServiceProtocol.TCP;
  }

  /** Configures a {@link ServiceSpec} inside {@link Scenario.Builder#service}. */
  public static final class Builder {
    private final String name;
    private int port = 80;
    private String portName = "http";
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
     * The port's name: {@code http} (default), {@code http2}, {@code grpc} or {@code tcp},
     * optionally with a suffix ({@code grpc-echo}); the prefix is the protocol Istio gives the
     * port.
     */
    public Builder portName(String portName) {
      var protocol =
          dev.meshproof.runtime.registry.ServiceProtocol.ofPort(
              portName, java.util.Optional.empty());
      if (protocol != dev.meshproof.runtime.registry.ServiceProtocol.HTTP
          && protocol != dev.meshproof.runtime.registry.ServiceProtocol.HTTP2
          && protocol != dev.meshproof.runtime.registry.ServiceProtocol.GRPC
          && protocol != dev.meshproof.runtime.registry.ServiceProtocol.TCP) {
        throw new IllegalArgumentException(
            "portName: "
                + portName
                + " (expected: http, http2, grpc or tcp, optionally followed by -suffix; Istio reads it"
                + " as "
                + protocol.istioName()
                + ", which the echo workloads do not serve)");
      }
      this.portName = portName;
      return this;
    }

    ServiceSpec build() {
      if (versions.isEmpty()) {
        versions.put("v1", 1);
      }
      return new ServiceSpec(name, port, versions, portName);
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
