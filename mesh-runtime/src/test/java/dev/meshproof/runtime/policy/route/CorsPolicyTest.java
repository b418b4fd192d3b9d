package dev.meshproof.runtime.policy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.policy.route.HeaderChanges.HeaderAddition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Envoy's CORS filter decisions ({@code cors_filter.cc}), as pure values. */
class CorsPolicyTest {
  private static final CorsPolicy POLICY =
      new CorsPolicy(
          List.of(
              new StringMatcher.Exact("https://good.example", false),
              new StringMatcher.Regex(Pattern.compile("https://[a-z]+\\.trusted\\.example"))),
          "GET,POST",
          "*",
          "x-app",
          "600",
          true,
          true);

  private static RequestHeaders request(String method, Map<String, String> headers) {
    Map<String, List<String>> multi = new LinkedHashMap<>();
    headers.forEach((k, v) -> multi.put(k, List.of(v)));
    return new RequestHeaders(method, "/", "catalog", multi);
  }

  private static Map<String, String> asMap(List<HeaderAddition> headers) {
    Map<String, String> out = new LinkedHashMap<>();
    headers.forEach(h -> out.put(h.name(), h.value()));
    return out;
  }

  @Test
  void anAllowedPreflightIsAnsweredWithTheAllowHeadersEchoingAStar() {
    CorsPolicy.Decision decision =
        POLICY.decide(
            request(
                "OPTIONS",
                Map.of(
                    "origin", "https://abc.trusted.example",
                    "access-control-request-method", "PUT",
                    "access-control-request-headers", "x-one,x-two")));

    assertThat(decision).isInstanceOf(CorsPolicy.Preflight.class);
    assertThat(asMap(((CorsPolicy.Preflight) decision).headers()))
        .containsExactly(
            Map.entry("access-control-allow-origin", "https://abc.trusted.example"),
            Map.entry("access-control-allow-credentials", "true"),
            Map.entry("access-control-allow-methods", "GET,POST"),
            Map.entry("access-control-allow-headers", "x-one,x-two"),
            Map.entry("access-control-max-age", "600"),
            Map.entry("access-control-expose-headers", "x-app"));
  }

  @Test
  void aPreflightFromAnotherOriginIsForwardedOrAnsweredWithoutAllowOrigin() {
    RequestHeaders preflight =
        request(
            "OPTIONS",
            Map.of("origin", "https://evil.example", "access-control-request-method", "GET"));

    assertThat(POLICY.decide(preflight)).isEqualTo(new CorsPolicy.Continue(HeaderChanges.NONE));
    CorsPolicy ignoring = new CorsPolicy(POLICY.allowOrigins(), "GET", "", "", "", false, false);
    assertThat(asMap(((CorsPolicy.Preflight) ignoring.decide(preflight)).headers()))
        .containsExactly(Map.entry("access-control-allow-methods", "GET"));
  }

  @Test
  void anActualRequestFromAnAllowedOriginGetsTheAllowHeadersOnItsResponse() {
    CorsPolicy.Decision allowed =
        POLICY.decide(request("GET", Map.of("origin", "https://good.example")));
    assertThat(asMap(((CorsPolicy.Continue) allowed).onResponse().add()))
        .containsExactly(
            Map.entry("access-control-allow-origin", "https://good.example"),
            Map.entry("access-control-allow-credentials", "true"),
            Map.entry("access-control-expose-headers", "x-app"));

    for (Map<String, String> headers :
        List.of(
            Map.of("origin", "https://GOOD.example"),
            Map.of("origin", ""),
            Map.<String, String>of(),
            Map.of("access-control-request-method", "GET"))) {
      assertThat(POLICY.decide(request("GET", headers)))
          .as(headers.toString())
          .isEqualTo(new CorsPolicy.Continue(HeaderChanges.NONE));
    }
    // OPTIONS without a requested method is an actual request, not a preflight.
    assertThat(POLICY.decide(request("OPTIONS", Map.of("origin", "https://good.example"))))
        .isInstanceOf(CorsPolicy.Continue.class);
  }

  @Test
  void anOriginMatcherThatMatchesAStarAllowsEveryOrigin() {
    CorsPolicy any =
        new CorsPolicy(List.of(new StringMatcher.Exact("*", false)), "", "", "", "", false, true);
    assertThat(any.decide(request("GET", Map.of("origin", "https://x.example"))))
        .isNotEqualTo(new CorsPolicy.Continue(HeaderChanges.NONE));
  }
}
