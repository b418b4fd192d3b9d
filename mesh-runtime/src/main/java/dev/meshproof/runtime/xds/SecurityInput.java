package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.policy.authn.PeerAuthenticationScope;
import dev.meshproof.runtime.security.SpiffeId;
import dev.meshproof.runtime.security.WorkloadCertificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The security part of one proxy's translation: whether the mesh has a CA, the proxy's own workload
 * certificate and the root (its SDS secrets {@code default} and {@code ROOTCA}), every workload's
 * SPIFFE identity (for the SANs a caller expects), the PeerAuthentications oldest first, whether
 * auto mTLS is on, the AuthorizationPolicies and RequestAuthentications oldest first, and the JWKS
 * the control plane fetched for the latter ({@link JwksResolver}), and the MeshConfig {@code
 * extensionProviders} CUSTOM policies name. {@link #NONE} is a mesh without a CA: no TLS anywhere.
 *
 * @param identities by {@code <namespace>/<workload>}
 */
public record SecurityInput(
    boolean enabled,
    String trustDomain,
    Optional<WorkloadCertificate> certificate,
    String rootPem,
    Map<String, SpiffeId> identities,
    List<PeerAuthenticationScope> peerAuthentications,
    boolean autoMtls,
    List<dev.meshproof.runtime.config.AuthorizationPolicy> authorizationPolicies,
    List<dev.meshproof.runtime.config.RequestAuthentication> requestAuthentications,
    Map<String, String> fetchedJwks,
    List<dev.meshproof.runtime.config.ExtensionProvider> extensionProviders) {

  public static final SecurityInput NONE =
      new SecurityInput(
          false,
          SpiffeId.DEFAULT_TRUST_DOMAIN,
          Optional.empty(),
          "",
          Map.of(),
          List.of(),
          false,
          List.of(),
          List.of(),
          Map.of(),
          List.of());

  public SecurityInput {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(rootPem, "rootPem");
    identities = Map.copyOf(identities);
    peerAuthentications = List.copyOf(peerAuthentications);
    authorizationPolicies = List.copyOf(authorizationPolicies);
    requestAuthentications = List.copyOf(requestAuthentications);
    fetchedJwks = Map.copyOf(fetchedJwks);
    extensionProviders = List.copyOf(extensionProviders);
  }

  /** The identity of {@code workload} in {@code namespace}, if registered. */
  Optional<SpiffeId> identityOf(String namespace, String workload) {
    return Optional.ofNullable(identities.get(namespace + "/" + workload));
  }
}
