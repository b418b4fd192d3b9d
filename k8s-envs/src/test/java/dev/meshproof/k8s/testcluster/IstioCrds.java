package dev.meshproof.k8s.testcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Istio's CustomResourceDefinitions as Istio publishes them: {@code
 * kubernetes/customresourcedefinitions.gen.yaml} of the Go module istio.io/api {@value
 * TestApiServer#ISTIO_API_VERSION}, fetched into Go's module cache by {@code go mod download}, so
 * the test API server validates Istio resources with the real OpenAPI schemas.
 */
final class IstioCrds {
  private static final Pattern DIR = Pattern.compile("\"Dir\":\\s*\"([^\"]+)\"");

  private IstioCrds() {}

  static Path file() throws IOException {
    Path go = TestApiServer.onPath("go").orElseThrow(() -> new IOException("go not found"));
    Process p =
        new ProcessBuilder(
                List.of(
                    go.toString(),
                    "mod",
                    "download",
                    "-json",
                    "istio.io/api@" + TestApiServer.ISTIO_API_VERSION))
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IOException("go mod download istio.io/api failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    Matcher m = DIR.matcher(out);
    if (!m.find()) {
      throw new IOException("go mod download printed no Dir: " + out);
    }
    Path crds = Path.of(m.group(1), "kubernetes", "customresourcedefinitions.gen.yaml");
    if (!Files.isRegularFile(crds)) {
      throw new IOException("no " + crds);
    }
    return crds;
  }
}
