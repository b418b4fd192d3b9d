package dev.meshproof.runtime.config;

import dev.meshproof.runtime.config.IstioKind.Support;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The table of resource kinds the parser knows: kind, API versions, parser, the type the config
 * store is queried by, and how far the mesh simulates it ({@link IstioKind.Support}). Adding a kind
 * is one entry here plus its spec parser and record; the YAML parser's messages list the kinds from
 * this table. A public data table: other packages (the analyzer, reports) read it as is.
 */
public final class IstioKinds {
  private static final List<String> NETWORKING_VERSIONS = List.of("v1", "v1beta1", "v1alpha3");
  private static final List<String> SECURITY_VERSIONS = List.of("v1", "v1beta1");

  /**
   * <a href="https://istio.io/latest/docs/reference/config/networking/virtual-service/">Docs</a>.
   */
  public static final IstioKind<VirtualService> VIRTUAL_SERVICE =
      new IstioKind<>(
          "networking.istio.io",
          NETWORKING_VERSIONS,
          "VirtualService",
          VirtualService.class,
          VirtualServiceParser::parse);

  /**
   * <a href="https://istio.io/latest/docs/reference/config/networking/destination-rule/">Docs</a>.
   */
  public static final IstioKind<DestinationRule> DESTINATION_RULE =
      new IstioKind<>(
          "networking.istio.io",
          NETWORKING_VERSIONS,
          "DestinationRule",
          DestinationRule.class,
          DestinationRuleParser::parse);

  /**
   * <a href="https://istio.io/latest/docs/reference/config/networking/service-entry/">Docs</a>.
   * Resolution STATIC with HTTP ports and loopback endpoints (inline or WorkloadEntries by
   * selector) is translated; other values are rejected as not supported yet.
   */
  public static final IstioKind<ServiceEntry> SERVICE_ENTRY =
      new IstioKind<>(
          "networking.istio.io",
          NETWORKING_VERSIONS,
          "ServiceEntry",
          ServiceEntry.class,
          ServiceEntryParser::parseServiceEntry);

  /**
   * <a href="https://istio.io/latest/docs/reference/config/networking/workload-entry/">Docs</a>. A
   * loopback address with labels and named ports, selected by ServiceEntries.
   */
  public static final IstioKind<WorkloadEntry> WORKLOAD_ENTRY =
      new IstioKind<>(
          "networking.istio.io",
          NETWORKING_VERSIONS,
          "WorkloadEntry",
          WorkloadEntry.class,
          ServiceEntryParser::parseWorkloadEntry);

  /**
   * <a href="https://istio.io/latest/docs/reference/config/networking/gateway/">Docs</a>. Plain
   * HTTP servers are served by ingress gateway workloads ({@code
   * dev.meshproof.runtime.WorkloadSpec#ingressGateway()}); TLS and non-HTTP servers are validated,
   * then rejected as not supported yet.
   */
  public static final IstioKind<Gateway> GATEWAY =
      new IstioKind<>(
          "networking.istio.io",
          NETWORKING_VERSIONS,
          "Gateway",
          Gateway.class,
          GatewayParser::parse);

  /**
   * <a href="https://istio.io/latest/docs/reference/config/networking/sidecar/">Docs</a>. Egress
   * host scoping ({@code egress[].hosts}, by workload selector) is translated; ports, ingress and
   * outboundTrafficPolicy are rejected as not supported yet.
   */
  public static final IstioKind<Sidecar> SIDECAR =
      new IstioKind<>(
          "networking.istio.io",
          NETWORKING_VERSIONS,
          "Sidecar",
          Sidecar.class,
          SidecarParser::parse);

  /**
   * <a href="https://istio.io/latest/docs/reference/config/security/peer_authentication/">Docs</a>.
   * Simulated in a mesh with a CA ({@code Mesh.builder().security(...)}): auto mTLS and the inbound
   * mode by PeerAuthentication precedence; a mesh without a CA rejects it.
   */
  public static final IstioKind<PeerAuthentication> PEER_AUTHENTICATION =
      new IstioKind<>(
          "security.istio.io",
          SECURITY_VERSIONS,
          "PeerAuthentication",
          PeerAuthentication.class,
          PeerAuthenticationParser::parse);

  /**
   * <a
   * href="https://istio.io/latest/docs/reference/config/security/authorization-policy/">Docs</a>:
   * RBAC filters on the inbound listener ({@code xds.RbacFilterBuilder}; CUSTOM as ext_authz,
   * {@code xds.ExtAuthzBuilder}); a mesh without a CA rejects it, as do the fields not simulated
   * yet ({@code xds.AuthorizationModel.unsupported}).
   */
  public static final IstioKind<AuthorizationPolicy> AUTHORIZATION_POLICY =
      new IstioKind<>(
          "security.istio.io",
          SECURITY_VERSIONS,
          "AuthorizationPolicy",
          AuthorizationPolicy.class,
          SecurityParsers::authorizationPolicy);

