package dev.meshproof.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's <a
 * href="https://istio.io/latest/docs/reference/config/security/request_authentication/">RequestAuthentication</a>:
 * the JWT issuers the selected workloads accept, translated into the inbound listener's {@code
 * envoy.filters.http.jwt_authn} filter ({@code xds.JwtAuthnBuilder}). {@code targetRef(s)} (Gateway
 * API and waypoint attachment) is refused as not supported.
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

  /**
   * One {@code jwtRules} entry, as the API spells it.
   *
   * @param jwks the inline JWKS ({@code ""}: none)
   * @param jwksUri where istiod fetches the JWKS from ({@code ""}: none; with no {@code jwks}
   *     either, the issuer's OpenID discovery document names it)
   * @param outputPayloadToHeader {@code ""}: none
   * @param timeout the JWKS fetch timeout, istiod's default 5 s when absent
   */
  public record JwtRule(
      String issuer,
      List<String> audiences,
      String jwks,
      String jwksUri,
      List<HeaderLocation> fromHeaders,
      List<String> fromParams,
      List<String> fromCookies,
      boolean forwardOriginalToken,
      String outputPayloadToHeader,
      List<ClaimToHeader> outputClaimToHeaders,
      Optional<Duration> timeout) {
    public JwtRule {
      audiences = List.copyOf(audiences);
      fromHeaders = List.copyOf(fromHeaders);
      fromParams = List.copyOf(fromParams);
      fromCookies = List.copyOf(fromCookies);
      outputClaimToHeaders = List.copyOf(outputClaimToHeaders);
    }

    /** A rule with an issuer, audiences and a JWKS URI, every other field at its default. */
    public JwtRule(String issuer, List<String> audiences, String jwksUri) {
      this(
          issuer,
          audiences,
          "",
          jwksUri,
          List.of(),
          List.of(),
          List.of(),
          false,
          "",
          List.of(),
          Optional.empty());
    }
  }

  /** A {@code fromHeaders} entry: the header and the prefix its value starts with. */
  public record HeaderLocation(String name, String prefix) {}

  /** An {@code outputClaimToHeaders} entry. */
  public record ClaimToHeader(String header, String claim) {}
}
