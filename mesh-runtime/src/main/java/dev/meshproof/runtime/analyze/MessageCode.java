package dev.meshproof.runtime.analyze;

/**
 * The analyzer's message codes: Istio's own ({@code ISTnnnn}, name and level as Istio's {@code
 * pkg/config/analysis/msg/messages.yaml}, copied in the test resources,
 * istio-analyzer/message-codes.tsv) where Istio has one, stable Meshproof codes ({@code MPnnnn})
 * otherwise. A code is never renumbered or reused.
 */
public enum MessageCode {
  /** A document the analyzer cannot read: not YAML, or without {@code kind} / {@code metadata}. */
  INVALID_DOCUMENT("MP0001", "InvalidDocument", Level.ERROR),
  /** A referenced host, subset or port does not exist (Istio IST0101). */
  REFERENCED_RESOURCE_NOT_FOUND("IST0101", "ReferencedResourceNotFound", Level.ERROR),
  /** A destination without a port on a service with several ports (Istio IST0112). */
  VIRTUAL_SERVICE_DESTINATION_PORT_SELECTOR_REQUIRED(
      "IST0112", "VirtualServiceDestinationPortSelectorRequired", Level.ERROR),
  /** A Service port whose name does not say its protocol (Istio IST0118). */
  PORT_NAME_IS_NOT_UNDER_NAMING_CONVENTION(
      "IST0118", "PortNameIsNotUnderNamingConvention", Level.INFO),
  /** DestinationRule TLS without {@code caCertificates}: the server is not verified (IST0128). */
  NO_SERVER_CERTIFICATE_VERIFICATION_DESTINATION_LEVEL(
      "IST0128", "NoServerCertificateVerificationDestinationLevel", Level.WARNING),
  /** The same, in a {@code portLevelSettings} entry (Istio IST0129). */
  NO_SERVER_CERTIFICATE_VERIFICATION_PORT_LEVEL(
      "IST0129", "NoServerCertificateVerificationPortLevel", Level.WARNING),
  /** Two Sidecars with workload selectors select the same pod (Istio IST0110). */
  CONFLICTING_SIDECAR_WORKLOAD_SELECTORS(
      "IST0110", "ConflictingSidecarWorkloadSelectors", Level.ERROR),
  /** Two Sidecars without workload selector in one namespace (Istio IST0111). */
  MULTIPLE_SIDECARS_WITHOUT_WORKLOAD_SELECTORS(
      "IST0111", "MultipleSidecarsWithoutWorkloadSelectors", Level.ERROR),
  /** A VirtualService rule no request can reach (Istio IST0130). */
  VIRTUAL_SERVICE_UNREACHABLE_RULE("IST0130", "VirtualServiceUnreachableRule", Level.WARNING),
  /** A match an earlier match already covers (Istio IST0131). */
  VIRTUAL_SERVICE_INEFFECTIVE_MATCH("IST0131", "VirtualServiceIneffectiveMatch", Level.INFO),
  /** A policy that has no effect where it applies, e.g. a Sidecar in ambient mode (IST0167). */
  INEFFECTIVE_POLICY("IST0167", "IneffectivePolicy", Level.WARNING),
  /** A ServiceEntry with a TCP (or unset) protocol port and no addresses (Istio IST0134). */
  SERVICE_ENTRY_ADDRESSES_REQUIRED("IST0134", "ServiceEntryAddressesRequired", Level.WARNING),
  /** A DestinationRule subset that selects no pod (Istio IST0173). */
  DESTINATION_RULE_SUBSET_NOT_SELECT_PODS(
      "IST0173", "DestinationRuleSubsetNotSelectPods", Level.ERROR),
  /** A DestinationRule host that matches no service (Istio IST0174). */
  UNKNOWN_DESTINATION_RULE_HOST("IST0174", "UnknownDestinationRuleHost", Level.WARNING),
  /** ServiceEntries giving one host and port different protocols (Istio IST0177). */
  CONFLICTING_SERVICE_ENTRY_PROTOCOL("IST0177", "ConflictingServiceEntryProtocol", Level.WARNING),
  /** None of a VirtualService's hosts is a host of a Gateway it is bound to (Istio IST0132). */
  VIRTUAL_SERVICE_HOST_NOT_FOUND_IN_GATEWAY(
      "IST0132", "VirtualServiceHostNotFoundInGateway", Level.WARNING),
  /** Two Gateways select one workload on one port with a common host (Istio IST0145). */
  CONFLICTING_GATEWAYS("IST0145", "ConflictingGateways", Level.ERROR),
  /** An AuthorizationPolicy (or RequestAuthentication) that selects no workload (IST0127). */
  NO_MATCHING_WORKLOADS_FOUND("IST0127", "NoMatchingWorkloadsFound", Level.WARNING),
  /**
   * A Gateway server port that no Kubernetes Service selecting the Gateway's pods exposes (Istio
   * IST0162).
   */
  GATEWAY_PORT_NOT_DEFINED_ON_SERVICE("IST0162", "GatewayPortNotDefinedOnService", Level.WARNING);

  /** How serious a finding is; an {@link #ERROR} stops a scenario before it runs. */
  public enum Level {
    ERROR("Error"),
    WARNING("Warning"),
    INFO("Info");

    private final String label;

    Level(String label) {
      this.label = label;
    }

    /** Istio's spelling: {@code Error}, {@code Warning}, {@code Info}. */
    public String label() {
      return label;
    }
  }

  private final String code;
  private final String istioName;
  private final Level level;

  MessageCode(String code, String istioName, Level level) {
    this.code = code;
    this.istioName = istioName;
    this.level = level;
  }

  /** {@code IST0101} or {@code MP0001}. */
  public String code() {
    return code;
  }

  /** The message's name in Istio's catalogue, e.g. {@code ReferencedResourceNotFound}. */
  public String istioName() {
    return istioName;
  }

  public Level level() {
    return level;
  }
}
