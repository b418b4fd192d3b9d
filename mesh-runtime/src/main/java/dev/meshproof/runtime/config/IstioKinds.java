package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The table of Istio kinds the mesh accepts: kind, API versions, parser and the type the config
 * store is queried by. Adding a kind (Gateway, ServiceEntry, PeerAuthentication) is one entry here
 * plus its spec parser and record; the YAML parser's messages list the supported kinds from this
 * table.
 */
public final class IstioKinds {
  private static final List<String> NETWORKING_VERSIONS = List.of("v1", "v1beta1", "v1alpha3");

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
   * <a href="https://istio.io/latest/docs/reference/config/security/peer_authentication/">Docs</a>.
   */
  public static final IstioKind<PeerAuthentication> PEER_AUTHENTICATION =
      new IstioKind<>(
          "security.istio.io",
          List.of("v1", "v1beta1"),
          "PeerAuthentication",
          PeerAuthentication.class,
          PeerAuthenticationParser::parse);

  /** Every supported kind, in the order messages list them. */
  public static final List<IstioKind<?>> ALL =
      List.of(VIRTUAL_SERVICE, DESTINATION_RULE, PEER_AUTHENTICATION);

  private IstioKinds() {}

  /** The kind whose {@code kind} field is {@code kind}, if supported. */
  public static Optional<IstioKind<?>> byKind(String kind) {
    return ALL.stream().filter(k -> k.kind().equals(kind)).findFirst();
  }

  /** The supported kinds for messages: {@code VirtualService, DestinationRule}. */
  public static String names() {
    return ALL.stream().map(IstioKind::kind).collect(Collectors.joining(", "));
  }
}
