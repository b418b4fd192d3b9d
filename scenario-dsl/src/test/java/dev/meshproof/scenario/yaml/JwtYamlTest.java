package dev.meshproof.scenario.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code jwt} block: issuers with their keys, tokens minted into traffic headers. */
class JwtYamlTest {
  private static final String KEY = read("/jwt-testing.jwk.json");

  private static String read(String resource) {
    try (InputStream in = JwtYamlTest.class.getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String SCENARIO =
      """
      name: jwt
      services:
        - name: catalog
      clients: [web]
      security: {}
      jwt:
        issuers:
          - {name: testing, issuer: testing@meshproof.dev, key: testing.jwk.json}
        tokens:
          - name: valid
            issuer: testing
            subject: alice
            audiences: [catalog]
            claims: {group: admin}
          - {name: old, issuer: testing, expired: true}
      traffic:
        - name: valid
          from: web
          url: http://catalog/
          headers: {authorization: "Bearer ${jwt.valid}"}
          requests: 1
        - from: web
          url: http://catalog/
          variants:
            - headers: {x-token: "${jwt.old}"}
          requests: 1
      """;

  private static ScenarioFile parse(String text) {
    return ScenarioYaml.parse(
        "s.yaml", text, f -> f.equals("testing.jwk.json") ? Optional.of(KEY) : Optional.empty());
  }

  @Test
  void tokensAreMintedWithTheIssuersKeyIntoTrafficHeaders() throws Exception {
    var traffic = parse(SCENARIO).scenario().traffic();
    String header = traffic.get(0).request().headers().get("authorization");
    assertThat(header).startsWith("Bearer ");
    SignedJWT jwt = SignedJWT.parse(header.substring("Bearer ".length()));

    assertThat(jwt.verify(new RSASSAVerifier(RSAKey.parse(KEY).toPublicJWK()))).isTrue();
    assertThat(jwt.getHeader().getKeyID()).isEqualTo("meshproof-testing");
    assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("testing@meshproof.dev");
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("alice");
    assertThat(jwt.getJWTClaimsSet().getAudience()).isEqualTo(List.of("catalog"));
    assertThat(jwt.getJWTClaimsSet().getStringClaim("group")).isEqualTo("admin");
    assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant()).isAfter(Instant.now());

    String old = traffic.get(1).variation().variants().get(0).headers().get("x-token");
    assertThat(SignedJWT.parse(old).getJWTClaimsSet().getExpirationTime().toInstant())
        .isBefore(Instant.now().minusSeconds(60));
  }

  @Test
  void unknownTokensIssuersAndKeyFilesAreReportedWhereWritten() {
    assertThatThrownBy(
            () ->
                parse(
                    SCENARIO
                        .replace("${jwt.valid}", "${jwt.vaild}")
                        .replace("{name: old, issuer: testing", "{name: old, issuer: nobody")))
        .isInstanceOf(InvalidScenarioException.class)
        .hasMessageContaining(
            "s.yaml:15:27: jwt.tokens[1].issuer: \"nobody\" is not a declared issuer (expected"
                + " one of [testing])")
        .hasMessageContaining(
            "s.yaml:20:30: traffic[0].headers.authorization: ${jwt.vaild} names no token"
                + " (expected one of [valid], declared under jwt.tokens)");
    // a key file that is missing is reported once, not again at its tokens and their uses
    String missingKey =
        assertThatThrownBy(
                () -> parse(SCENARIO.replace("key: testing.jwk.json", "key: missing.jwk.json")))
            .isInstanceOf(InvalidScenarioException.class)
            .actual()
            .getMessage();
    assertThat(missingKey)
        .contains("s.yaml:8:59: jwt.issuers[0].key: no such file: missing.jwk.json")
        .doesNotContain("not a declared issuer")
        .doesNotContain("names no token");
  }

  @Test
  void aKeyThatIsNotAnRsaPrivateJwkIsRefused() {
    assertThatThrownBy(
            () ->
                ScenarioYaml.parse(
                    "s.yaml",
                    SCENARIO,
                    f -> Optional.of("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":\"x\"}")))
        .isInstanceOf(InvalidScenarioException.class)
        .hasMessageContaining("not an RSA private key with a kid");
  }
}
