package dev.meshproof.scenario;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tokens a scenario mints for its traffic ({@code jwt} in a scenario file): RS256 JWTs signed with
 * an issuer's private key, a JSON Web Key the scenario ships (as Istio's samples ship {@code
 * key.pem} next to {@code jwks.json}); the RequestAuthentication carries the public half inline, so
 * the Istio YAML applies as-is to a real cluster. A traffic header value {@code ${jwt.<token>}} is
 * replaced by the minted token when the scenario is read.
 */
public final class ScenarioJwt {
  /** Envoy's default clock skew: an expired token is made older than this. */
  static final Duration EXPIRED_BY = Duration.ofHours(1);

  private ScenarioJwt() {}

  /** One issuer: its {@code iss} and its RSA private key (with its {@code kid}). */
  public record Issuer(String issuer, RSAKey key) {}

  /**
   * One token to mint.
   *
   * @param issuer the issuer whose {@code iss} and {@code kid} the token carries
   * @param signedBy the key that signs it: the issuer's own, or another issuer's for a bad
   *     signature
   * @param expiresIn {@code exp} after now; {@code expired} puts {@code exp} one hour in the past
   */
  public record Token(
      Issuer issuer,
      Issuer signedBy,
      Optional<String> subject,
      List<String> audiences,
      Map<String, String> claims,
      Duration expiresIn,
      boolean expired) {}

  /**
   * The issuer whose key is the private JSON Web Key {@code jwk}.
   *
   * @throws IllegalArgumentException when it is not an RSA private key with a {@code kid}
   */
  public static Issuer issuer(String issuer, String jwk) {
    try {
      JWK parsed = JWK.parse(jwk);
      if (!(parsed instanceof RSAKey rsa) || !rsa.isPrivate() || rsa.getKeyID() == null) {
        throw new IllegalArgumentException(
            "not an RSA private key with a kid (expected: a JWK with kty RSA, kid, n, e and d)");
      }
      return new Issuer(issuer, rsa);
    } catch (ParseException e) {
      throw new IllegalArgumentException("not a JSON Web Key: " + e.getMessage(), e);
    }
  }

  /** The token, signed at {@code now}. */
  public static String mint(Token token, Instant now) {
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(token.issuer().issuer())
            .issueTime(Date.from(now))
            .expirationTime(
                Date.from(token.expired() ? now.minus(EXPIRED_BY) : now.plus(token.expiresIn())));
    token.subject().ifPresent(claims::subject);
    if (!token.audiences().isEmpty()) {
      claims.audience(token.audiences());
    }
    token.claims().forEach(claims::claim);
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(token.issuer().key().getKeyID())
                .build(),
            claims.build());
    try {
      jwt.sign(new RSASSASigner(token.signedBy().key()));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }
}
