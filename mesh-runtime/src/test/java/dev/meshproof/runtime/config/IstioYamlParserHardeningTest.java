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

  @Test
  void theNulByteIsLocatedAtItsLineAndColumn() {
    ConfigProblem problem = problemsOf(VS.replace("catalog}", "cat\u0000alog}")).get(0);
    assertThat(problem.line()).isEqualTo(3);
    assertThat(problem.column()).isEqualTo(21);
    assertThat(problem.message()).contains("U+0000");
  }

  @Test
  void theAliasProblemIsLocatedAtTheFirstAliasBeyondTheLimit() {
    StringBuilder yaml = new StringBuilder("a: &a [x]\n");
    for (int line = 2; line <= 7; line++) {
      yaml.append("k").append(line).append(": [").append("*a, ".repeat(9)).append("*a]\n");
    }
    // 10 aliases per line from line 2: the 51st is the first on line 7.
    ConfigProblem problem = problemsOf(yaml.toString()).get(0);
    assertThat(problem.line()).isEqualTo(7);
    assertThat(problem.message()).contains("more than 50 aliases");
  }

  @Test
  void nestingIsLocatedAtTheFirstCollectionBeyondTheLimit() {
    ConfigProblem problem = problemsOf("a: " + "[".repeat(60) + "]".repeat(60) + "\n").get(0);
    // The root mapping is level 1, so the 50th '[' (column 3 + 50) is level 51.
    assertThat(problem.line()).isEqualTo(1);
    assertThat(problem.column()).isEqualTo(53);
  }

  @Test
  void theSizeLimitIsLocatedWhereTheFileExceedsIt() {
    String line = "# " + "x".repeat(1021) + "\n"; // 1 KiB per line
    String big = line.repeat(3 * 1024 + 10);
    ConfigProblem problem = problemsOf(big).get(0);
    assertThat(problem.line()).isEqualTo(3 * 1024 + 1);
    assertThat(problem.column()).isEqualTo(1);
  }

  @Test
  void aFileJustUnderTheSizeLimitParsesQuickly() {
    String big = VS + ("# " + "x".repeat(1021) + "\n").repeat(3 * 1024 - 1);
    long start = System.nanoTime();
    assertThat(IstioYamlParser.parse(big, "in.yaml", "default")).hasSize(1);
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(java.time.Duration.ofSeconds(10));
  }

  @Test
  void emptyAndCommentOnlyDocumentsAreSkipped() {
    String yaml = "---\n# only a comment\n---\n" + VS + "---\n---\n# the end\n";
    assertThat(IstioYamlParser.parse(yaml, "in.yaml", "default")).hasSize(1);
    assertThat(IstioYamlParser.parse("# nothing here\n", "in.yaml", "default")).isEmpty();
    assertThat(IstioYamlParser.parse("", "in.yaml", "default")).isEmpty();
  }

  @Test
  void anEmptyOrNullNameSaysSo() {
    assertThat(problemsOf(VS.replace("{name: catalog}", "{name: \"\"}")).get(0).toString())
        .isEqualTo(
            "in.yaml:3:18: metadata.name: must not be empty (expected: a DNS-1123 name"
                + " such as reviews-v1)");
    assertThat(problemsOf(VS.replace("{name: catalog}", "{name: ~}")).get(0).message())
        .startsWith("required field has no value");
  }

  @Test
  void namesAndNamespacesHaveKubernetesLengthLimits() {
    String longName = ("a".repeat(60) + ".").repeat(4) + "b".repeat(9); // 253 characters
    assertThat(longName).hasSize(253);
    assertThat(
            IstioYamlParser.parse(
                VS.replace("{name: catalog}", "{name: " + longName + "}"), "in.yaml", "default"))
        .hasSize(1);
    assertThat(
            problemsOf(VS.replace("{name: catalog}", "{name: " + longName + "c}")).get(0).field())
        .isEqualTo("metadata.name");
    assertThat(
            problemsOf(
                    VS.replace(
                        "{name: catalog}", "{name: catalog, namespace: " + "n".repeat(64) + "}"))
                .get(0)
                .message())
        .contains("DNS-1123 label", "63");
    assertThat(
            problemsOf(VS.replace("{name: catalog}", "{name: catalog, namespace: a.b}"))
                .get(0)
                .field())
        .isEqualTo("metadata.namespace");
    assertThat(
            IstioYamlParser.parse(
                    VS.replace("{name: catalog}", "{name: v1.catalog-2," + " namespace: shop-1}"),
                    "in.yaml",
                    "default")
                .get(0)
                .meta()
                .namespace())
        .isEqualTo("shop-1");
  }

  @Test
  void quotedIntegersAndBooleansAreStrings() {
    String port = VS.replace("{host: catalog}", "{host: catalog, port: {number: \"80\"}}");
    assertThat(problemsOf(port).get(0).toString())
        .isEqualTo(
            "in.yaml:8:51: spec.http[0].route[0].destination.port.number: \"80\" is a"
                + " quoted string (expected: an integer from 1 to 65535, written without quotes)");
    String ignoreCase =
        VS.replace(
            "  - route:",
            "  - match:\n    - {uri: {prefix: /}, ignoreUriCase: \"true\"}\n" + "    route:");
    assertThat(problemsOf(ignoreCase).get(0).field())
        .isEqualTo("spec.http[0].match[0].ignoreUriCase");
  }

  @Test
  void anExplicitIntegerTagMakesAQuotedNumberAnInteger() {
    String weighted =
        VS.replace(
            "- destination: {host: catalog}",
            "- destination: {host: catalog}\n      weight: !!int \"90\"");
    assertThat(IstioYamlParser.parse(weighted, "in.yaml", "default")).hasSize(1);
  }

  @Test
  void anEmptyDestinationRuleHostIsRejected() {
    String dr =
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: catalog}
        spec: {host: ""}
        """;
    assertThat(problemsOf(dr).get(0).toString())
        .isEqualTo(
            "in.yaml:4:14: spec.host: must not be empty (expected: a service host such as catalog)");
  }

  @Test
  void theDuplicateNamesTheFirstDefinition() {
    assertThat(problemsOf(VS + "---\n" + VS).get(0).toString())
        .isEqualTo(
            "in.yaml:10:1: metadata.name: VirtualService default/catalog is already defined"
                + " at in.yaml:1 (expected: one resource per kind, namespace and name in one apply)");
    // Another namespace, or another kind, is another resource.
    assertThat(
            IstioYamlParser.parse(
                VS + "---\n" + VS.replace("{name: catalog}", "{name: catalog, namespace: shop}"),
                "in.yaml",
                "default"))
        .hasSize(2);
  }

  @Test
  void aFileThatIsNotUtf8IsALocatedError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path file = dir.resolve("latin1.yaml");
    java.nio.file.Files.write(
        file,
        VS.replace("hosts: [catalog]", "hosts: [caf\u00e9]")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    Throwable thrown = catchThrowable(() -> IstioYamlParser.parse(file, "default"));
    assertThat(thrown).isInstanceOf(InvalidConfigException.class);
    ConfigProblem problem = ((InvalidConfigException) thrown).problems().get(0);
    assertThat(problem.source()).isEqualTo(file.toString());
    assertThat(problem.line()).isEqualTo(5);
    assertThat(problem.column()).isEqualTo(14);
    assertThat(problem.message()).startsWith("not UTF-8: byte 0xE9");
  }

  @Test
  void aUtf8FileParses(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path file = dir.resolve("vs.yaml");
    java.nio.file.Files.writeString(file, "# caf\u00e9 \u2603\n" + VS);
    assertThat(IstioYamlParser.parse(file, "default")).hasSize(1);
  }
}
