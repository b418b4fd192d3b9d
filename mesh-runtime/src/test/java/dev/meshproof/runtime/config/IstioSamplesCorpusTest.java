package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's own sample VirtualServices and DestinationRules (Bookinfo, helloworld, httpbin,
 * tcp-echo), as users copy them. Each must parse, or be rejected only for fields Meshproof does not
 * implement yet, located to the line: a valid Istio field reported as unknown is a parser bug.
 */
class IstioSamplesCorpusTest {

  static Stream<Path> samples() throws IOException, URISyntaxException {
    Path dir = Path.of(IstioSamplesCorpusTest.class.getResource("/istio-samples").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everyVirtualServiceAndDestinationRuleParsesOrIsRejectedOnlyAsNotYetSupported(Path sample)
      throws IOException {
    String text;
    try (InputStream in = Files.newInputStream(sample)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> documents = routingDocuments(text);
    assertThat(documents).as("sample %s has routing resources", sample.getFileName()).isNotEmpty();
    for (String document : documents) {
      try {
        List<IstioResource> resources =
            IstioYamlParser.parse(document, sample.getFileName().toString(), "default");
        assertThat(resources).hasSize(1);
      } catch (InvalidConfigException e) {
        assertThat(e.problems())
            .allSatisfy(
                p -> {
                  assertThat(p.message()).contains("not supported by Meshproof yet");
                  assertThat(p.line()).isPositive();
                });
      }
    }
  }

  /**
   * The file's VirtualService and DestinationRule documents, each padded with blank lines where the
   * other documents stood, so reported line numbers are the file's.
   */
  private static List<String> routingDocuments(String text) {
    String[] lines = text.split("\n", -1);
    List<int[]> ranges = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= lines.length; i++) {
      if (i == lines.length || lines[i].startsWith("---")) {
        ranges.add(new int[] {start, i});
        start = i + 1;
      }
    }
    List<String> documents = new ArrayList<>();
    for (int[] range : ranges) {
      StringBuilder doc = new StringBuilder();
      boolean routing = false;
      for (int i = 0; i < lines.length; i++) {
        boolean inside = i >= range[0] && i < range[1];
        doc.append(inside ? lines[i] : "").append('\n');
        if (inside && lines[i].matches("kind:\\s*(VirtualService|DestinationRule)\\s*")) {
          routing = true;
        }
      }
      if (routing) {
        documents.add(doc.toString());
      }
    }
    return documents;
  }
}
