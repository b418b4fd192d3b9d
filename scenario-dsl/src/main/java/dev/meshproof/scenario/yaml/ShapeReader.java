package dev.meshproof.scenario.yaml;

import dev.meshproof.runtime.config.ConfigProblem;
import dev.meshproof.scenario.yaml.Shape.Choice;
import dev.meshproof.scenario.yaml.Shape.Field;
import dev.meshproof.scenario.yaml.Shape.ListOf;
import dev.meshproof.scenario.yaml.Shape.MapOf;
import dev.meshproof.scenario.yaml.Shape.Obj;
import dev.meshproof.scenario.yaml.Shape.Scalar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a SnakeYAML node tree against a {@link Shape}, collecting every problem with its file,
 * line, column and field path: unknown keys with the nearest known one ("did you mean"), missing
 * required keys, wrong types and out-of-range numbers. Nothing the user wrote is silently dropped.
 */
final class ShapeReader {
  private final String source;
  private final List<ConfigProblem> problems;

  ShapeReader(String source, List<ConfigProblem> problems) {
    this.source = source;
    this.problems = problems;
  }

  /** The checked value, or empty when it has problems (already recorded). */
  Optional<Value> read(Node node, Shape shape, String path) {
    if (shape instanceof Obj obj) {
      return object(node, obj, path);
    } else if (shape instanceof ListOf list) {
      return list(node, list, path);
    } else if (shape instanceof MapOf map) {
      return map(node, map, path);
    } else if (shape instanceof Scalar scalar) {
      return scalar(node, scalar, path);
    }
    return choice(node, (Choice) shape, path);
  }

  void problem(int line, int column, String path, String message) {
    problems.add(new ConfigProblem(source, line, column, path, message));
  }

  private void problem(Node node, String path, String message) {
    problem(node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1, path, message);
  }

  private Value at(Node node, String path, Object value) {
    return new Value(
        value, node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1, path);
  }

