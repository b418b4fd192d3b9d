package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.config.StringMatch.Kind;
import dev.meshproof.runtime.config.VirtualService.CorsPolicy;
import dev.meshproof.runtime.config.VirtualService.UnmatchedPreflights;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code corsPolicy}: what Istio's webhook accepts is parsed, what it rejects ({@code
 * validateCORSPolicy}) is rejected at file:line:column with the field path.
 */
class CorsPolicyParserTest {

  private static VirtualService parse(String cors) {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog}
        spec:
          hosts: [catalog]
          http:
          - route:
            - destination: {host: catalog}
            corsPolicy:
        """
            + cors.indent(6);
    return (VirtualService) IstioYamlParser.parse(yaml, "vs.yaml", "default").get(0);
  }

  private static String rejection(String cors) {
    try {
      parse(cors);
    } catch (InvalidConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + cors);
  }

  @Test
  void everyCorsFieldIsParsed() {
    CorsPolicy cors =
        parse(
                """
                allowOrigins: [{exact: https://a.example}, {prefix: https://b.}, {regex: "https://.*"}]
                allowMethods: [GET, POST, "*"]
                allowHeaders: [x-custom, "*"]
                exposeHeaders: [x-app]
                maxAge: 24h
                allowCredentials: false
                unmatchedPreflights: IGNORE
                """)
            .http()
            .get(0)
            .corsPolicy()
            .orElseThrow();

    assertThat(cors.allowOrigins())
        .containsExactly(
            new StringMatch(Kind.EXACT, "https://a.example"),
            new StringMatch(Kind.PREFIX, "https://b."),
            new StringMatch(Kind.REGEX, "https://.*"));
    assertThat(cors.allowMethods()).containsExactly("GET", "POST", "*");
    assertThat(cors.allowHeaders()).containsExactly("x-custom", "*");
    assertThat(cors.exposeHeaders()).containsExactly("x-app");
    assertThat(cors.maxAge()).contains(Duration.ofHours(24));
    assertThat(cors.allowCredentials()).contains(false);
    assertThat(cors.unmatchedPreflights()).isEqualTo(UnmatchedPreflights.IGNORE);
  }

  @Test
  void theDeprecatedAllowOriginIsExactAndOnlyWithoutAllowOrigins() {
    assertThat(parse("allowOrigin: [https://a.example]\n").http().get(0).corsPolicy())
        .map(CorsPolicy::allowOrigins)
        .contains(List.of(new StringMatch(Kind.EXACT, "https://a.example")));
    assertThat(
            parse("allowOrigin: [https://a.example]\nallowOrigins: [{exact: https://b.example}]\n")
                .http()
                .get(0)
                .corsPolicy()
                .map(CorsPolicy::allowOrigins))
        .isEqualTo(Optional.of(List.of(new StringMatch(Kind.EXACT, "https://b.example"))));
  }

  @Test
  void whatTheWebhookRejectsIsRejectedWithItsLocation() {
    assertThat(rejection("allowOrigins: [{exact: \"\"}]\n"))
        .contains("vs.yaml:10:")
        .contains("spec.http[0].corsPolicy.allowOrigins[0]")
        .contains("not a valid match type for CORS allow origins");
    assertThat(rejection("allowOrigins: [{regex: \"(\"}]\n"))
        .contains("spec.http[0].corsPolicy.allowOrigins[0].regex");
    assertThat(rejection("allowMethods: [GET, FETCH]\n"))
        .contains("spec.http[0].corsPolicy.allowMethods[1]")
        .contains("\"FETCH\" is not allowed here")
        .contains("GET, HEAD, POST");
    assertThat(rejection("allowHeaders: [\"bad header\"]\n"))
        .contains("spec.http[0].corsPolicy.allowHeaders[0]");
    assertThat(rejection("exposeHeaders: [\"\"]\n"))
        .contains("spec.http[0].corsPolicy.exposeHeaders[0]");
    assertThat(rejection("maxAge: 1500ms\n"))
        .contains("spec.http[0].corsPolicy.maxAge")
        .contains("seconds precision");
    assertThat(rejection("unmatchedPreflights: DROP\n"))
        .contains("spec.http[0].corsPolicy.unmatchedPreflights")
        .contains("FORWARD");
    assertThat(rejection("allowOrigins: [{exact: a}]\nallowPrivateNetwork: true\n"))
        .contains("spec.http[0].corsPolicy.allowPrivateNetwork");
  }
}
