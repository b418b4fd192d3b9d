package dev.meshproof.scenario.yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shape of a value in a scenario file. {@link ScenarioSchema} writes the scenario file down
 * once as shapes; the reader checks files against them and the JSON Schema is generated from them,
 * so the two never disagree.
 */
sealed interface Shape {

  /** What the value means, for error messages and IDE hovers. */
  String description();

  /** This shape as a JSON Schema (draft 2020-12) node. */
  Map<String, Object> jsonSchema();

  /** What a value of this shape looks like, for "expected: ..." in error messages. */
  String expected();

  /** The kinds of scalar a scenario file holds. */
  enum ScalarKind {
    STRING,
    INTEGER,
    NUMBER,
    BOOLEAN,
    DURATION
  }

  /** A scalar, numbers within {@code [min, max]}. */
  record Scalar(ScalarKind kind, String description, double min, double max) implements Shape {
    @Override
    public Map<String, Object> jsonSchema() {
      Map<String, Object> node = new LinkedHashMap<>();
      switch (kind) {
        case STRING -> node.put("type", "string");
        case BOOLEAN -> node.put("type", "boolean");
        case DURATION -> {
          node.put("type", "string");
          node.put("pattern", Durations.PATTERN);
        }
        case INTEGER, NUMBER -> {
          node.put("type", kind == ScalarKind.INTEGER ? "integer" : "number");
          if (min != Double.NEGATIVE_INFINITY) {
            node.put("minimum", kind == ScalarKind.INTEGER ? (Object) (long) min : min);
          }
          if (max != Double.POSITIVE_INFINITY) {
            node.put("maximum", kind == ScalarKind.INTEGER ? (Object) (long) max : max);
          }
        }
      }
      node.put("description", description);
      return node;
    }

    @Override
    public String expected() {
      return switch (kind) {
        case STRING -> "a string";
        case BOOLEAN -> "true or false";
        case DURATION -> Durations.EXPECTED;
        case INTEGER -> "an integer" + range();
        case NUMBER -> "a number" + range();
      };
    }

    private String range() {
      boolean integer = kind == ScalarKind.INTEGER;
      if (min == Double.NEGATIVE_INFINITY && max == Double.POSITIVE_INFINITY) {
        return "";
      }
      if (max == Double.POSITIVE_INFINITY) {
        return " >= " + (integer ? String.valueOf((long) min) : String.valueOf(min));
      }
      return integer ? " from " + (long) min + " to " + (long) max : " from " + min + " to " + max;
    }
  }

  /** One of a fixed set of strings. */
  record Choice(List<String> values, String description) implements Shape {
    @Override
    public Map<String, Object> jsonSchema() {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("enum", values);
      node.put("description", description);
      return node;
    }

    @Override
    public String expected() {
      return "one of " + values;
    }
  }

  /** A mapping from free keys (names the user chooses) to values of one shape. */
  record MapOf(Shape values, String description) implements Shape {
    @Override
    public Map<String, Object> jsonSchema() {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("type", "object");
      node.put("additionalProperties", values.jsonSchema());
      node.put("description", description);
      return node;
    }

    @Override
    public String expected() {
      return "a mapping of names to " + values.expected();
    }
  }

  /** A sequence of values of one shape. */
  record ListOf(Shape items, String description) implements Shape {
    @Override
    public Map<String, Object> jsonSchema() {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("type", "array");
      node.put("items", items.jsonSchema());
      node.put("description", description);
      return node;
    }

    @Override
    public String expected() {
      return "a list";
    }
  }

  /** A field of an {@link Obj}. */
  record Field(String name, Shape shape, boolean required) {}

  /**
   * A mapping with known fields only; of the fields named in {@code exactlyOne} (if any), exactly
   * one must be present (a sealed choice such as the kind of an expectation).
   */
  record Obj(List<Field> fields, List<String> exactlyOne, String description) implements Shape {
    Optional<Field> field(String name) {
      return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    List<String> names() {
      return fields.stream().map(Field::name).toList();
    }

    @Override
    public Map<String, Object> jsonSchema() {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("type", "object");
      node.put("description", description);
      Map<String, Object> properties = new LinkedHashMap<>();
      fields.forEach(f -> properties.put(f.name(), f.shape().jsonSchema()));
      node.put("properties", properties);
      List<String> required = fields.stream().filter(Field::required).map(Field::name).toList();
      if (!required.isEmpty()) {
        node.put("required", required);
      }
      node.put("additionalProperties", false);
      if (!exactlyOne.isEmpty()) {
        List<Object> oneOf = new ArrayList<>();
        exactlyOne.forEach(name -> oneOf.add(Map.of("required", List.of(name))));
        node.put("oneOf", oneOf);
      }
      return node;
    }

    @Override
    public String expected() {
      return "a mapping with fields " + names();
    }
  }
}
