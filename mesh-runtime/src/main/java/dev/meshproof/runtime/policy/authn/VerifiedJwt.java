package dev.meshproof.runtime.policy.authn;

import java.util.Map;

/**
 * A token that passed verification: its issuer, subject and claims (JSON values as nimbus parses
 * them: String, Number, Boolean, List, Map).
 */
public record VerifiedJwt(String issuer, String subject, Map<String, Object> claims) {
  public VerifiedJwt {
    claims = Map.copyOf(claims);
  }

  /**
   * Istio's request principal, {@code iss/sub}, that AuthorizationPolicy {@code requestPrincipals}
   * match (istio_authn's {@code request.auth.principal}).
   */
  public String requestPrincipal() {
    return issuer + "/" + subject;
  }

  /**
   * The payload as jwt_authn writes it to dynamic metadata with {@code
   * normalize_payload_in_metadata}: each of {@code spaceDelimited} that is a string becomes the
   * list of its space-separated words (Envoy's {@code space_delimited_claims}).
   */
  public Map<String, Object> metadataPayload(java.util.Collection<String> spaceDelimited) {
    Map<String, Object> out = new java.util.LinkedHashMap<>(claims);
    for (String claim : spaceDelimited) {
      if (out.get(claim) instanceof String text) {
        out.put(claim, java.util.Arrays.stream(text.split(" ")).filter(w -> !w.isEmpty()).toList());
      }
    }
    return out;
  }
}
