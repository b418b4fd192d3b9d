package dev.meshproof.runtime.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BiFunction;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping read field by field against a schema. Every field read is marked as known; {@link
 * #finish()} reports the rest as unknown fields with the list of allowed ones, so nothing the user
 * wrote is silently dropped. Problems are collected, never thrown one at a time.
 */
final class YamlMapping {
  private final String source;
  private final String path;
  private final Node node;
  private final List<ConfigProblem> problems;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
  private final Set<String> known = new LinkedHashSet<>();

  private YamlMapping(String source, String path, Node node, List<ConfigProblem> problems) {
    this.source = source;
    this.path = path;
    this.node = node;
    this.problems = problems;
    if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key) {
          if (entries.put(key.getValue(), tuple) != null) {
            problem(tuple.getKeyNode(), child(key.getValue()), "duplicate field");
          }
        } else {
          problem(tuple.getKeyNode(), path, "field names must be plain strings");
        }
      }
    } else {
      problem(node, path, "expected a mapping, found " + describe(node));
    }
  }

  static YamlMapping of(String source, String path, Node node, List<ConfigProblem> problems) {
    return new YamlMapping(source, path, node, problems);
  }

  String path() {
    return path;
  }

  Node node() {
    return node;
  }

  String source() {
    return source;
  }

  List<ConfigProblem> problems() {
    return problems;
  }

  int line() {
    return node.getStartMark().getLine() + 1;
  }

  boolean has(String field) {
    known.add(field);
    return entries.containsKey(field);
  }

  Optional<Node> value(String field) {
    known.add(field);
    NodeTuple tuple = entries.get(field);
    return tuple == null ? Optional.empty() : Optional.of(tuple.getValueNode());
  }

  /**
   * The string value of {@code field}; a YAML null ({@code field: null}, {@code field: ~} or no
   * value) is absent, as the Kubernetes API server reads it.
   */
  Optional<String> string(String field) {
    return value(field).filter(v -> !isNull(v)).flatMap(v -> scalar(v, child(field), "a string"));
  }

  /** A required, non-empty string: absent, null and {@code ""} are each reported. */
  String requiredString(String field, String expected) {
    Optional<Node> value = value(field);
    if (value.isEmpty()) {
      problem(node, child(field), "required field is missing (expected: " + expected + ")");
      return "";
    }
    if (isNull(value.get())) {
      problem(
          value.get(), child(field), "required field has no value (expected: " + expected + ")");
      return "";
    }
    Optional<String> text = scalar(value.get(), child(field), "a string");
    if (text.isPresent() && text.get().isEmpty()) {
      problem(value.get(), child(field), "must not be empty (expected: " + expected + ")");
    }
    return text.orElse("");
  }

  OptionalInt integer(String field, int min, int max) {
    return integer(field, min, max, "an integer from " + min + " to " + max);
  }

  /**
   * An integer in {@code [min, max]}. As in the Kubernetes API server, a quoted number ({@code
   * weight: "90"}) is a string, not an integer; an explicit {@code !!int "90"} is an integer.
   */
  OptionalInt integer(String field, int min, int max, String expected) {
    Optional<Node> value = value(field);
    if (value.isEmpty()) {
      return OptionalInt.empty();
    }
    Optional<String> text = scalar(value.get(), child(field), expected);
    if (text.isEmpty()) {
      return OptionalInt.empty();
    }
    int parsed;
    try {
      parsed = Integer.parseInt(text.get().trim());
    } catch (NumberFormatException e) {
      problem(value.get(), child(field), "\"" + text.get() + "\" is not " + expected);
      return OptionalInt.empty();
    }
    if (!Tag.INT.equals(value.get().getTag())) {
      problem(
          value.get(),
          child(field),
          "\""
              + text.get()
              + "\" is a quoted string (expected: "
              + expected
              + ", written without quotes)");
      return OptionalInt.empty();
    }
    if (parsed < min || parsed > max) {
      problem(value.get(), child(field), parsed + " is out of range (expected: " + expected + ")");
      return OptionalInt.empty();
    }
    return OptionalInt.of(parsed);
  }

  /**
   * A duration as Istio accepts it ({@code 10s}, {@code 250ms}, {@code 1.5s}, {@code 1m30s}),
   * validated as Istio's {@code ValidateDuration}: millisecond precision, and at least 1 ms unless
   * {@code positive} is false and the value is zero.
   */
  Optional<Duration> duration(String field, boolean positive) {
    Optional<Node> value = value(field);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String expected = "a duration such as 250ms, 2s or 1m30s";
    Optional<String> text = scalar(value.get(), child(field), expected);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> parsed = parseDuration(text.get().strip());
    if (parsed.isEmpty()) {
      problem(value.get(), child(field), "\"" + text.get() + "\" is not " + expected);
      return Optional.empty();
    }
    Duration d = parsed.get();
    if (d.getNano() % 1_000_000 != 0) {
      problem(
          value.get(),
          child(field),
          text.get()
              + ": only durations to ms precision are supported (expected: "
              + expected
              + ")");
      return Optional.empty();
    }
    if ((positive || !d.isZero()) && d.compareTo(Duration.ofMillis(1)) < 0) {
      problem(
          value.get(),
          child(field),
          text.get() + ": duration must be at least 1ms" + (positive ? "" : " (or 0s to disable)"));
      return Optional.empty();
    }
    return Optional.of(d);
  }

  private static final java.util.regex.Pattern DURATION_PART =
      java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(h|ms|m|s|us|µs|ns)");

  /** Go's {@code time.ParseDuration} syntax, non-negative. */
  static Optional<Duration> parseDuration(String text) {
    if (text.equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    java.util.regex.Matcher m = DURATION_PART.matcher(text);
    int at = 0;
    java.math.BigDecimal nanos = java.math.BigDecimal.ZERO;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        return Optional.empty();
      }
      long unit =
          switch (m.group(2)) {
            case "h" -> 3_600_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "s" -> 1_000_000_000L;
            case "ms" -> 1_000_000L;
            case "us", "µs" -> 1_000L;
            default -> 1L;
          };
      nanos =
          nanos.add(
              new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(unit)));
      at = m.end();
    }
    if (text.isEmpty() || nanos.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(nanos.longValue()));
  }

  boolean bool(String field, boolean defaultValue) {
    Optional<Node> value = value(field);
    if (value.isEmpty()) {
      return defaultValue;
    }
    Optional<String> text = scalar(value.get(), child(field), "true or false");
    if (text.isEmpty()) {
      return defaultValue;
    }
    if (!Tag.BOOL.equals(value.get().getTag())
        && (text.get().equals("true") || text.get().equals("false"))) {
      problem(
          value.get(),
          child(field),
          "\""
              + text.get()
              + "\" is a quoted string (expected: true or false, written without quotes)");
      return defaultValue;
    }
    return switch (text.get()) {
      case "true" -> true;
      case "false" -> false;
      default -> {
        problem(
            value.get(),
            child(field),
            "\"" + text.get() + "\" is not a boolean (expected: true or false)");
        yield defaultValue;
      }
    };
  }

  /**
   * A string that must be one of {@code allowed} (an Istio or Kubernetes enum); absent and null are
   * empty, anything else is reported with the allowed values.
   */
  Optional<String> oneOf(String field, List<String> allowed) {
    Optional<String> text = string(field);
    if (text.isPresent() && !allowed.contains(text.get())) {
      problem(
          value(field).orElseThrow(),
          child(field),
          "\""
              + text.get()
              + "\" is not allowed (expected one of: "
              + String.join(", ", allowed)
              + ")");
      return Optional.empty();
    }
    return text;
  }

  /** Each item of a list of mappings, read with {@code reader}. */
  <T> List<T> mappings(String field, java.util.function.Function<YamlMapping, T> reader) {
    return list(
        field,
        (node, itemPath) ->
            Optional.ofNullable(reader.apply(of(source, itemPath, node, problems))));
  }

  /** Marks every field of this mapping as known: a block accepted whole (not simulated). */
  void acceptAll() {
    known.addAll(entries.keySet());
  }

  Optional<YamlMapping> mapping(String field) {
    return value(field).map(v -> of(source, child(field), v, problems));
  }

  /** Reads a sequence, each item with {@code reader}; items that could not be read are skipped. */
  <T> List<T> list(String field, BiFunction<Node, String, Optional<T>> reader) {
    Optional<Node> value = value(field);
    if (value.isEmpty()) {
      return List.of();
    }
    if (!(value.get() instanceof SequenceNode sequence)) {
      problem(value.get(), child(field), "expected a list, found " + describe(value.get()));
      return List.of();
    }
    List<T> out = new ArrayList<>();
    List<Node> items = sequence.getValue();
    for (int i = 0; i < items.size(); i++) {
      reader.apply(items.get(i), child(field) + "[" + i + "]").ifPresent(out::add);
    }
    return out;
  }

  List<String> stringList(String field) {
    return list(field, (item, itemPath) -> scalar(item, itemPath, "a string"));
  }

  /** A map of string to string, such as labels. */
  Map<String, String> stringMap(String field) {
    Optional<YamlMapping> mapping = mapping(field);
    if (mapping.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, NodeTuple> entry : mapping.get().entries.entrySet()) {
      mapping.get().known.add(entry.getKey());
      mapping
          .get()
          .scalar(entry.getValue().getValueNode(), mapping.get().child(entry.getKey()), "a string")
          .ifPresent(v -> out.put(entry.getKey(), v));
    }
    return out;
  }

  /** All fields of this mapping with their value nodes, all marked as known. */
  Map<String, Node> fields() {
    Map<String, Node> out = new LinkedHashMap<>();
    entries.forEach(
        (name, tuple) -> {
          known.add(name);
          out.put(name, tuple.getValueNode());
        });
    return out;
  }

  /**
   * Rejects a field that is valid Istio but that this version of Meshproof does not implement:
   * ignoring it would make a scenario prove something about a configuration it did not run.
   */
  void notYetSupported(String field) {
    known.add(field);
    NodeTuple tuple = entries.get(field);
    if (tuple != null) {
      problem(
          tuple.getKeyNode(),
          child(field),
          "valid Istio, but not supported by Meshproof yet (it would be silently ignored)");
    }
  }

  /** Reports every field that no read asked for. */
  void finish() {
    for (Map.Entry<String, NodeTuple> entry : entries.entrySet()) {
      if (!known.contains(entry.getKey())) {
        problem(
            entry.getValue().getKeyNode(),
            child(entry.getKey()),
            "unknown field (allowed: " + String.join(", ", known) + ")");
      }
    }
  }

  String child(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  Optional<String> scalar(Node value, String fieldPath, String expected) {
    if (value instanceof ScalarNode scalar) {
      return Optional.of(scalar.getValue());
    }
    problem(value, fieldPath, "expected " + expected + ", found " + describe(value));
    return Optional.empty();
  }

  void problem(Node at, String fieldPath, String message) {
    problems.add(
        new ConfigProblem(
            source,
            at.getStartMark().getLine() + 1,
            at.getStartMark().getColumn() + 1,
            fieldPath,
            message));
  }

  /** A YAML null: {@code null}, {@code ~} or no value at all, written without quotes. */
  static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "\"" + ((ScalarNode) node).getValue() + "\"";
  }
}
