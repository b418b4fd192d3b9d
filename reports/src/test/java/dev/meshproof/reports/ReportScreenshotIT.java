package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the HTML report in headless Chromium, with networking features off, to prove it renders
 * from the file alone. Skipped where Chromium is not installed; not a build requirement.
 */
class ReportScreenshotIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @Test
  void headlessChromiumRendersTheReportToAPng(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM);
    ReportFiles files = ReportWriter.write(SampleReports.sample(), dir.resolve("report"));
    Path png = dir.resolve("report.png");

    Process chromium =
        new ProcessBuilder(
                List.of(
                    CHROMIUM.toString(),
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--user-data-dir=" + dir.resolve("profile"),
                    "--screenshot=" + png,
                    "--window-size=1280,2000",
                    files.html().toUri().toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("chromium.log").toFile())
            .start();
    try {
      assertThat(chromium.waitFor(120, TimeUnit.SECONDS)).as("Chromium finished").isTrue();
    } finally {
      chromium.destroyForcibly();
    }

    assertThat(png).as(log(dir)).isRegularFile();
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).hasSizeGreaterThan(10_000);
    // PNG signature: \x89 P N G
    assertThat(bytes[1]).isEqualTo((byte) 'P');
    assertThat(bytes[2]).isEqualTo((byte) 'N');
    assertThat(bytes[3]).isEqualTo((byte) 'G');
  }

  private static String log(Path dir) {
    try {
      return Files.readString(dir.resolve("chromium.log"));
    } catch (IOException e) {
      return "no Chromium log: " + e;
    }
  }
}
