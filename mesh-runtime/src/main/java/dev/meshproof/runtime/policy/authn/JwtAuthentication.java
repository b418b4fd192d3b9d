package dev.meshproof.runtime.policy.authn;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The RequestAuthentication of one workload as Envoy's {@code envoy.filters.http.jwt_authn} runs it
 * with the requirement istiod writes ({@code policy_applier.go}): {@code requires_any} of every
 * provider or {@code allow_missing}. A request without a token passes (AuthorizationPolicy decides
 * whether an anonymous caller may in); a request whose token fails every provider gets Envoy's
 * local reply: 401 with jwt_verify_lib's status text ({@code getStatusString}) as body, or 403 when
 * only the audience is not allowed ({@code jwt_authn/filter.cc}, {@code onComplete}).
 *
 * <p>Checks run in the order of Envoy's {@code authenticator.cc}: format, issuer, time ({@code exp}
 * and {@code nbf} with Envoy's default 60 s clock skew), audiences, then the signature with the
 * JWKS keys matching the token's {@code kid} and algorithm family. Time comes from the caller.
 *
 * <p>Bodies, statuses, the {@code WWW-Authenticate} value and the check order were compared with
 * Envoy 1.40 answering the same tokens (bad format, header not Base64url, header not JSON, unknown
 * issuer, expired, expired within the skew, not yet valid, audience not allowed, missing): a token
 * failing both the audience and the signature gets the audience's 403.
 */
public final class JwtAuthentication {
  /** Envoy's default {@code clock_skew_seconds}. */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

  static final String BAD_FORMAT =
      "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections";
  static final String HEADER_BAD_BASE64 = "Jwt header is an invalid Base64url encoded";
  static final String HEADER_BAD_JSON = "Jwt header is an invalid JSON";
  static final String PAYLOAD_BAD_BASE64 = "Jwt payload is an invalid Base64url encoded";
  static final String PAYLOAD_BAD_JSON = "Jwt payload is an invalid JSON";
  static final String UNKNOWN_ISSUER = "Jwt issuer is not configured";
  static final String EXPIRED = "Jwt is expired";
  static final String NOT_YET_VALID = "Jwt not yet valid";
  static final String AUDIENCE_NOT_ALLOWED = "Audiences in Jwt are not allowed";
  static final String NO_MATCHING_KEY = "Jwks doesn't have key to match kid or alg from Jwt";
  static final String VERIFICATION_FAILS = "Jwt verification fails";

  private final List<JwtProvider> providers;
  private final List<JWKSet> keySets;

  /**
   * @throws IllegalArgumentException when a provider's JWKS is not a JSON Web Key Set (istiod would
   *     not push such a rule)
   */
  public JwtAuthentication(List<JwtProvider> providers) {
    this.providers = List.copyOf(providers);
    List<JWKSet> sets = new ArrayList<>();
    for (JwtProvider provider : this.providers) {
      try {
        sets.add(JWKSet.parse(provider.jwks()));
      } catch (ParseException e) {
        throw new IllegalArgumentException(
            "jwks of issuer "
                + provider.issuer()
                + " is not a JSON Web Key Set: "
                + e.getMessage());
      }
    }
    this.keySets = List.copyOf(sets);
  }

  /**
   * Authenticates {@code request} at {@code now}, the scheme of the connection given for the realm.
   */
  public JwtAuthnDecision authenticate(RequestHeaders request, String scheme, Instant now) {
    Failure failure = null;
    for (int i = 0; i < providers.size(); i++) {
      JwtProvider provider = providers.get(i);
      Optional<Token> token = extract(provider, request);
      if (token.isEmpty()) {
        continue;
      }
      Verification result = verify(provider, keySets.get(i), token.get().value(), now);
      if (result.jwt() != null) {
        return passed(provider, token.get(), result);
      }
      // requires_any reports the most telling failure: an unknown issuer only when nothing else
      if (failure == null || !result.failure().message().equals(UNKNOWN_ISSUER)) {
        failure = result.failure();
      }
    }
    if (failure == null) {
      return new JwtAuthnDecision.Passed(Optional.empty(), Map.of(), Set.of());
    }
    // Envoy's realm is the original URI, query string included (seen on Envoy 1.40)
    String realm = scheme + "://" + request.authority() + request.path();
    return new JwtAuthnDecision.Rejected(
        failure.status(),
        failure.message(),
        "Bearer realm=\"" + realm + "\", error=\"invalid_token\"");
  }

