package dev.meshproof.runtime.policy.authn;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What the jwt_authn filter does with one request. */
public sealed interface JwtAuthnDecision {

  /**
   * The request goes on: with the verified token (empty when none was presented, which
   * RequestAuthentication allows), the headers to set (payload and claim outputs) and to remove
   * (the token's header when it is not forwarded).
   */
  record Passed(
      Optional<VerifiedJwt> jwt, Map<String, String> headersToSet, Set<String> headersToRemove)
      implements JwtAuthnDecision {
    public Passed {
      headersToSet = Map.copyOf(headersToSet);
      headersToRemove = Set.copyOf(headersToRemove);
    }
  }

  /**
   * A local reply: 401 (403 for a disallowed audience), Envoy's status text as body and its {@code
   * WWW-Authenticate} header.
   */
  record Rejected(int status, String body, String wwwAuthenticate) implements JwtAuthnDecision {}
}
