package dev.meshproof.runtime.policy.authn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JwtAuthenticationTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final String ISSUER = "testing@secure.istio.io";
  static RSAKey rsa;
  static RSAKey otherRsa;
  static ECKey ec;

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    otherRsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
  }

  static String jwks() {
    return new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString();
  }

  static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("alice")
        .audience("app")
        .expirationTime(Date.from(NOW.plusSeconds(3600)))
        .claim("group", "admins");
  }

  static RequestHeaders request(Map<String, List<String>> headers) {
    return request("/headers", headers);
  }

  static RequestHeaders request(String path, Map<String, List<String>> headers) {
    return new RequestHeaders("GET", path, "httpbin.foo:8000", headers);
  }

  static RequestHeaders bearer(String token) {
    return request(Map.of("authorization", List.of("Bearer " + token)));
  }

  final JwtAuthentication authn =
      new JwtAuthentication(List.of(JwtProvider.of(ISSUER, List.of(), jwks())));

  @Test
  void aValidRs256TokenPassesWithItsRequestPrincipalAndIsNotForwarded() throws Exception {
    JwtAuthnDecision decision =
        authn.authenticate(bearer(rs256(rsa, claims().build())), "http", NOW);

    assertThat(decision).isInstanceOf(JwtAuthnDecision.Passed.class);
    JwtAuthnDecision.Passed passed = (JwtAuthnDecision.Passed) decision;
    assertThat(passed.jwt().orElseThrow().requestPrincipal())
        .isEqualTo("testing@secure.istio.io/alice");
    assertThat(passed.jwt().orElseThrow().claims()).containsEntry("group", "admins");
    assertThat(passed.headersToRemove()).containsExactly("authorization");
  }

  @Test
  void aValidEs256TokenPasses() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), claims().build());
    jwt.sign(new ECDSASigner(ec));

    assertThat(authn.authenticate(bearer(jwt.serialize()), "http", NOW))
        .isInstanceOf(JwtAuthnDecision.Passed.class);
  }

  @Test
  void aMissingTokenPassesWithoutPrincipal() {
    assertThat(authn.authenticate(request(Map.of()), "http", NOW))
        .isEqualTo(new JwtAuthnDecision.Passed(Optional.empty(), Map.of(), java.util.Set.of()));
  }

  @Test
  void aTokenSignedByAnotherKeyIsRejectedAsEnvoyAnswers() throws Exception {
    assertThat(authn.authenticate(bearer(rs256(otherRsa, claims().build())), "http", NOW))
        .isEqualTo(
            new JwtAuthnDecision.Rejected(
                401,
                "Jwt verification fails",
                "Bearer realm=\"http://httpbin.foo:8000/headers\", error=\"invalid_token\""));
  }

  @Test
  void aMalformedTokenIsABadFormat() {
    JwtAuthnDecision decision = authn.authenticate(bearer("not-a-jwt"), "http", NOW);

    assertThat(decision)
        .isEqualTo(
            new JwtAuthnDecision.Rejected(
                401,
                "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections",
                "Bearer realm=\"http://httpbin.foo:8000/headers\", error=\"invalid_token\""));
  }

  @Test
  void expiryAndNotBeforeAllowEnvoysSixtySecondsOfSkew() throws Exception {
    String expired = rs256(rsa, claims().expirationTime(Date.from(NOW.minusSeconds(61))).build());
    String justExpired =
        rs256(rsa, claims().expirationTime(Date.from(NOW.minusSeconds(59))).build());
    String early = rs256(rsa, claims().notBeforeTime(Date.from(NOW.plusSeconds(61))).build());

    assertThat(
            ((JwtAuthnDecision.Rejected) authn.authenticate(bearer(expired), "http", NOW)).body())
        .isEqualTo("Jwt is expired");
    assertThat(authn.authenticate(bearer(justExpired), "http", NOW))
        .isInstanceOf(JwtAuthnDecision.Passed.class);
    assertThat(((JwtAuthnDecision.Rejected) authn.authenticate(bearer(early), "http", NOW)).body())
        .isEqualTo("Jwt not yet valid");
  }

  @Test
  void anotherIssuerIsNotConfiguredAndAWrongAudienceIsForbidden() throws Exception {
    JwtAuthentication withAudience =
        new JwtAuthentication(List.of(JwtProvider.of(ISSUER, List.of("other-app"), jwks())));

    assertThat(
            ((JwtAuthnDecision.Rejected)
                    authn.authenticate(
                        bearer(rs256(rsa, claims().issuer("evil").build())), "http", NOW))
                .body())
        .isEqualTo("Jwt issuer is not configured");
    JwtAuthnDecision.Rejected audience =
        (JwtAuthnDecision.Rejected)
            withAudience.authenticate(bearer(rs256(rsa, claims().build())), "http", NOW);
    assertThat(audience.status()).isEqualTo(403);
    assertThat(audience.body()).isEqualTo("Audiences in Jwt are not allowed");
  }

  @Test
  void declaredLocationsReplaceTheDefaultsAndOutputsAreWritten() throws Exception {
    JwtProvider provider =
        new JwtProvider(
            ISSUER,
            List.of(),
            jwks(),
            List.of(new JwtHeaderLocation("X-Jwt-Assertion", "")),
            List.of("my_token"),
            true,
            Optional.of("x-jwt-payload"),
            Map.of("x-jwt-group", "group"));
    JwtAuthentication custom = new JwtAuthentication(List.of(provider));
    String token = rs256(rsa, claims().build());

    JwtAuthnDecision.Passed fromHeader =
        (JwtAuthnDecision.Passed)
            custom.authenticate(request(Map.of("x-jwt-assertion", List.of(token))), "http", NOW);
    assertThat(fromHeader.headersToSet())
        .containsEntry("x-jwt-group", "admins")
        .containsEntry("x-jwt-payload", token.split("\\.")[1]);
    assertThat(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1])))
        .contains("\"sub\":\"alice\"");
    assertThat(fromHeader.headersToRemove()).isEmpty();
    assertThat(custom.authenticate(request("/headers?my_token=" + token, Map.of()), "http", NOW))
        .isInstanceOf(JwtAuthnDecision.Passed.class);
    // the default Authorization header is no longer read: the request is anonymous
    assertThat(
            ((JwtAuthnDecision.Passed) custom.authenticate(bearer("garbage"), "http", NOW)).jwt())
        .isEmpty();
  }

  @Test
  void theAccessTokenQueryParameterIsReadByDefault() throws Exception {
    JwtAuthnDecision.Rejected rejected =
        (JwtAuthnDecision.Rejected)
            authn.authenticate(request("/ip?x=1&access_token=a.b", Map.of()), "http", NOW);

    assertThat(rejected.wwwAuthenticate())
        .isEqualTo(
            "Bearer realm=\"http://httpbin.foo:8000/ip?x=1&access_token=a.b\", error=\"invalid_token\"");
  }

  @Test
  void theAudienceIsCheckedBeforeTheSignatureAsOnEnvoy() throws Exception {
    JwtAuthentication withAudience =
        new JwtAuthentication(List.of(JwtProvider.of(ISSUER, List.of("app"), jwks())));

    JwtAuthnDecision.Rejected rejected =
        (JwtAuthnDecision.Rejected)
            withAudience.authenticate(
                bearer(rs256(otherRsa, claims().audience("nope").build())), "http", NOW);
    assertThat(rejected.status()).isEqualTo(403);
    assertThat(
            ((JwtAuthnDecision.Rejected)
                    withAudience.authenticate(
                        bearer(rs256(otherRsa, claims().build())), "http", NOW))
                .body())
        .isEqualTo("Jwt verification fails");
  }

  @Test
  void aJwksThatIsNotAKeySetIsRefused() {
    assertThatThrownBy(
            () -> new JwtAuthentication(List.of(JwtProvider.of(ISSUER, List.of(), "{oops"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jwks of issuer testing@secure.istio.io");
  }
}
