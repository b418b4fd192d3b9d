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
 * runs as {@code default}; Kubernetes manifests set it with {@code serviceAccountName}); and the
 * versions whose app is the user's own server ({@link AppSpec}) instead of the echo. A Kubernetes
 * Service with several ports has the first as {@code port} and {@code portName} and the others in
 * {@code morePorts}, all TCP (every instance's tcp-echo answers on each) or all HTTP / HTTP2 (every
 * instance runs an HTTP echo per port, each naming its port in {@code x-echo-port}).
 */
public record ServiceSpec(
    String name,
    int port,
    Map<String, Integer> replicasByVersion,
    String portName,
    Map<String, String> serviceAccountByVersion,
    Map<String, AppSpec> apps,
    List<Port> morePorts) {

  public ServiceSpec {
    replicasByVersion =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(replicasByVersion));
    serviceAccountByVersion = Map.copyOf(serviceAccountByVersion);
    apps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(apps));
    morePorts = List.copyOf(morePorts);
    // The fields are not assigned yet in a compact constructor: the ports from the parameters.
    List<Port> all = new ArrayList<>();
    all.add(new Port(portName, port));
    all.addAll(morePorts);
    if (!morePorts.isEmpty() && !allTcp(all) && !allHttpEcho(all)) {
      // An instance runs one echo per port: tcp-echo for TCP ports, the HTTP echo for HTTP and
      // HTTP/2 ports; the gRPC echo and a mix of TCP and HTTP ports are not deployed that way.
      throw new IllegalArgumentException(
          "ports of service "
              + name
              + ": "
              + all.stream().map(p -> p.name() + " " + p.port()).toList()
              + " (expected: one port, or several that are all TCP or all HTTP / HTTP2; gRPC ports"
              + " and a mix of TCP and HTTP ports are not supported yet)");
    }
    if (!morePorts.isEmpty() && !apps.isEmpty()) {
      throw new IllegalArgumentException(
          "apps of service "
              + name
              + ": "
              + apps.keySet()
              + " (expected: none on a Service with several ports; the user's own app serves one"
              + " port)");
    }
  }

  private static boolean allTcp(List<Port> ports) {
    return ports.stream()
        .allMatch(p -> p.protocol() == dev.meshproof.runtime.registry.ServiceProtocol.TCP);
  }

  private static boolean allHttpEcho(List<Port> ports) {
    return ports.stream()
        .allMatch(
            p ->
                p.protocol() == dev.meshproof.runtime.registry.ServiceProtocol.HTTP
                    || p.protocol() == dev.meshproof.runtime.registry.ServiceProtocol.HTTP2);
  }

  /** A port of the Service after its first: its name (whose prefix is its protocol), number. */
  public record Port(String name, int port) {
    /** Istio's protocol of the port. */
    public dev.meshproof.runtime.registry.ServiceProtocol protocol() {
      return dev.meshproof.runtime.registry.ServiceProtocol.ofPort(
          name, java.util.Optional.empty());
    }
  }

  /** A service with one port. */
  public ServiceSpec(
      String name,
      int port,
      Map<String, Integer> replicasByVersion,
      String portName,
      Map<String, String> serviceAccountByVersion,
      Map<String, AppSpec> apps) {
    this(name, port, replicasByVersion, portName, serviceAccountByVersion, apps, List.of());
  }

  /**
   * Every port of the Service in declaration order, the first being {@code port} (several: all TCP
   * or all HTTP / HTTP2).
   */
  public List<Port> ports() {
    List<Port> ports = new ArrayList<>();
    ports.add(new Port(portName, port));
    ports.addAll(morePorts);
    return List.copyOf(ports);
  }

  /** A service on {@code portName} whose versions are all the echo. */
  public ServiceSpec(
      String name,
      int port,
      Map<String, Integer> replicasByVersion,
      String portName,
      Map<String, String> serviceAccountByVersion) {
    this(name, port, replicasByVersion, portName, serviceAccountByVersion, Map.of());
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

  /** The user's own app of {@code version}, if it is not the echo. */
  public java.util.Optional<AppSpec> app(String version) {
    return java.util.Optional.ofNullable(apps.get(version));
  }

  /** Configures a {@link ServiceSpec} inside {@link Scenario.Builder#service}. */
  public static final class Builder {
    private final String name;
    private int port = 80;
    private String portName = "http";
    private final Map<String, Integer> versions = new LinkedHashMap<>();
    private final Map<String, AppSpec> apps = new LinkedHashMap<>();
    private final List<Port> morePorts = new ArrayList<>();

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

    /**
     * Adds a version (one replica) whose app is an HTTP server the user started on {@code
     * 127.0.0.1:<port>}, instead of the echo.
     */
    public Builder ownServer(String version, java.net.InetSocketAddress address) {
      version(version, 1);
      apps.put(version, new AppSpec.Listening(address));
      return this;
    }

    /**
     * Adds a version with {@code replicas} replicas whose app is {@code command}, started by the
     * mesh once per replica on a port it picks ({@link AppSpec.Command}).
     */
    public Builder ownCommand(String version, int replicas, AppSpec.Command command) {
      version(version, replicas);
      apps.put(version, command);
      return this;
    }

    /** Makes an already declared version's app {@code app} (scenario files). */
    public Builder app(String version, AppSpec app) {
      if (versions.isEmpty() && version.equals("v1")) {
        versions.put("v1", 1); // the default version, as build() would declare it
      }
      Integer replicas = versions.get(version);
      if (replicas == null) {
        throw new IllegalArgumentException(
            "apps: "
                + version
                + " is not a version of service "
                + name
                + " (expected one of "
                + versions.keySet()
                + ")");
      }
      if (app instanceof AppSpec.Listening && replicas != 1) {
        throw new IllegalArgumentException(
            "apps: "
                + version
                + " has "
                + replicas
                + " replicas but one address (expected: 1 replica, or a command started per"
                + " replica)");
      }
      apps.put(version, app);
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

    /**
     * Adds another port of the Service after {@link #port} (a Kubernetes Service with several
     * {@code ports}): its name, whose prefix is its protocol, and number. Several ports are all TCP
     * or all HTTP / HTTP2; each instance answers on each.
     */
    public Builder alsoPort(String portName, int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
      }
      if (portName == null || portName.isEmpty()) {
        throw new IllegalArgumentException(
            "name: " + portName + " (expected: e.g. http-alt, http2, tcp-other)");
      }
      morePorts.add(new Port(portName, port));
      return this;
    }

    ServiceSpec build() {
      if (versions.isEmpty()) {
        versions.put("v1", 1);
      }
      return new ServiceSpec(name, port, versions, portName, Map.of(), apps, morePorts);
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
