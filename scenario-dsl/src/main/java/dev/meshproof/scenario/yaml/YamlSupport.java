package dev.meshproof.scenario.yaml;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Represent;
import org.yaml.snakeyaml.representer.Representer;

/** Helpers shared by the scenario file's block readers and writers. */
final class YamlSupport {
  private YamlSupport() {}

  /** Runs a builder step; its refusal becomes a problem of {@code reader} at {@code where}. */
  static void attempt(ShapeReader reader, Value where, Runnable step) {
    try {
      step.run();
    } catch (IllegalArgumentException | IllegalStateException e) {
      reader.problem(where.line(), where.column(), where.path(), e.getMessage());
    }
  }

  static void requireTrue(Value object, String field) {
    if (!object.bool(field).orElseThrow()) {
      throw new IllegalArgumentException(field + ": false (expected: true, or leave it out)");
    }
  }

  static void putNonEmpty(Map<String, Object> out, String key, List<Object> values) {
    if (!values.isEmpty()) {
      out.put(key, values);
    }
  }

  static void putList(Map<String, Object> out, String key, List<String> values) {
    if (!values.isEmpty()) {
      out.put(key, values);
    }
  }

  static Yaml dumper() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    options.setWidth(100);
    return new Yaml(new ScenarioRepresenter(options), options);
  }

  /** Durations as Istio writes them, multi-line text (Istio YAML) as a literal block. */
  private static final class ScenarioRepresenter extends Representer {
    ScenarioRepresenter(DumperOptions options) {
      super(options);
      Represent plainString = representers.get(String.class);
      representers.put(
          String.class,
          data ->
              ((String) data).contains("\n")
                  ? representScalar(Tag.STR, (String) data, DumperOptions.ScalarStyle.LITERAL)
                  : plainString.representData(data));
      representers.put(
          Duration.class, data -> plainString.representData(Durations.format((Duration) data)));
    }
  }
}