  private static JwtAuthnDecision passed(JwtProvider provider, Token token, Verification result) {
    Map<String, String> set = new LinkedHashMap<>();
    provider
        .outputPayloadToHeader()
        .ifPresent(header -> set.put(header, result.payloadBase64Url()));
    provider
        .outputClaimToHeaders()
        .forEach(
            (header, claim) -> {
              Object value = result.jwt().claims().get(claim);
              if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                set.put(header, value.toString());
              }
            });
    Set<String> remove =
        provider.forwardOriginalToken() || token.header().isEmpty()
            ? Set.of()
            : Set.of(token.header().get());
    return new JwtAuthnDecision.Passed(Optional.of(result.jwt()), set, remove);
  }

  private static Optional<Token> extract(JwtProvider provider, RequestHeaders request) {
    for (JwtHeaderLocation location : provider.headerLocations()) {
      Optional<String> value = request.first(location.name());
      if (value.isPresent() && value.get().startsWith(location.prefix())) {
        return Optional.of(
            new Token(
                value.get().substring(location.prefix().length()).trim(),
                Optional.of(location.name())));
      }
    }
    int question = request.path().indexOf('?');
    if (question >= 0) {
      for (String pair : request.path().substring(question + 1).split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        if (eq > 0 && provider.paramLocations().contains(name)) {
          return Optional.of(
              new Token(
                  URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8),
                  Optional.empty()));
        }
      }
    }
    for (String cookie : provider.fromCookies()) {
      for (String header : request.headers().getOrDefault("cookie", List.of())) {
        for (String pair : header.split(";")) {
          int eq = pair.indexOf('=');
          if (eq > 0 && pair.substring(0, eq).trim().equals(cookie)) {
            return Optional.of(new Token(pair.substring(eq + 1).trim(), Optional.empty()));
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Verification verify(JwtProvider provider, JWKSet keys, String token, Instant now) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Verification.failed(401, BAD_FORMAT);
    }
    if (!isBase64Url(parts[0])) {
      return Verification.failed(401, HEADER_BAD_BASE64);
    }
    if (!isBase64Url(parts[1])) {
      return Verification.failed(401, PAYLOAD_BAD_BASE64);
    }
    SignedJWT jwt;
    try {
      jwt =
          new SignedJWT(
              new com.nimbusds.jose.util.Base64URL(parts[0]),
              new com.nimbusds.jose.util.Base64URL(parts[1]),
              new com.nimbusds.jose.util.Base64URL(parts[2]));
    } catch (ParseException e) {
      return Verification.failed(401, HEADER_BAD_JSON);
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return Verification.failed(401, PAYLOAD_BAD_JSON);
    }
    if (!provider.issuer().isEmpty() && !provider.issuer().equals(claims.getIssuer())) {
      return Verification.failed(401, UNKNOWN_ISSUER);
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(CLOCK_SKEW).isBefore(nbf.toInstant())) {
      return Verification.failed(401, NOT_YET_VALID);
    }
    Date exp = claims.getExpirationTime();
    if (exp != null && now.minus(CLOCK_SKEW).isAfter(exp.toInstant())) {
      return Verification.failed(401, EXPIRED);
    }
    List<String> audiences = claims.getAudience();
    if (!provider.audiences().isEmpty()
        && audiences.stream().noneMatch(provider.audiences()::contains)) {
      return Verification.failed(403, AUDIENCE_NOT_ALLOWED);
    }
    JWSHeader header = jwt.getHeader();
    boolean candidate = false;
    for (JWK key : keys.getKeys()) {
      // jwt_verify_lib verify.cc: a key is skipped only when both it and the token name a kid
      if (header.getKeyID() != null
          && key.getKeyID() != null
          && !header.getKeyID().equals(key.getKeyID())) {
        continue;
      }
      Optional<JWSVerifier> verifier = verifierFor(key, header);
      if (verifier.isEmpty()) {
        continue;
      }
      candidate = true;
      try {
        if (jwt.verify(verifier.get())) {
          String subject = claims.getSubject() == null ? "" : claims.getSubject();
          return new Verification(
              new VerifiedJwt(claims.getIssuer(), subject, claims.toJSONObject()), parts[1], null);
        }
      } catch (JOSEException e) {
        // a key that cannot check this signature is no match; the next one may be
      }
    }
    return Verification.failed(401, candidate ? VERIFICATION_FAILS : NO_MATCHING_KEY);
  }

  private static Optional<JWSVerifier> verifierFor(JWK key, JWSHeader header) {
    String alg = header.getAlgorithm().getName();
    if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg)) {
      return Optional.empty();
    }
    try {
      if (key instanceof RSAKey rsa && (alg.startsWith("RS") || alg.startsWith("PS"))) {
        return Optional.of(new RSASSAVerifier(rsa));
      }
      if (key instanceof ECKey ec && alg.startsWith("ES")) {
        return Optional.of(new ECDSAVerifier(ec));
      }
    } catch (JOSEException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static boolean isBase64Url(String part) {
    try {
      Base64.getUrlDecoder().decode(part);
      return !part.isEmpty();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private record Token(String value, Optional<String> header) {}

  private record Failure(int status, String message) {}

  private record Verification(VerifiedJwt jwt, String payloadBase64Url, Failure failure) {
    static Verification failed(int status, String message) {
      return new Verification(null, null, new Failure(status, message));
    }
  }
}
