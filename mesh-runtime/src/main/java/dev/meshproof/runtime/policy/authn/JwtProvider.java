package dev.meshproof.runtime.policy.authn;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code jwtRules} entry of a RequestAuthentication as istiod hands it to Envoy's jwt_authn
 * filter ({@code pilot/pkg/security/authn/policy_applier.go}, {@code convertToEnvoyJwtConfig}): the
 * issuer, the audiences a token must name one of (none: not checked), the JWKS as JSON (a {@code
 * jwksUri} is fetched by istiod and inlined, as here), where the token is read from (nothing
 * declared: {@code Authorization: Bearer} then the {@code access_token} query parameter, Envoy's
 * default; cookies too), whether the token is forwarded upstream, and the headers the verified
 * payload or claims are written to. An empty issuer accepts any {@code iss} (Envoy's {@code issuer}
 * is optional).
 *
 * @param outputClaimToHeaders header name to claim name ({@code outputClaimToHeaders})
 */
public record JwtProvider(
    String issuer,
    List<String> audiences,
    String jwks,
    List<JwtHeaderLocation> fromHeaders,
    List<String> fromParams,
    boolean forwardOriginalToken,
    Optional<String> outputPayloadToHeader,
    Map<String, String> outputClaimToHeaders,
    List<String> fromCookies) {

  /** Envoy's default token location when neither headers nor parameters are declared. */
  static final JwtHeaderLocation DEFAULT_HEADER = new JwtHeaderLocation("authorization", "Bearer ");

  /** Envoy's default query parameter. */
  static final String DEFAULT_PARAM = "access_token";

  public JwtProvider {
    Objects.requireNonNull(issuer, "issuer");
    audiences = List.copyOf(audiences);
    Objects.requireNonNull(jwks, "jwks");
    fromHeaders = List.copyOf(fromHeaders);
    fromParams = List.copyOf(fromParams);
    Objects.requireNonNull(outputPayloadToHeader, "outputPayloadToHeader");
    outputClaimToHeaders = Map.copyOf(outputClaimToHeaders);
    fromCookies = List.copyOf(fromCookies);
  }

  /** A provider reading no cookies. */
  public JwtProvider(
      String issuer,
      List<String> audiences,
      String jwks,
      List<JwtHeaderLocation> fromHeaders,
      List<String> fromParams,
      boolean forwardOriginalToken,
      Optional<String> outputPayloadToHeader,
      Map<String, String> outputClaimToHeaders) {
    this(
        issuer,
        audiences,
        jwks,
        fromHeaders,
        fromParams,
        forwardOriginalToken,
        outputPayloadToHeader,
        outputClaimToHeaders,
        List.of());
  }

  /** A provider with the default token locations and no outputs. */
  public static JwtProvider of(String issuer, List<String> audiences, String jwks) {
    return new JwtProvider(
        issuer,
        audiences,
        jwks,
        List.of(),
        List.of(),
        false,
        Optional.empty(),
        Map.of(),
        List.of());
  }

  /** The headers the token is read from, Envoy's default when nothing is declared. */
  List<JwtHeaderLocation> headerLocations() {
    return noLocation() ? List.of(DEFAULT_HEADER) : fromHeaders;
  }

  /** The query parameters the token is read from, Envoy's default when nothing is declared. */
  List<String> paramLocations() {
    return noLocation() ? List.of(DEFAULT_PARAM) : fromParams;
  }

  /** Envoy's defaults apply only when no header, parameter or cookie is declared. */
  private boolean noLocation() {
    return fromHeaders.isEmpty() && fromParams.isEmpty() && fromCookies.isEmpty();
  }
}
