package dev.meshproof.runtime;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * One workload instance to deploy into the mesh, like a pod: its name, namespace, labels ({@code
 * app}, {@code version}, ...), and, when it serves, the service it belongs to, the service's ports
 * and where its app listens for each. A workload without a service is a client only.
 */
public final class WorkloadSpec {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private final String name;
  private final String namespace;
  private final Map<String, String> labels;
  private final Optional<String> service;
  private final OptionalInt servicePort;
  private final Optional<InetSocketAddress> app;
  private final String serviceAccount;
  private final String portName;
  private final Optional<String> appProtocol;
  private final java.util.List<Integer> gatewayPorts;
  private final java.util.List<String> exportTo;
  private final java.util.SortedMap<Integer, Integer> gatewayServicePorts;
  private final java.util.List<ServicePort> morePorts;

  /**
   * One port of the served Kubernetes Service: its name (whose prefix, unless {@code appProtocol}
   * is set, is the protocol Istio gives it), its number, and where the app listens for it (the
   * port's {@code targetPort} on the pod).
   */
  public record ServicePort(
      String name, int port, InetSocketAddress app, Optional<String> appProtocol) {

    public ServicePort {
      java.util.Objects.requireNonNull(name, "name");
      java.util.Objects.requireNonNull(app, "app");
      java.util.Objects.requireNonNull(appProtocol, "appProtocol");
    }

    /** The port's protocol as Istio derives it from its appProtocol or name. */
    public dev.meshproof.runtime.registry.ServiceProtocol protocol() {
      return dev.meshproof.runtime.registry.ServiceProtocol.ofPort(name, appProtocol);
    }
  }

