package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random mutations of Istio's own sample files: every input either parses or is rejected with
 * located problems (file and a line), never another exception, and each within a time bound.
 */
class IstioYamlParserFuzzTest {
  private static final List<String> CORPUS = corpus();
  private static final String ODD_CHARACTERS =
      "\u0000\u0007\t\n\r :-[]{}&*!|>'\"%@`#,?\u00e9\ufeff";

  /** One edit of a document: where, what kind, and the character it may insert. */
  record Mutation(double where, int kind, char character) {
    String apply(String text) {
      if (text.isEmpty()) {
        return String.valueOf(character);
      }
      int at = (int) (where * text.length());
      return switch (kind) {
        case 0 -> text.substring(0, at) + character + text.substring(at);
        case 1 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1));
        case 2 -> duplicateLine(text, at);
        case 3 -> text.substring(0, at) + "\n" + text.substring(at);
        case 4 -> text.substring(0, at) + "  " + text.substring(at);
        default -> text.substring(0, at) + "\n---\n" + text.substring(at);
      };
    }

    private static String duplicateLine(String text, int at) {
      int start = text.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
      int end = text.indexOf('\n', at);
      String line = text.substring(start, end < 0 ? text.length() : end + 1);
      return text.substring(0, start) + line + text.substring(start);
    }
  }

  @Provide
  Arbitrary<String> mutatedSamples() {
    Arbitrary<Mutation> mutation =
        Combinators.combine(
                Arbitraries.doubles().between(0, 1).ofScale(6).lessOrEqual(0.999999),
                Arbitraries.integers().between(0, 5),
                Arbitraries.of(ODD_CHARACTERS.chars().mapToObj(c -> (char) c).toList()))
            .as(Mutation::new);
    return Combinators.combine(Arbitraries.of(CORPUS), mutation.list().ofMinSize(1).ofMaxSize(8))
        .as(
            (text, mutations) -> {
              String out = text;
              for (Mutation m : mutations) {
                out = m.apply(out);
              }
              return out;
            });
  }

  @Property(tries = 400, seed = "20261201")
  void everyMutatedSampleParsesOrYieldsLocatedProblems(@ForAll("mutatedSamples") String yaml) {
    // A problem's line is one the user can open: within the text, or just past its end (EOF).
    int lines = (int) yaml.lines().count();
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          try {
            IstioYamlParser.parse(yaml, "sample.yaml", "default");
          } catch (InvalidConfigException e) {
            assertThat(e.problems())
                .isNotEmpty()
                .allSatisfy(
                    p -> {
                      assertThat(p.source()).isEqualTo("sample.yaml");
                      assertThat(p.line()).as("line of %s", p).isBetween(1, lines + 1);
                      assertThat(p.column()).as("column of %s", p).isPositive();
                      assertThat(p.message()).isNotBlank();
                    });
          }
        });
  }

  private static List<String> corpus() {
    try {
      Path dir =
          Path.of(IstioYamlParserFuzzTest.class.getResource("/istio-samples/NOTICE").toURI())
              .getParent();
      try (Stream<Path> files = Files.list(dir)) {
        return files
            .filter(p -> p.toString().endsWith(".yaml"))
            .sorted()
            .map(
                p -> {
                  try {
                    return Files.readString(p, StandardCharsets.UTF_8);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                })
            .toList();
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot read the Istio samples corpus", e);
    }
  }
}
