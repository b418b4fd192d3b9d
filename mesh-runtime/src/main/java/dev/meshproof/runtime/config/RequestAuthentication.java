package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;

/**
 * Istio's <a
 * href="https://istio.io/latest/docs/reference/config/security/request_authentication/">RequestAuthentication</a>:
 * the JWT issuers the selected workloads accept. Parsed and validated; not simulated yet (rejected
 * as not supported).
 */
public record RequestAuthentication(
    ResourceMeta meta, Map<String, String> selector, List<JwtRule> jwtRules)
    implements IstioResource {

  public RequestAuthentication {
    selector = Map.copyOf(selector);
    jwtRules = List.copyOf(jwtRules);
  }

  @Override
  public RequestAuthentication withMeta(ResourceMeta newMeta) {
    return new RequestAuthentication(newMeta, selector, jwtRules);
  }

  /** One {@code jwtRules} entry. */
  public record JwtRule(String issuer, List<String> audiences, String jwksUri) {
    public JwtRule {
      audiences = List.copyOf(audiences);
    }
  }
}
