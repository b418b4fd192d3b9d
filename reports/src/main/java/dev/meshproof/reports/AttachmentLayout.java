package dev.meshproof.reports;

import dev.meshproof.scenario.result.ScenarioResult;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where each attachment goes: {@code attachments/<test-id>/<target>/<name>.json}, with target and
 * name reduced to safe file-name characters. Computed once per report so the JSON/YAML reference
 * and the file written agree, and so two names that sanitise alike get distinct files.
 */
final class AttachmentLayout {

  static final String DIRECTORY = "attachments";
  private static final int MAX_NAME_LENGTH = 80;

  /** One attachment of one run. */
  record Entry(String name, String content, String relativePath) {}

  private final Map<String, Map<String, List<Entry>>> byTestAndTarget = new HashMap<>();

  AttachmentLayout(ConformanceReport report) {
    for (ConformanceTestResult test : report.tests()) {
      Map<String, List<Entry>> byTarget = new LinkedHashMap<>();
      Set<String> targetDirs = new HashSet<>();
      for (ScenarioResult result : test.results()) {
        Map<String, String> attachments = result.attachments();
        if (attachments == null || attachments.isEmpty()) {
          byTarget.put(result.target(), List.of());
          continue;
        }
        String targetDir = unique(sanitise(result.target()), "", targetDirs);
        Set<String> files = new HashSet<>();
        List<Entry> entries =
            attachments.entrySet().stream()
                .map(
                    a -> {
                      String file = unique(sanitise(a.getKey()), extension(a.getValue()), files);
                      String path = String.join("/", DIRECTORY, test.id(), targetDir, file);
                      return new Entry(a.getKey(), a.getValue() == null ? "" : a.getValue(), path);
                    })
                .toList();
        byTarget.put(result.target(), entries);
      }
      byTestAndTarget.put(test.id(), byTarget);
    }
  }

  /** The attachments of one run, in the run's order. */
  List<Entry> entries(String testId, String target) {
    return byTestAndTarget.getOrDefault(testId, Map.of()).getOrDefault(target, List.of());
  }

  /** Every attachment of the report. */
  List<Entry> all() {
    return byTestAndTarget.values().stream()
        .flatMap(m -> m.values().stream())
        .flatMap(List::stream)
        .toList();
  }

  /**
   * Reduces a name to {@code [A-Za-z0-9._-]}: {@code config_dump client-0} becomes {@code
   * config_dump_client-0}. A leading dot is replaced so no name is hidden or climbs a directory.
   */
  static String sanitise(String name) {
    String safe = name == null ? "" : name.replaceAll("[^A-Za-z0-9._-]+", "_");
    if (safe.startsWith(".")) {
      safe = "_" + safe.substring(1);
    }
    if (safe.length() > MAX_NAME_LENGTH) {
      safe = safe.substring(0, MAX_NAME_LENGTH);
    }
    return safe.isEmpty() || safe.equals("_") ? "attachment" : safe;
  }

  private static String extension(String content) {
    // Config dumps are JSON; anything else (a log, a YAML manifest) is kept as plain text so the
    // file opens correctly.
    String trimmed = content == null ? "" : content.strip();
    return trimmed.startsWith("{") || trimmed.startsWith("[") ? ".json" : ".txt";
  }

  private static String unique(String base, String extension, Set<String> taken) {
    // Compared case-insensitively: macOS and Windows file systems would merge "A" and "a".
    String candidate = base + extension;
    for (int n = 2; !taken.add(candidate.toLowerCase(Locale.ROOT)); n++) {
      candidate = base + "-" + n + extension;
    }
    return candidate;
  }
}
