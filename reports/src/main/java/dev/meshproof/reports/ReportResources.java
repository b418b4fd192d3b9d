package dev.meshproof.reports;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Text resources of the reports jar: the report's stylesheet and script, the evidence schema. */
final class ReportResources {
  private ReportResources() {}

  /**
   * The UTF-8 text of {@code name}, next to this class in the jar.
   *
   * @throws IllegalStateException when the jar lacks it (a packaging bug, not a user's error)
   */
  static String text(String name) {
    try (InputStream in = ReportResources.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the reports jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + name, e);
    }
  }
}
