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
}
