package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * VirtualService fields accepted and rejected exactly as Istio's validating webhook does
 * (/work/notes/istiod-defaults.md section 6: validateWeight, validateHTTPRouteDestinations,
 * validateStringMatch).
 */
class IstioYamlParserFidelityTest {

  private static String vs(String http) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog}
        spec:
          hosts: [catalog]
          http:
        """
        + http.indent(2);
  }

  private static VirtualService parse(String yaml) {
    return (VirtualService) IstioYamlParser.parse(yaml, "vs.yaml", "default").get(0);
  }

  private static List<String> problemsOf(String yaml) {
    Throwable thrown = catchThrowable(() -> IstioYamlParser.parse(yaml, "vs.yaml", "default"));
    assertThat(thrown).isInstanceOf(InvalidConfigException.class);
    return ((InvalidConfigException) thrown)
        .problems().stream().map(ConfigProblem::toString).toList();
  }

  private static HttpMatchRequest match(String match) {
    return parse(vs("- match:\n  - " + match + "\n  route:\n  - destination: {host: catalog}"))
        .http()
        .get(0)
        .match()
        .get(0);
  }

  private static String weights(int first, int second) {
    return vs(
        """
        - route:
          - destination: {host: catalog, subset: v1}
            weight: %d
          - destination: {host: catalog, subset: v2}
            weight: %d
        """
            .formatted(first, second));
  }

  @Test
  void weightsAreRelativeSoAnyPositiveTotalIsAccepted() {
    assertThat(parse(weights(300, 100)).http().get(0).route())
        .extracting(r -> r.weight().getAsInt())
        .containsExactly(300, 100);
    assertThat(parse(weights(50, 10)).http().get(0).route()).hasSize(2);
    assertThat(parse(weights(0, 7)).http().get(0).route())
        .extracting(RouteDestination::weight)
        .extracting(w -> w.getAsInt())
        .containsExactly(0, 7);
  }

  @Test
  void aNegativeWeightAndAZeroTotalAreRejected() {
    assertThat(problemsOf(weights(-1, 100)))
        .containsExactly(
            "vs.yaml:9:15: spec.http[0].route[0].weight: -1 is out of range (expected: a"
                + " non-negative integer; weights are relative to their sum)");
    assertThat(problemsOf(weights(0, 0)))
        .containsExactly(
            "vs.yaml:8:5: spec.http[0].route: total destination weight = 0 (expected: at least one"
                + " destination with a positive weight)");
  }

  @Test
  void aHeaderWithoutMatchTypeIsAPresenceMatch() {
    HttpMatchRequest match = match("headers: {end-user: {}}\n    withoutHeaders: {x-debug: {}}");
    assertThat(match.headers()).containsEntry("end-user", StringMatch.present());
    assertThat(match.withoutHeaders()).containsEntry("x-debug", StringMatch.present());
  }

  @Test
  void aUriOrMethodWithoutMatchTypeIsStillRejected() {
    assertThat(problemsOf(vs("- match:\n  - uri: {}\n  route:\n  - destination: {host: catalog}")))
        .containsExactly(
            "vs.yaml:8:12: spec.http[0].match[0].uri: no match type given (expected exactly one"
                + " of: exact, prefix, regex)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "headers: {end-user: {prefix: \"\"}}",
        "withoutHeaders: {end-user: {prefix: \"\"}}",
        "method: {prefix: \"\"}",
        "authority: {prefix: \"\"}"
      })
  void anEmptyPrefixIsRejectedOutsideTheUri(String match) {
    assertThat(
            problemsOf(
                vs("- match:\n  - " + match + "\n  route:\n  - destination: {host: catalog}")))
        .singleElement()
        .asString()
        .contains("prefix: prefix string match should not be empty");
  }

  @Test
  void anEmptyUriPrefixIsAccepted() {
    assertThat(match("uri: {prefix: \"\"}").uri())
        .contains(new StringMatch(StringMatch.Kind.PREFIX, ""));
  }

  @Test
  void aRegexThatIsNotRe2IsRejectedWhereItIsWritten() {
    assertThat(
            problemsOf(
                vs(
                    "- match:\n  - uri: {regex: \"/a(?=b)\"}\n  route:\n  - destination: {host:"
                        + " catalog}")))
        .containsExactly(
            "vs.yaml:8:20: spec.http[0].match[0].uri.regex: regex '/a(?=b)' is not valid RE2:"
                + " invalid perl operator: (?= (expected: RE2 syntax,"
                + " https://github.com/google/re2/wiki/Syntax)");
    assertThat(
            problemsOf(
                vs(
                    "- match:\n  - headers: {x: {regex: \"\"}}\n  route:\n  - destination: {host:"
                        + " catalog}")))
        .singleElement()
        .asString()
        .contains("regex string match should not be empty");
    assertThat(
            problemsOf(
                vs(
                    "- match:\n  - headers: {x: {regex: \"*\"}}\n  route:\n  - destination: {host:"
                        + " catalog}")))
        .singleElement()
        .asString()
        .contains("headers.x.regex", "not valid RE2");
    assertThat(match("uri: {regex: \"^/beta/[0-9]+$\"}").uri())
        .contains(new StringMatch(StringMatch.Kind.REGEX, "^/beta/[0-9]+$"));
  }

  @ParameterizedTest
  // A bare "*" is rejected on the mesh, as the webhook does (ExportToParserTest).
  @ValueSource(strings = {"*.cluster.local", "*.default.svc.cluster.local"})
  void aWildcardHostIsAcceptedForTranslationToBind(String host) {
    String yaml =
        vs("- route:\n  - destination: {host: catalog}").replace("[catalog]", "[\"" + host + "\"]");
    assertThat(parse(yaml).hosts()).containsExactly(host);
  }
}