  /**
   * <a href="https://istio.io/latest/docs/reference/config/security/request_authentication/">
   * Docs</a>: the inbound listener's jwt_authn filter ({@code xds.JwtAuthnBuilder}); like
   * AuthorizationPolicy, it needs the mesh's CA.
   */
  public static final IstioKind<RequestAuthentication> REQUEST_AUTHENTICATION =
      new IstioKind<>(
          "security.istio.io",
          SECURITY_VERSIONS,
          "RequestAuthentication",
          RequestAuthentication.class,
          SecurityParsers::requestAuthentication);

  /** Kubernetes v1 Service: a host and ports of the topology. */
  public static final IstioKind<KubernetesService> KUBERNETES_SERVICE =
      new IstioKind<>(
          "",
          List.of("v1"),
          "Service",
          KubernetesService.class,
          KubernetesParsers::service,
          Support.SIMULATED,
          true,
          Set.of());

  /** Kubernetes apps/v1 Deployment: workload instances of the topology. */
  public static final IstioKind<KubernetesDeployment> KUBERNETES_DEPLOYMENT =
      new IstioKind<>(
          "apps",
          List.of("v1"),
          "Deployment",
          KubernetesDeployment.class,
          KubernetesParsers::deployment,
          Support.SIMULATED,
          true,
          Set.of());

  /** Kubernetes v1 ServiceAccount: a workload identity of the topology. */
  public static final IstioKind<KubernetesServiceAccount> KUBERNETES_SERVICE_ACCOUNT =
      new IstioKind<>(
          "",
          List.of("v1"),
          "ServiceAccount",
          KubernetesServiceAccount.class,
          KubernetesParsers::serviceAccount,
          Support.SIMULATED,
          false,
          Set.of("automountServiceAccountToken", "imagePullSecrets", "secrets"));

  /** Kubernetes v1 Namespace. */
  public static final IstioKind<KubernetesNamespace> KUBERNETES_NAMESPACE =
      new IstioKind<>(
          "",
          List.of("v1"),
          "Namespace",
          KubernetesNamespace.class,
          KubernetesParsers::namespace,
          Support.SIMULATED,
          false,
          Set.of());

  /**
   * Kubernetes v1 Secret: the certificates a Gateway server's {@code credentialName} names, served
   * to the gateway as SDS secrets. {@code data} and {@code stringData} are read by the parser.
   */
  public static final IstioKind<KubernetesSecret> KUBERNETES_SECRET =
      new IstioKind<>(
          "",
          List.of("v1"),
          "Secret",
          KubernetesSecret.class,
          (meta, spec) -> new KubernetesSecret(meta, "Opaque", java.util.Map.of()),
          Support.SIMULATED,
          false,
          Set.of("type", "immutable"));

  /** The Istio kinds that change the xDS the mesh serves, in the order messages list them. */
  public static final List<IstioKind<?>> ALL =
      List.of(
          VIRTUAL_SERVICE,
          DESTINATION_RULE,
          SERVICE_ENTRY,
          WORKLOAD_ENTRY,
          GATEWAY,
          SIDECAR,
          PEER_AUTHENTICATION,
          AUTHORIZATION_POLICY,
          REQUEST_AUTHENTICATION);

  /** The Kubernetes kinds a scenario's topology is made of. */
  public static final List<IstioKind<?>> TOPOLOGY =
      List.of(
          KUBERNETES_SERVICE,
          KUBERNETES_DEPLOYMENT,
          KUBERNETES_SERVICE_ACCOUNT,
          KUBERNETES_NAMESPACE);