  private Optional<Value> object(Node node, Obj shape, String path) {
    if (!(node instanceof MappingNode mapping)) {
      problem(node, path, "found " + describe(node) + " (expected: " + shape.expected() + ")");
      return Optional.empty();
    }
    Map<String, Value> fields = new LinkedHashMap<>();
    boolean ok = true;
    List<String> present = new ArrayList<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        problem(tuple.getKeyNode(), path, "field names must be plain strings");
        ok = false;
        continue;
      }
      String key = keyNode.getValue();
      String child = child(path, key);
      Optional<Field> field = shape.field(key);
      if (field.isEmpty()) {
        problem(keyNode, child, unknownField(key, shape.names()));
        ok = false;
        continue;
      }
      if (present.contains(key)) {
        problem(keyNode, child, "duplicate field");
        ok = false;
        continue;
      }
      present.add(key);
      Optional<Value> value = read(tuple.getValueNode(), field.get().shape(), child);
      if (value.isEmpty()) {
        ok = false;
      } else {
        fields.put(key, value.get());
      }
    }
    for (Field field : shape.fields()) {
      if (field.required() && !present.contains(field.name())) {
        problem(
            node,
            child(path, field.name()),
            "required field is missing (expected: " + field.shape().expected() + ")");
        ok = false;
      }
    }
    if (!shape.exactlyOne().isEmpty()) {
      List<String> chosen = present.stream().filter(shape.exactlyOne()::contains).toList();
      if (chosen.size() != 1) {
        problem(
            node,
            path,
            (chosen.isEmpty() ? "none of" : "more than one of " + chosen + " among")
                + " the alternatives (expected: exactly one of "
                + shape.exactlyOne()
                + ")");
        ok = false;
      }
    }
    return ok ? Optional.of(at(node, path, fields)) : Optional.empty();
  }

  private Optional<Value> list(Node node, ListOf shape, String path) {
    if (!(node instanceof SequenceNode sequence)) {
      problem(node, path, "found " + describe(node) + " (expected: " + shape.expected() + ")");
      return Optional.empty();
    }
    List<Value> items = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < sequence.getValue().size(); i++) {
      Optional<Value> item = read(sequence.getValue().get(i), shape.items(), path + "[" + i + "]");
      if (item.isPresent()) {
        items.add(item.get());
      } else {
        ok = false;
      }
    }
    return ok ? Optional.of(at(node, path, items)) : Optional.empty();
  }

  private Optional<Value> map(Node node, MapOf shape, String path) {
    if (!(node instanceof MappingNode mapping)) {
      problem(node, path, "found " + describe(node) + " (expected: " + shape.expected() + ")");
      return Optional.empty();
    }
    Map<String, Value> entries = new LinkedHashMap<>();
    boolean ok = true;
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        problem(tuple.getKeyNode(), path, "keys must be plain strings");
        ok = false;
        continue;
      }
      String key = keyNode.getValue();
      if (entries.containsKey(key)) {
        problem(keyNode, child(path, key), "duplicate key");
        ok = false;
        continue;
      }
      Optional<Value> value = read(tuple.getValueNode(), shape.values(), child(path, key));
      if (value.isPresent()) {
        entries.put(key, value.get());
      } else {
        ok = false;
      }
    }
    return ok ? Optional.of(at(node, path, entries)) : Optional.empty();
  }

  private Optional<Value> choice(Node node, Choice shape, String path) {
    Optional<String> text = text(node, path, shape.expected());
    if (text.isPresent() && !shape.values().contains(text.get())) {
      problem(
          node,
          path,
          "\""
              + text.get()
              + "\""
              + suggestion(text.get(), shape.values())
              + " (expected: "
              + shape.expected()
              + ")");
      return Optional.empty();
    }
    return text.map(t -> at(node, path, t));
  }

  private Optional<Value> scalar(Node node, Scalar shape, String path) {
    Optional<String> text = text(node, path, shape.expected());
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String t = text.get();
    boolean plain = ((ScalarNode) node).getScalarStyle() == DumperOptions.ScalarStyle.PLAIN;
    Object parsed =
        switch (shape.kind()) {
          case STRING -> t;
          case BOOLEAN -> plain && Tag.BOOL.equals(node.getTag()) ? Boolean.valueOf(t) : null;
          case DURATION -> Durations.parse(t.strip()).orElse(null);
          case INTEGER -> plain ? parseLong(t) : null;
          case NUMBER -> plain ? parseDouble(t) : null;
        };
    if (parsed == null) {
      problem(node, path, "found \"" + t + "\" (expected: " + shape.expected() + ")");
      return Optional.empty();
    }
    if (parsed instanceof Duration d && d.getNano() % 1_000_000 != 0) {
      problem(node, path, t + ": finer than 1ms (expected: " + shape.expected() + ")");
      return Optional.empty();
    }
    double number = parsed instanceof Long l ? l : parsed instanceof Double d ? d : Double.NaN;
    if (!Double.isNaN(number) && (number < shape.min() || number > shape.max())) {
      problem(node, path, t + " is out of range (expected: " + shape.expected() + ")");
      return Optional.empty();
    }
    return Optional.of(at(node, path, parsed));
  }

  private Optional<String> text(Node node, String path, String expected) {
    if (node instanceof ScalarNode scalar && !Tag.NULL.equals(scalar.getTag())) {
      return Optional.of(scalar.getValue());
    }
    problem(node, path, "found " + describe(node) + " (expected: " + expected + ")");
    return Optional.empty();
  }

  private static Long parseLong(String text) {
    try {
      return Long.parseLong(text.replace("_", ""));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double parseDouble(String text) {
    try {
      double d = Double.parseDouble(text.replace("_", ""));
      return Double.isFinite(d) ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return Tag.NULL.equals(node.getTag())
        ? "no value"
        : "\"" + ((ScalarNode) node).getValue() + "\"";
  }

  static String unknownField(String key, List<String> allowed) {
    return "unknown field \""
        + key
        + "\""
        + suggestion(key, allowed)
        + " (allowed: "
        + allowed
        + ")";
  }

  /** {@code ", did you mean \"x\"?"} for the nearest candidate within a typo's distance. */
  static String suggestion(String found, List<String> candidates) {
    return candidates.stream()
        .min(Comparator.comparingInt(c -> distance(found, c)))
        .filter(c -> distance(found, c) <= Math.max(2, found.length() / 3))
        .map(c -> ", did you mean \"" + c + "\"?")
        .orElse("");
  }

  /** Levenshtein distance, case-insensitive (a wrong case is a typo too). */
  static int distance(String a, String b) {
    String x = a.toLowerCase(Locale.ROOT);
    String y = b.toLowerCase(Locale.ROOT);
    int[] previous = new int[y.length() + 1];
    int[] current = new int[y.length() + 1];
    for (int j = 0; j <= y.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= x.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= y.length(); j++) {
        int substitution = previous[j - 1] + (x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[y.length()];
  }
}