  private WorkloadSpec(Builder b) {
    this.gatewayServicePorts =
        java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(b.gatewayServicePorts));
    this.portName = b.portName;
    this.appProtocol = Optional.ofNullable(b.appProtocol);
    this.gatewayPorts = java.util.List.copyOf(b.gatewayPorts);
    this.exportTo = java.util.List.copyOf(b.exportTo);
    this.serviceAccount = b.serviceAccount;
    this.name = b.name;
    this.namespace = b.namespace;
    this.labels = Map.copyOf(b.labels);
    this.service = Optional.ofNullable(b.service);
    this.servicePort = b.service == null ? OptionalInt.empty() : OptionalInt.of(b.servicePort);
    this.app = Optional.ofNullable(b.app);
    this.morePorts = java.util.List.copyOf(b.morePorts);
  }

  /**
   * Every port of the served Service in declaration order: the first is {@link #servicePort()},
   * {@link #portName()}, {@link #appProtocol()} and {@link #app()}; empty for a client.
   */
  public java.util.List<ServicePort> servicePorts() {
    if (service.isEmpty()) {
      return java.util.List.of();
    }
    java.util.List<ServicePort> ports = new java.util.ArrayList<>();
    ports.add(new ServicePort(portName, servicePort.getAsInt(), app.orElseThrow(), appProtocol));
    ports.addAll(morePorts);
    return java.util.List.copyOf(ports);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * The {@code istio-ingressgateway} Service of Istio's demo profile, which the samples and tasks
   * (Bookinfo, tcp-echo) are written for ({@code
   * manifests/charts/gateways/istio-ingress/files/profile-demo.yaml}): Service port to the pod's
   * target port, {@code http2} 80 to 8080, {@code https} 443 to 8443, {@code tcp} 31400 and {@code
   * tls} 15443 as they are (the status port 15021 serves no Gateway).
   */
  public static final java.util.SortedMap<Integer, Integer> INGRESS_GATEWAY_SERVICE_PORTS =
      java.util.Collections.unmodifiableSortedMap(
          new java.util.TreeMap<>(Map.of(80, 8080, 443, 8443, 31400, 31400, 15443, 15443)));

  /**
   * The ingress gateway of Istio's default install and samples: pod {@code istio-ingressgateway} in
   * {@code istio-system}, labels {@code istio: ingressgateway} and {@code app:
   * istio-ingressgateway} (what Gateways' {@code selector: {istio: ingressgateway}} select), behind
   * the Service {@link #INGRESS_GATEWAY_SERVICE_PORTS}: the pod listens on the target ports 8080,
   * 8443, 31400 and 15443.
   */
  public static Builder ingressGateway() {
    Builder b =
        new Builder("istio-ingressgateway")
            .namespace("istio-system")
            .label("istio", "ingressgateway")
            .label("app", "istio-ingressgateway")
            .serviceAccount("istio-ingressgateway-service-account");
    INGRESS_GATEWAY_SERVICE_PORTS.forEach(b::gatewayServicePort);
    return b;
  }

  public String name() {
    return name;
  }

  public String namespace() {
    return namespace;
  }

  public Map<String, String> labels() {
    return labels;
  }

  public Optional<String> service() {
    return service;
  }

  public OptionalInt servicePort() {
    return servicePort;
  }

  public Optional<InetSocketAddress> app() {
    return app;
  }

  /**
   * The pod ports this workload listens on as an ingress gateway (one loopback listener each, for
   * the Gateway servers that resolve to it); empty for a workload with a sidecar.
   */
  public java.util.List<Integer> gatewayPorts() {
    return gatewayPorts;
  }

  /**
   * The gateway's Kubernetes Service, port to target port (a pod port of {@link #gatewayPorts}):
   * how istiod's {@code resolvePorts} (pilot/pkg/model/gateway.go) turns a Gateway server port into
   * the port the listener binds, and how a client outside reaches the pod. Empty for a gateway
   * reached at its pod ports directly.
   */
  public java.util.SortedMap<Integer, Integer> gatewayServicePorts() {
    return gatewayServicePorts;
  }

  /**
   * The pod port a client outside the mesh reaches through the gateway's Service port {@code port};
   * without a Service, {@code port} itself.
   *
   * @throws IllegalArgumentException when the Service has no such port
   */
  public int gatewayPodPort(int port) {
    if (gatewayServicePorts.isEmpty()) {
      return port;
    }
    Integer target = gatewayServicePorts.get(port);
    if (target == null) {
      throw new IllegalArgumentException(
          "port: "
              + port
              + " (expected: a port of the Service "
              + namespace
              + "/"
              + name
              + ": "
              + gatewayServicePorts.keySet()
              + ")");
    }
    return target;
  }

  /** True for an ingress gateway workload ({@link Builder#gatewayPorts}). */
  public boolean isGateway() {
    return !gatewayPorts.isEmpty();
  }

  /** The Kubernetes service account the pod runs as: its SPIFFE identity's {@code sa}. */
  public String serviceAccount() {
    return serviceAccount;
  }

  /**
   * Where the served Kubernetes Service is visible: its {@code networking.istio.io/exportTo}
   * annotation ({@code .}, {@code *}, {@code ~}, namespaces); empty: everywhere (MeshConfig's
   * default {@code defaultServiceExportTo}).
   */
  public java.util.List<String> exportTo() {
    return exportTo;
  }

  /** The service port's name; {@code http} unless set. */
  public String portName() {
    return portName;
  }

  /** The service port's {@code appProtocol}, if set. */
  public Optional<String> appProtocol() {
    return appProtocol;
  }

  /** The service port's protocol as Istio derives it from its appProtocol or name. */
  public dev.meshproof.runtime.registry.ServiceProtocol protocol() {
    return dev.meshproof.runtime.registry.ServiceProtocol.ofPort(portName, appProtocol);
  }

  /** Builds a {@link WorkloadSpec}; {@link #build()} checks that a serving workload has an app. */
  public static final class Builder {
    private final String name;
    private String namespace = "default";
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String service;
    private int servicePort;
    private InetSocketAddress app;
    private String serviceAccount = "default";
    private String portName = "http";
    private String appProtocol;
    private final java.util.Set<Integer> gatewayPorts = new java.util.TreeSet<>();
    private final java.util.List<String> exportTo = new java.util.ArrayList<>();
    private final Map<Integer, Integer> gatewayServicePorts = new java.util.TreeMap<>();
    private final java.util.List<ServicePort> morePorts = new java.util.ArrayList<>();

    /**
     * The protocol of the served port, as a port name Istio reads as that protocol (e.g. {@code
     * tcp}); {@link #portName} says the same with a name of one's own.
     */
    public Builder protocol(dev.meshproof.runtime.registry.ServiceProtocol protocol) {
      java.util.Objects.requireNonNull(protocol, "protocol");
      this.portName = protocol.istioName().toLowerCase(java.util.Locale.ROOT);
      return this;
    }

    private Builder(String name) {
      this.name = dnsLabel("name", name);
    }

    public Builder namespace(String namespace) {
      this.namespace = dnsLabel("namespace", namespace);
      return this;
    }

    public Builder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    /**
     * Makes this workload an instance of {@code service} on {@code port}, its app at {@code app}.
     */
    public Builder serves(String service, int port, InetSocketAddress app) {
      this.service = dnsLabel("service", service);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
      }
      if (!app.getAddress().isLoopbackAddress()) {
        throw new IllegalArgumentException("app: " + app + " (expected: a loopback address)");
      }
      this.servicePort = port;
      this.app = app;
      return this;
    }

    /**
     * Adds another port of the served Service (after the one {@link #serves} names): a Kubernetes
     * Service with several {@code ports}, the app listening at {@code app} for this one. Each port
     * gets its own inbound listener and cluster ({@code inbound|<port>||}) and its own endpoint in
     * the registry, as istiod gives a pod one instance per Service port.
     */
    public Builder alsoServes(String portName, int port, InetSocketAddress app) {
      if (portName == null || portName.isEmpty()) {
        throw new IllegalArgumentException(
            "portName: " + portName + " (expected: e.g. http, tcp, tcp-other, grpc-echo)");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
      }
      if (!app.getAddress().isLoopbackAddress()) {
        throw new IllegalArgumentException("app: " + app + " (expected: a loopback address)");
      }
      morePorts.add(new ServicePort(portName, port, app, Optional.empty()));
      return this;
    }

    /**
     * The service port's name, whose prefix gives Istio the port's protocol ({@code grpc}, {@code
     * http2}, {@code http-web}); default {@code http}.
     */
    public Builder portName(String portName) {
      if (portName == null || portName.isEmpty()) {
        throw new IllegalArgumentException(
            "portName: " + portName + " (expected: e.g. http, http2, grpc, grpc-echo)");
      }
      this.portName = portName;
      return this;
    }

    /** The service port's {@code appProtocol}, which wins over its name (e.g. {@code grpc}). */
    public Builder appProtocol(String appProtocol) {
      this.appProtocol = appProtocol;
      return this;
    }

    /**
     * Makes this workload an ingress gateway (istiod's {@code router} proxy, no sidecar): it serves
     * the Gateways whose {@code selector} matches its labels, one listener per given Gateway server
     * port (a server on another port has no listener here, as a port the gateway's pod does not
     * expose is unreachable).
     */
    public Builder gatewayPorts(int... ports) {
      if (ports.length == 0) {
        throw new IllegalArgumentException("gatewayPorts: [] (expected: at least one port)");
      }
      for (int port : ports) {
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException("gatewayPorts: " + port + " (expected: 1-65535)");
        }
        gatewayPorts.add(port);
      }
      return this;
    }

    /**
     * The served Service's {@code networking.istio.io/exportTo} annotation, one entry per value
     * ({@code .} its namespace, {@code *} all, {@code ~} none, or a namespace), as istiod's {@code
     * kube.ConvertService} reads it; none: everywhere.
     */
    public Builder exportTo(String... namespaces) {
      for (String entry : namespaces) {
        if (!entry.equals(".") && !entry.equals("*") && !entry.equals("~")) {
          dnsLabel("exportTo", entry);
        }
        exportTo.add(entry);
      }
      return this;
    }

    /**
     * Puts the gateway behind a Service port {@code port} whose {@code targetPort} is the pod port
     * {@code targetPort}, which becomes one of its {@link #gatewayPorts}.
     */
    public Builder gatewayServicePort(int port, int targetPort) {
      gatewayPorts(targetPort);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("gatewayServicePort: " + port + " (expected: 1-65535)");
      }
      gatewayServicePorts.put(port, targetPort);
      return this;
    }

    /** The service account the pod runs as; default {@code default}, as in Kubernetes. */
    public Builder serviceAccount(String serviceAccount) {
      this.serviceAccount = dnsLabel("serviceAccount", serviceAccount);
      return this;
    }

    public WorkloadSpec build() {
      if (service != null && !gatewayPorts.isEmpty()) {
        throw new IllegalArgumentException(
            "gatewayPorts: "
                + gatewayPorts
                + " (expected: none on a workload that serves a service; a gateway is a proxy"
                + " without an app)");
      }
      if (service == null && !morePorts.isEmpty()) {
        throw new IllegalArgumentException(
            "alsoServes: "
                + morePorts.stream().map(ServicePort::port).toList()
                + " (expected: serves(..) to name the Service first)");
      }
      if (service != null) {
        java.util.Set<Integer> numbers = new java.util.HashSet<>(java.util.List.of(servicePort));
        java.util.Set<String> names = new java.util.HashSet<>(java.util.List.of(portName));
        for (ServicePort more : morePorts) {
          // Kubernetes rejects a Service whose ports repeat a number or a name.
          if (!numbers.add(more.port()) || !names.add(more.name())) {
            throw new IllegalArgumentException(
                "alsoServes: "
                    + more.name()
                    + " "
                    + more.port()
                    + " (expected: a port number and name the Service does not have yet)");
          }
        }
        labels.putIfAbsent("app", service);
      }
      return new WorkloadSpec(this);
    }

    private static String dnsLabel(String field, String value) {
      if (value == null || !DNS_LABEL.matcher(value).matches() || value.length() > 63) {
        throw new IllegalArgumentException(
            field
                + ": "
                + value
                + " (expected: a DNS-1123 label, lower-case letters, digits and '-')");
      }
      return value;
    }
  }
}
