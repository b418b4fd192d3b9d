package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.config.AuthorizationPolicy;
import dev.meshproof.runtime.config.IstioResource;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.RequestAuthentication;
import dev.meshproof.runtime.policy.authn.JwtAuthnDecision;
import dev.meshproof.runtime.policy.authz.RbacFilterPolicy;
import dev.meshproof.runtime.policy.authz.RbacRequest;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.xds.AuthorizationModel;
import dev.meshproof.runtime.xds.JwtAuthnBuilder;
import dev.meshproof.runtime.xds.ProxyIdentity;
import dev.meshproof.runtime.xds.ProxyNode;
import dev.meshproof.runtime.xds.RbacFilterBuilder;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RequestAuthentication and JWT AuthorizationPolicy rules translated as istiod does ({@link
 * JwtAuthnBuilder}, {@link RbacFilterBuilder}), decoded by the embedded sidecar ({@link
 * JwtAuthnDecoder}, {@link RbacDecoder}) and decided by the pure policies: a bad token is refused,
 * no token passes, and request principals, claims, audiences and presenters match jwt_authn's
 * payload metadata.
 */
class RequestAuthenticationTranslationTest {
  private static final String ISSUER = "testing@secure.istio.io";
  private static final Instant NOW = Instant.parse("2026-12-02T05:00:00Z");
  private static final ProxyNode CATALOG =
      new ProxyNode(
          ProxyIdentity.sidecar(
              "catalog-0", "default", Map.of("app", "catalog"), IstioVersion.CURRENT),
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 15001),
          Optional.of(
              new ProxyNode.Inbound(
                  9080,
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), 15006),
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080))));

  static RSAKey key;
  static RSAKey other;

  @BeforeAll
  static void keys() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    other = new RSAKeyGenerator(2048).keyID("k1").generate();
  }

  private static String token(RSAKey signer, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt =
        new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims);
    jwt.sign(new RSASSASigner(signer));
    return jwt.serialize();
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("alice")
        .audience("catalog")
        .expirationTime(Date.from(NOW.plusSeconds(3600)))
        .claim("group", "admin")
        .claim("scope", "read write")
        .claim("azp", "web");
  }

  private static String requestAuthentication(String extra) {
    return "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\n"
        + "metadata: {name: jwt, namespace: default}\nspec:\n  jwtRules:\n"
        + "  - issuer: "
        + ISSUER
        + "\n    audiences: [catalog]\n    jwks: '"
        + new JWKSet(key.toPublicJWK()).toString()
        + "'\n"
        + extra
        + "---\n";
  }

  /** The jwt_authn and RBAC filters of catalog's inbound listener, as the sidecar decodes them. */
  private record Chain(JwtAuthnDecoder.Decoded jwt, List<RbacFilterPolicy> rbac) {
    /** 0 when allowed, else the status the chain answers. */
    int status(RequestHeaders request) {
      JwtAuthnDecision decision = jwt.policy().authenticate(request, "http", NOW);
      if (decision instanceof JwtAuthnDecision.Rejected rejected) {
        return rejected.status();
      }
      JwtAuthnDecision.Passed passed = (JwtAuthnDecision.Passed) decision;
      Map<String, Map<String, Object>> payloads =
          passed
              .jwt()
              .map(j -> Map.of(jwt.payloadInMetadata(), j.metadataPayload(jwt.spaceDelimited())))
              .orElse(Map.of());
      RbacRequest rbacRequest =
          new RbacRequest(
              Optional.of("spiffe://cluster.local/ns/default/sa/web"),
              InetAddress.getLoopbackAddress(),
              15006,
              request,
              payloads);
      return rbac.stream().allMatch(f -> f.decide(rbacRequest).allowed()) ? 0 : 403;
    }
  }

  private static Chain chain(String yaml) {
    List<IstioResource> parsed = IstioYamlParser.parse(yaml, "jwt.yaml", "default");
    List<RequestAuthentication> authn =
        parsed.stream()
            .filter(RequestAuthentication.class::isInstance)
            .map(RequestAuthentication.class::cast)
            .toList();
    List<AuthorizationPolicy> authz =
        parsed.stream()
            .filter(AuthorizationPolicy.class::isInstance)
            .map(AuthorizationPolicy.class::cast)
            .toList();
    authz.forEach(p -> assertThat(AuthorizationModel.unsupported(p)).isEmpty());
    HttpFilter jwt = JwtAuthnBuilder.inboundFilter(authn, CATALOG, Map.of()).orElseThrow();
    return new Chain(
        JwtAuthnDecoder.filter(jwt.getTypedConfig(), "jwt"),
        RbacFilterBuilder.inboundFilters(authz, CATALOG, CATALOG.inbound().orElseThrow()).stream()
            .map(f -> RbacDecoder.filter(f.getTypedConfig(), f.getName()))
            .toList());
  }

  private static RequestHeaders bearer(String token) {
    return new RequestHeaders(
        "GET", "/items", "catalog", Map.of("authorization", List.of("Bearer " + token)));
  }

  private static final RequestHeaders ANONYMOUS =
      new RequestHeaders("GET", "/items", "catalog", Map.of());

  private static String policy(String name, String action, String rules) {
    return "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: "
        + name
        + ", namespace: default}\nspec:\n  action: "
        + action
        + "\n  rules:\n"
        + rules
        + "---\n";
  }

  @Test
  void istiodsFilterHasOneProviderPerRuleSortedByIssuerAndAllowsMissingTokens() throws Exception {
    String second =
        requestAuthentication("")
            .replace("name: jwt", "name: jwt2")
            .replace(ISSUER, "a-first@example.com");
    HttpFilter filter =
        JwtAuthnBuilder.inboundFilter(
                IstioYamlParser.parse(requestAuthentication("") + second, "j.yaml", "default")
                    .stream()
                    .map(RequestAuthentication.class::cast)
                    .toList(),
                CATALOG,
                Map.of())
            .orElseThrow();
    JwtAuthentication config = filter.getTypedConfig().unpack(JwtAuthentication.class);
    assertThat(filter.getName()).isEqualTo("envoy.filters.http.jwt_authn");
    assertThat(config.getProvidersMap().get("origins-0").getIssuer())
        .isEqualTo("a-first@example.com");
    assertThat(config.getProvidersMap().get("origins-1").getIssuer()).isEqualTo(ISSUER);
    assertThat(config.getProvidersMap().get("origins-1").getPayloadInMetadata())
        .isEqualTo("payload");
    var any = config.getRules(0).getRequires().getRequiresAny().getRequirementsList();
    assertThat(any).hasSize(3);
    assertThat(
            any.get(2)
                .getRequiresAll()
                .getRequirements(0)
                .getRequiresAny()
                .getRequirements(1)
                .hasAllowMissing())
        .isTrue();
    assertThat(config.getBypassCorsPreflight()).isTrue();
    // the sidecar accepts istiod's two-provider shape
    assertThat(JwtAuthnDecoder.filter(filter.getTypedConfig(), "jwt").payloadInMetadata())
        .isEqualTo("payload");
  }

  @Test
  void aJwksUriTheControlPlaneCouldNotFetchRefusesEveryTokenAsIstiodsPublicOnlyKey()
      throws Exception {
    List<RequestAuthentication> authn =
        IstioYamlParser.parse(
                "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\n"
                    + "metadata: {name: jwt, namespace: default}\nspec:\n  jwtRules:\n"
                    + "  - issuer: "
                    + ISSUER
                    + "\n    jwksUri: http://localhost:1/jwks.json\n",
                "j.yaml",
                "default")
            .stream()
            .map(RequestAuthentication.class::cast)
            .toList();
    HttpFilter missing = JwtAuthnBuilder.inboundFilter(authn, CATALOG, Map.of()).orElseThrow();
    JwtAuthnDecision decision =
        JwtAuthnDecoder.filter(missing.getTypedConfig(), "jwt")
            .policy()
            .authenticate(bearer(token(key, claims().build())), "http", NOW);
    assertThat(decision).isInstanceOf(JwtAuthnDecision.Rejected.class);
    assertThat(((JwtAuthnDecision.Rejected) decision).body()).isEqualTo("Jwt verification fails");

    HttpFilter fetched =
        JwtAuthnBuilder.inboundFilter(
                authn,
                CATALOG,
                Map.of("http://localhost:1/jwks.json", new JWKSet(key.toPublicJWK()).toString()))
            .orElseThrow();
    assertThat(
            JwtAuthnDecoder.filter(fetched.getTypedConfig(), "jwt")
                .policy()
                .authenticate(bearer(token(key, claims().build())), "http", NOW))
        .isInstanceOf(JwtAuthnDecision.Passed.class);
  }

  @Test
  void badTokensAreRefusedAndNoTokenPassesWithoutAPolicy() throws Exception {
    Chain chain = chain(requestAuthentication(""));
    assertThat(chain.status(bearer(token(key, claims().build())))).isZero();
    assertThat(chain.status(ANONYMOUS)).isZero();
    assertThat(chain.status(bearer(token(other, claims().build())))).isEqualTo(401);
    assertThat(
            chain.status(
                bearer(
                    token(
                        key, claims().expirationTime(Date.from(NOW.minusSeconds(3600))).build()))))
        .isEqualTo(401);
    assertThat(chain.status(bearer(token(key, claims().audience("other").build())))).isEqualTo(403);
  }

  @Test
  void requestPrincipalsRequireAValidTokenOfThatIssuerAndSubject() throws Exception {
    Chain exact =
        chain(
            requestAuthentication("")
                + policy(
                    "require-jwt",
                    "ALLOW",
                    "  - from: [{source: {requestPrincipals: [\"" + ISSUER + "/alice\"]}}]\n"));
    assertThat(exact.status(bearer(token(key, claims().build())))).isZero();
    assertThat(exact.status(bearer(token(key, claims().subject("bob").build())))).isEqualTo(403);
    assertThat(exact.status(ANONYMOUS)).isEqualTo(403);

    Chain any =
        chain(
            requestAuthentication("")
                + policy(
                    "deny-anonymous",
                    "DENY",
                    "  - from: [{source: {notRequestPrincipals: [\"*\"]}}]\n"));
    assertThat(any.status(ANONYMOUS)).isEqualTo(403);
    assertThat(any.status(bearer(token(key, claims().subject("bob").build())))).isZero();
  }

  @Test
  void claimsAudiencesAndPresenterMatchThePayloadAsStringsOrLists() throws Exception {
    Chain chain =
        chain(
            requestAuthentication("")
                + policy(
                    "admins",
                    "ALLOW",
                    "  - when:\n"
                        + "    - {key: \"request.auth.claims[group]\", values: [admin]}\n"
                        + "    - {key: \"request.auth.claims[scope]\", values: [write]}\n"
                        + "    - {key: request.auth.audiences, values: [\"cat*\"]}\n"
                        + "    - {key: request.auth.presenter, values: [web]}\n"));
    assertThat(chain.status(bearer(token(key, claims().build())))).isZero();
    assertThat(chain.status(bearer(token(key, claims().claim("group", "user").build()))))
        .isEqualTo(403);
    assertThat(
            chain.status(
                bearer(token(key, claims().claim("group", List.of("user", "admin")).build()))))
        .as("a list claim with one matching element")
        .isZero();
    assertThat(chain.status(bearer(token(key, claims().claim("scope", "read").build()))))
        .isEqualTo(403);
    assertThat(chain.status(ANONYMOUS)).isEqualTo(403);
  }

  @Test
  void aClaimKeyThatIsNotABracketedNameIsRefusedAtApply() {
    AuthorizationPolicy policy =
        (AuthorizationPolicy)
            IstioYamlParser.parse(
                    policy(
                        "bad",
                        "ALLOW",
                        "  - when: [{key: \"request.auth.claims[group\", values: [a]}]\n"),
                    "p.yaml",
                    "default")
                .get(0);
    assertThat(AuthorizationModel.unsupported(policy))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.toString())
                    .contains("spec.rules[0].when[0].key")
                    .contains("is not a claim"));
  }
}
