package dev.meshproof.scenario.yaml;

import dev.meshproof.scenario.Scenario;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A scenario read from a file, with the file's {@code metadata} (id, feature, description,
 * specReference) that says what it is for.
 *
 * @param source the file (or resource) it was read from, as error messages name it
 */
public record ScenarioFile(String source, Scenario scenario, Map<String, String> metadata) {

  public ScenarioFile {
    metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** A metadata entry, e.g. {@code metadata("id")}. */
  public Optional<String> metadata(String key) {
    return Optional.ofNullable(metadata.get(key));
  }
}
