package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.meshproof.runtime.config.ConfigProblem;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.RequestAuthentication;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control plane fetches a jwksUri (or the issuer's OpenID discovery) from a fake JWKS service
 * on loopback and inlines it, as istiod does by default; a failed fetch or a response that is not a
 * key set leaves the rule without keys (istiod's public-only JWKS), and a JWKS host off loopback is
 * refused at apply.
 */
class JwksResolverTest {
  private static final String JWKS =
      "{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\",\"kid\":\"k\",\"n\":\"0xObjM0UvS_oaazjpEYlAbwctEJ4L8pH3OuTb7qth7gUwqet-EzQB4dgFdvSdMgrLnSncQGRjpEYz3F3viIbH-3EN3TxSlPNviHxeOdyiBVfumN8dMxbLvVJUpfNOnvmMxJcl-8NNjAwcOjk4otSALaYgYYyOPyvKtgVdrQr-FoubWX4yrjxW-MJ2-7OBeepUUNOsVwGV23YX03sVkkyvY3otRflkBcY3_HKpBxJl9wk2GyOShN4_PNUF9-vwfnvOXMbCDX-w4PTef4geeb_GiT40YCKHTKMSPVanGRn5GExIWmki-mmqh94-mPTJyBR74ShspL3BxPZitDL574T1w\"}]}";

  private HttpServer server;
  private final AtomicInteger jwksFetches = new AtomicInteger();

  @BeforeEach
  void fakeJwksService() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/jwks.json",
        exchange -> {
          jwksFetches.incrementAndGet();
          reply(exchange, 200, JWKS);
        });
    server.createContext("/not-a-key-set", exchange -> reply(exchange, 200, "{\"hello\":1}"));
    server.createContext(
        "/issuer/.well-known/openid-configuration",
        exchange -> reply(exchange, 200, "{\"jwks_uri\":\"" + base() + "/jwks.json\"}"));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void reply(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static List<RequestAuthentication> rules(String... rules) {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\n"
                + "metadata: {name: jwt, namespace: default}\nspec:\n  jwtRules:\n");
    for (String rule : rules) {
      yaml.append("  - ").append(rule).append('\n');
    }
    return IstioYamlParser.parse(yaml.toString(), "ra.yaml", "default").stream()
        .map(RequestAuthentication.class::cast)
        .toList();
  }

  @Test
  void aJwksUriIsFetchedOnceAndInlined() {
    JwksResolver resolver = new JwksResolver();
    List<RequestAuthentication> policies =
        rules("{issuer: a@x, jwksUri: \"" + base() + "/jwks.json\"}");

    Map<String, String> fetched = resolver.resolve(policies);
    resolver.resolve(policies);

    assertThat(fetched).containsEntry(base() + "/jwks.json", JWKS);
    assertThat(jwksFetches).hasValue(1);
  }

  @Test
  void withoutJwksOrJwksUriTheIssuersOpenIdDiscoveryNamesTheKeys() {
    Map<String, String> fetched =
        new JwksResolver().resolve(rules("{issuer: \"" + base() + "/issuer\"}"));

    assertThat(fetched).containsEntry(base() + "/issuer", JWKS);
  }

  @Test
  void aFailedFetchOrAResponseThatIsNotAKeySetLeavesTheRuleWithoutKeysAndIsTriedAgain() {
    JwksResolver resolver = new JwksResolver();
    List<RequestAuthentication> policies =
        rules(
            "{issuer: a@x, jwksUri: \"" + base() + "/not-a-key-set\"}",
            "{issuer: b@x, jwksUri: \"" + base() + "/missing\"}");

    assertThat(resolver.resolve(policies)).isEmpty();
    assertThat(resolver.resolve(policies)).isEmpty();
  }

  @Test
  void anInlineJwksIsNotFetched() {
    assertThat(new JwksResolver().resolve(rules("{issuer: a@x, jwks: '" + JWKS + "'}"))).isEmpty();
  }

  @Test
  void aJwksHostOffLoopbackIsRefusedAtApply() {
    List<ConfigProblem> problems =
        JwtAuthnBuilder.offLoopback(
            rules(
                    "{issuer: a@x, jwksUri: \"http://192.0.2.1/jwks.json\"}",
                    "{issuer: b@x, jwksUri: \"" + base() + "/jwks.json\"}",
                    "{issuer: c@x}")
                .get(0));

    assertThat(problems).hasSize(2);
    assertThat(problems.get(0).toString())
        .contains("spec.jwtRules[0].jwksUri")
        .contains("\"192.0.2.1\" resolves to 192.0.2.1")
        .contains("expected: a host resolving only to 127.0.0.0/8");
    assertThat(problems.get(1).toString())
        .contains("spec.jwtRules[2].issuer")
        .contains("has no JWKS to fetch");
  }
}
