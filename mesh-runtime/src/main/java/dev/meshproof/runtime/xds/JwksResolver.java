package dev.meshproof.runtime.xds;

import com.nimbusds.jose.jwk.JWKSet;
import dev.meshproof.common.LoopbackHttp;
import dev.meshproof.runtime.config.RequestAuthentication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's JWKS fetcher, as istiod's {@code model/jwks_resolver.go} {@code
 * GetPublicKey}: a rule's {@code jwksUri}, or with none the {@code jwks_uri} of the issuer's OpenID
 * discovery document ({@code <issuer>/.well-known/openid-configuration}), fetched with the rule's
 * timeout (5 s by default) and kept; a response that is not a JSON Web Key Set counts as a failed
 * fetch, which {@link JwtAuthnBuilder} turns into istiod's public-only JWKS (every token refused).
 * A failed fetch is tried again at the next push. istiod refreshes keys every 20 minutes; a
 * scenario is shorter, so keys are fetched once.
 */
public final class JwksResolver {
  private static final Logger log = LoggerFactory.getLogger(JwksResolver.class);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final Map<String, String> fetched = new ConcurrentHashMap<>();

  /**
   * The JWKS of every rule of {@code policies} that needs one fetched, by {@link
   * JwtAuthnBuilder#jwksKey}.
   */
  public Map<String, String> resolve(List<RequestAuthentication> policies) {
    Map<String, String> out = new HashMap<>();
    for (RequestAuthentication policy : policies) {
      for (RequestAuthentication.JwtRule rule : policy.jwtRules()) {
        JwtAuthnBuilder.jwksKey(rule)
            .ifPresent(
                key -> {
                  String jwks = fetched.computeIfAbsent(key, k -> fetch(rule));
                  if (jwks.isEmpty()) {
                    fetched.remove(key);
                  } else {
                    out.put(key, jwks);
                  }
                });
      }
    }
    return out;
  }

  /** The JWKS for {@code rule}, {@code ""} when the fetch failed. */
  private String fetch(RequestAuthentication.JwtRule rule) {
    Duration timeout = rule.timeout().orElse(DEFAULT_TIMEOUT);
    try {
      String uri = rule.jwksUri();
      if (uri.isEmpty()) {
        String discovery =
            rule.issuer().replaceAll("/+$", "") + "/.well-known/openid-configuration";
        String document = get(discovery, timeout);
        Object jwksUri = com.nimbusds.jose.util.JSONObjectUtils.parse(document).get("jwks_uri");
        if (!(jwksUri instanceof String text) || text.isEmpty()) {
          throw new IOException(discovery + " names no jwks_uri");
        }
        uri = text;
      }
      String body = get(uri, timeout);
      JWKSet.parse(body);
      return body;
    } catch (IOException | java.text.ParseException | IllegalArgumentException e) {
      log.warn(
          "JWKS fetch failed for issuer {} ({}): {}; using istiod's public-only JWKS, tokens of"
              + " this issuer are refused",
          rule.issuer(),
          rule.jwksUri(),
          e.getMessage());
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private String get(String uri, Duration timeout) throws IOException, InterruptedException {
    HttpResponse<String> response =
        LoopbackHttp.client()
            .send(
                HttpRequest.newBuilder(URI.create(uri)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + uri + " answered " + response.statusCode());
    }
    return response.body();
  }
}