  /**
   * Kinds accepted and listed as not simulated: they do not change the HTTP routing, resilience or
   * topology the mesh proves (or, for Gateway API and cert-manager kinds, belong to another
   * controller than the sidecar mesh). Their spec is not read.
   */
  public static final List<IstioKind<NotSimulatedResource>> NOT_SIMULATED =
      List.of(
          notSimulated("networking.istio.io", NETWORKING_VERSIONS, "EnvoyFilter"),
          notSimulated("networking.istio.io", NETWORKING_VERSIONS, "WorkloadGroup"),
          notSimulated("networking.istio.io", NETWORKING_VERSIONS, "ProxyConfig"),
          notSimulated("telemetry.istio.io", List.of("v1", "v1alpha1"), "Telemetry"),
          notSimulated("extensions.istio.io", List.of("v1alpha1"), "WasmPlugin"),
          notSimulated("", List.of("v1"), "ConfigMap"),
          notSimulated("", List.of("v1"), "PersistentVolumeClaim"),
          notSimulated("", List.of("v1"), "LimitRange"),
          notSimulated("", List.of("v1"), "ResourceQuota"),
          notSimulated("apps", List.of("v1"), "StatefulSet"),
          notSimulated("apps", List.of("v1"), "DaemonSet"),
          notSimulated("batch", List.of("v1"), "Job"),
          notSimulated("batch", List.of("v1"), "CronJob"),
          notSimulated("autoscaling", List.of("v2", "v1"), "HorizontalPodAutoscaler"),
          notSimulated("policy", List.of("v1"), "PodDisruptionBudget"),
          notSimulated("networking.k8s.io", List.of("v1"), "Ingress"),
          notSimulated("networking.k8s.io", List.of("v1"), "NetworkPolicy"),
          notSimulated("rbac.authorization.k8s.io", List.of("v1"), "Role"),
          notSimulated("rbac.authorization.k8s.io", List.of("v1"), "RoleBinding"),
          notSimulated("rbac.authorization.k8s.io", List.of("v1"), "ClusterRole"),
          notSimulated("rbac.authorization.k8s.io", List.of("v1"), "ClusterRoleBinding"),
          notSimulated("apiextensions.k8s.io", List.of("v1"), "CustomResourceDefinition"),
          notSimulated("gateway.networking.k8s.io", List.of("v1", "v1beta1"), "GatewayClass"),
          notSimulated("gateway.networking.k8s.io", List.of("v1", "v1beta1"), "Gateway"),
          notSimulated("gateway.networking.k8s.io", List.of("v1", "v1beta1"), "HTTPRoute"),
          notSimulated("gateway.networking.k8s.io", List.of("v1", "v1alpha2"), "GRPCRoute"),
          notSimulated("gateway.networking.k8s.io", List.of("v1alpha2"), "TCPRoute"),
          notSimulated("gateway.networking.k8s.io", List.of("v1alpha2"), "TLSRoute"),
          notSimulated("gateway.networking.k8s.io", List.of("v1beta1"), "ReferenceGrant"),
          notSimulated("cert-manager.io", List.of("v1"), "Certificate"),
          notSimulated("cert-manager.io", List.of("v1"), "Issuer"),
          notSimulated("cert-manager.io", List.of("v1"), "ClusterIssuer"),
          notSimulated("certmanager.k8s.io", List.of("v1alpha1"), "Certificate"),
          notSimulated("certmanager.k8s.io", List.of("v1alpha1"), "Issuer"),
          notSimulated("certmanager.k8s.io", List.of("v1alpha1"), "ClusterIssuer"));

  /** Every kind the parser knows: Istio, Secret, topology, then not simulated. */
  public static final List<IstioKind<?>> KNOWN = known();

  private IstioKinds() {}

  private static List<IstioKind<?>> known() {
    List<IstioKind<?>> all = new ArrayList<>(ALL);
    // Mesh configuration, but no Istio kind: what a Gateway's credentialName names.
    all.add(KUBERNETES_SECRET);
    all.addAll(TOPOLOGY);
    all.addAll(NOT_SIMULATED);
    return List.copyOf(all);
  }

  private static <T extends IstioResource> IstioKind<T> notYetSupported(
      String group,
      List<String> versions,
      String kind,
      Class<T> type,
      IstioKind.SpecParser<T> parser) {
    return new IstioKind<>(
        group, versions, kind, type, parser, Support.NOT_YET_SUPPORTED, true, Set.of());
  }

  private static IstioKind<NotSimulatedResource> notSimulated(
      String group, List<String> versions, String kind) {
    return new IstioKind<>(
        group,
        versions,
        kind,
        NotSimulatedResource.class,
        (meta, spec) -> {
          spec.acceptAll(); // the parser replaces the placeholder with the written apiVersion
          return new NotSimulatedResource(meta, kind);
        },
        Support.NOT_SIMULATED,
        false,
        Set.of());
  }

  /** The first Istio kind whose {@code kind} field is {@code kind}, if supported. */
  public static Optional<IstioKind<?>> byKind(String kind) {
    return ALL.stream().filter(k -> k.kind().equals(kind)).findFirst();
  }

  /**
   * The known kind for {@code apiVersion} and {@code kind} ({@code Gateway} is both an Istio and a
   * Gateway API kind), if any.
   */
  public static Optional<IstioKind<?>> lookup(String apiVersion, String kind) {
    return KNOWN.stream()
        .filter(k -> k.kind().equals(kind) && k.apiVersions().contains(apiVersion))
        .findFirst();
  }

  /** The kinds named {@code kind}, whatever their API group. */
  static List<IstioKind<?>> named(String kind) {
    return KNOWN.stream().filter(k -> k.kind().equals(kind)).toList();
  }

  /** The Istio kinds for messages: {@code VirtualService, DestinationRule, ...}. */
  public static String names() {
    return ALL.stream().map(IstioKind::kind).collect(Collectors.joining(", "));
  }

  /** Every known kind for messages, Istio, topology and not simulated. */
  static String knownNames() {
    return KNOWN.stream().map(IstioKind::kind).distinct().collect(Collectors.joining(", "));
  }
}
