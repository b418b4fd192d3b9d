package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Opens the HTML report in real headless Chromium, with networking features off, to prove it works
 * from the file alone: no console message (so no script error and no Content-Security-Policy
 * violation), the matrix and the failing test's evidence present, the filters applied from the
 * page's query. Screenshots land in {@code target/chromium/} for people to look at. Skipped where
 * Chromium is not installed ({@code .ci/run} installs it).
 */
class ReportScreenshotIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DIR = Path.of("target", "chromium").toAbsolutePath();
  private static ReportFiles files;

  @BeforeAll
  static void writeReport() throws IOException {
    assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM);
    files = ReportWriter.write(SampleReports.sample(), DIR.resolve("report"));
  }

  @Test
  void theFirstScreenShowsWhyATestFailedWithoutAnyConsoleMessage() throws Exception {
    Path png = DIR.resolve("report.png");
    Files.deleteIfExists(png);

    Chromium run = chromium("", "--screenshot=" + png, "--window-size=1280,1000");

    assertThat(run.consoleMessages()).isEmpty();
    assertPng(png, run);
  }

  @Test
  void theMatrixAndTheFailingTestsEvidenceArePresentAndTheScriptRan() throws Exception {
    Chromium run = chromium("", "--dump-dom");

    assertThat(run.consoleMessages()).isEmpty();
    assertThat(run.stdout())
        .contains("<table class=\"matrix\">")
        .contains("<h2 id=\"failures\">Why tests failed</h2>")
        .contains("every request is attempted at most 3 times")
        .contains("first failed request #17 ended 503 RESPONSE; client sidecar: route")
        .contains("<strong>Request #17</strong>")
        .contains("<code>UH</code> no healthy upstream host")
        // Written by the script: proves it ran under the page's Content-Security-Policy.
        .contains("3 of 3 tests shown");
  }

  @Test
  void aFailingTestShowsItsAttemptsTimelineFindingsAndWhatWasNotSimulated() throws Exception {
    Path png = DIR.resolve("report-failing-test-evidence.png");
    Files.deleteIfExists(png);
    Chromium dom = chromium("?result=failed#test-MeshRetries-5xx", "--dump-dom");
    Chromium screenshot =
        chromium(
            "?result=failed#test-MeshRetries-5xx",
            "--screenshot=" + png,
            "--window-size=1280,2400");

    assertThat(dom.consoleMessages()).isEmpty();
    assertThat(screenshot.consoleMessages()).isEmpty();
    assertThat(dom.stdout())
        .contains("<caption>Upstream attempts, as the instances journaled them</caption>")
        .contains("<code>ratings-v2-1</code>")
        .contains("<code>spiffe://cluster.local/ns/default/sa/productpage</code>")
        .contains("<caption>Mirror copies, as the mirror targets journaled them</caption>")
        .contains("<svg class=\"chart timeline\"")
        .contains("<svg class=\"chart topology\"")
        .contains("local reply or no connection")
        .contains("<rect class=\"fault\"")
        .contains("<h5>Analyzer findings (istioctl analyze)</h5>")
        .contains("<h5>Not simulated (accepted, without effect on this run)</h5>")
        // The sample's injected markup stays text in every new part.
        .doesNotContain("<script>alert");
    assertPng(png, screenshot);
  }

  @Test
  void aPassingSplitShowsItsTopologyWithEveryInstance() throws Exception {
    Path png = DIR.resolve("report-topology.png");
    Files.deleteIfExists(png);
    Chromium screenshot =
        chromium(
            "?result=passed#test-MeshHTTPRouteWeight-90-10",
            "--screenshot=" + png,
            "--window-size=1280,1800");

    assertThat(screenshot.consoleMessages()).isEmpty();
    assertPng(png, screenshot);
  }

  @Test
  void filtersFromTheQueryHideTestsAndMatrixRows() throws Exception {
    Path png = DIR.resolve("report-failed-only.png");
    Files.deleteIfExists(png);
    Chromium failed = chromium("?result=failed", "--dump-dom");
    Chromium screenshot =
        chromium("?result=failed", "--screenshot=" + png, "--window-size=1280,1000");

    assertThat(failed.consoleMessages()).isEmpty();
    assertThat(failed.stdout()).contains("1 of 3 tests shown");
    assertThat(hidden(failed.stdout(), "article", "test-MeshHTTPRouteWeight-90-10")).isTrue();
    assertThat(hidden(failed.stdout(), "article", "test-MeshRetries-5xx")).isFalse();
    assertThat(failed.stdout())
        .containsPattern("<tr data-feature=\"MeshHTTPRouteWeight\" hidden=\"\">")
        .containsPattern("<tr data-feature=\"MeshRetries\">");
    assertPng(png, screenshot);

    assertThat(chromium("?target=embedded&result=passed", "--dump-dom").stdout())
        .contains("1 of 3 tests shown");
    assertThat(chromium("?target=envoy&result=skipped", "--dump-dom").stdout())
        .contains("3 of 3 tests shown");
    Chromium search = chromium("?q=no+healthy+upstream", "--dump-dom");
    assertThat(search.stdout()).contains("1 of 3 tests shown");
    assertThat(hidden(search.stdout(), "article", "test-MeshRetries-5xx")).isFalse();
    assertThat(chromium("?feature=MeshOutlierDetection", "--dump-dom").stdout())
        .contains("1 of 3 tests shown");
  }

  /** Whether the element with the id carries the {@code hidden} attribute in the dumped DOM. */
  private static boolean hidden(String dom, String tag, String id) {
    Matcher m =
        Pattern.compile("<" + tag + " [^>]*id=\"" + Pattern.quote(id) + "\"[^>]*>").matcher(dom);
    assertThat(m.find()).as("<%s id=%s> in the DOM", tag, id).isTrue();
    return m.group().contains(" hidden=\"\"");
  }

  private static void assertPng(Path png, Chromium run) throws IOException {
    assertThat(png).as(run.log()).isRegularFile();
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).hasSizeGreaterThan(10_000);
    // PNG signature: \x89 P N G
    assertThat(bytes[1]).isEqualTo((byte) 'P');
    assertThat(bytes[2]).isEqualTo((byte) 'N');
    assertThat(bytes[3]).isEqualTo((byte) 'G');
  }

  private record Chromium(String stdout, String log) {
    /** Every page console message; Chromium logs them as {@code INFO:CONSOLE}. */
    List<String> consoleMessages() {
      List<String> out = new ArrayList<>();
      log.lines().filter(l -> l.contains(":CONSOLE")).forEach(out::add);
      return out;
    }
  }

  private static Chromium chromium(String query, String... args) throws Exception {
    Path profile = Files.createTempDirectory("meshproof-chromium-");
    Path stdout = profile.resolve("stdout.txt");
    Path log = profile.resolve("chromium.log");
    List<String> command =
        new ArrayList<>(
            List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--enable-logging=stderr",
                "--v=0",
                "--user-data-dir=" + profile.resolve("profile")));
    command.addAll(List.of(args));
    command.add(files.html().toUri() + query);
    Process chromium =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(log.toFile())
            .start();
    try {
      assertThat(chromium.waitFor(120, TimeUnit.SECONDS)).as("Chromium finished").isTrue();
    } finally {
      chromium.destroyForcibly();
      chromium.waitFor(10, TimeUnit.SECONDS);
    }
    Chromium result =
        new Chromium(
            Files.readString(stdout, StandardCharsets.UTF_8),
            Files.readString(log, StandardCharsets.UTF_8));
    deleteRecursively(profile);
    return result;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
