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
      "IST0129", "NoServerCertificateVerificationPortLevel", Level.WARNING);

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
