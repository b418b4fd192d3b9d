package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hostile and borderline input: whatever the bytes, the parser either returns resources or throws
 * {@link InvalidConfigException} whose every problem names the file and a line, never an exception
 * of the YAML library; and it accepts and rejects exactly what the Kubernetes API server and
 * Istio's validation accept and reject.
 */
class IstioYamlParserHardeningTest {
  private static final String VS =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - route:
          - destination: {host: catalog}
      """;

  private static List<ConfigProblem> problemsOf(String yaml) {
    Throwable thrown = catchThrowable(() -> IstioYamlParser.parse(yaml, "in.yaml", "default"));
    assertThat(thrown).isInstanceOf(InvalidConfigException.class);
    List<ConfigProblem> problems = ((InvalidConfigException) thrown).problems();
    assertThat(problems)
        .isNotEmpty()
        .allSatisfy(
            p -> {
              assertThat(p.source()).isEqualTo("in.yaml");
              assertThat(p.line()).isPositive();
            });
    return problems;
  }

  @Test
  void aNulByteIsALocatedError() {
    assertThat(problemsOf(VS.replace("catalog}", "cat\u0000alog}")).get(0).message())
        .contains("not valid YAML");
  }

  @Test
  void aControlCharacterIsALocatedError() {
    assertThat(problemsOf(VS.replace("hosts:", "ho\u0007sts:")).get(0).toString())
        .startsWith("in.yaml:");
  }

  @Test
  void anAliasBombIsALocatedError() {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; c++) {
      bomb.append(c)
          .append(": &")
          .append(c)
          .append(" [")
          .append(("*" + prev + ", ").repeat(9))
          .append("*")
          .append(prev)
          .append("]\n");
      prev = c;
    }
    assertThat(problemsOf(bomb.toString()).get(0).message()).containsIgnoringCase("alias");
  }

  @Test
  void nestingDeeperThanTheLimitIsALocatedError() {
    String deep = "a: " + "[".repeat(200) + "]".repeat(200) + "\n";
    assertThat(problemsOf(deep).get(0).message()).containsIgnoringCase("nesting");
  }

  @Test
  void aDocumentOverTheSizeLimitIsALocatedError() {
    String big = VS + "# " + "x".repeat(4 * 1024 * 1024) + "\n";
    assertThat(problemsOf(big).get(0).message()).containsIgnoringCase("limit");
  }

  @Test
  void aFileEndingWithADocumentSeparatorIsAccepted() {
    assertThat(IstioYamlParser.parse(VS + "---\n", "in.yaml", "default")).hasSize(1);
    assertThat(IstioYamlParser.parse("---\n" + VS + "---", "in.yaml", "default")).hasSize(1);
  }

  @Test
  void anEmptyOrNullNameIsRejected() {
    assertThat(problemsOf(VS.replace("{name: catalog}", "{name: \"\"}")).get(0).field())
        .isEqualTo("metadata.name");
    assertThat(problemsOf(VS.replace("{name: catalog}", "{name: null}")).get(0).field())
        .isEqualTo("metadata.name");
  }

  @Test
  void namesAndNamespacesMustBeDns1123() {
    assertThat(problemsOf(VS.replace("{name: catalog}", "{name: Catalog_V1}")).get(0).message())
        .contains("Catalog_V1", "DNS-1123");
    assertThat(
            problemsOf(VS.replace("{name: catalog}", "{name: catalog, namespace: -shop}"))
                .get(0)
                .field())
        .isEqualTo("metadata.namespace");
  }

  @Test
  void aQuotedWeightIsNotAnInteger() {
    String weighted =
        VS.replace(
            "- destination: {host: catalog}",
            "- destination: {host: catalog}\n      weight: \"90\"");
    assertThat(problemsOf(weighted).get(0).field()).isEqualTo("spec.http[0].route[0].weight");
  }

  @Test
  void anEmptyHostIsRejected() {
    assertThat(problemsOf(VS.replace("hosts: [catalog]", "hosts: [\"\"]")).get(0).field())
        .isEqualTo("spec.hosts[0]");
    assertThat(
            problemsOf(VS.replace("destination: {host: catalog}", "destination: {host: \"\"}"))
                .get(0)
                .field())
        .isEqualTo("spec.http[0].route[0].destination.host");
  }

  @Test
  void twoResourcesOfOneKindWithOneNameAreRejectedAtTheSecond() {
    List<ConfigProblem> problems = problemsOf(VS + "---\n" + VS);
    assertThat(problems.get(0).line()).isGreaterThan(9);
    assertThat(problems.get(0).message()).contains("VirtualService", "default/catalog");
  }

  @Test
  void noProblemEscapesAsAnotherException() {
    assertThatThrownBy(() -> IstioYamlParser.parse("{{{{", "in.yaml", "default"))
        .isInstanceOf(InvalidConfigException.class);
  }
}
