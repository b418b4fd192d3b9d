package dev.meshproof.scenario.yaml;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checked value of a scenario file with where it was written: a String, Long, Double, Boolean,
 * Duration, {@code Map<String, Value>} or {@code List<Value>}.
 */
record Value(Object value, int line, int column, String path) {

  @SuppressWarnings("unchecked")
  Map<String, Value> fields() {
    return (Map<String, Value>) value;
  }

  @SuppressWarnings("unchecked")
  List<Value> items() {
    return (List<Value>) value;
  }

  Optional<Value> get(String field) {
    return Optional.ofNullable(fields().get(field));
  }

  Optional<String> string(String field) {
    return get(field).map(v -> (String) v.value());
  }

  Optional<Long> integer(String field) {
    return get(field).map(v -> (Long) v.value());
  }

  Optional<Double> number(String field) {
    return get(field).map(v -> (Double) v.value());
  }

  Optional<Duration> duration(String field) {
    return get(field).map(v -> (Duration) v.value());
  }

  Optional<Boolean> bool(String field) {
    return get(field).map(v -> (Boolean) v.value());
  }
}
