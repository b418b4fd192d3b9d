package dev.meshproof.fake.behavior;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * The JSON form of a {@link Behavior}, used by the control API and evidence:
 *
 * <pre>{@code
 * {"errorRate": 0.1, "errorStatuses": "503:1",
 *  "latency": {"type": "lognormal", "median": "20ms", "sigma": 0.8},
 *  "fault": "HANG", "faultRate": 0.05, "slowBodyChunkDelay": "100ms", "ready": true}
 * }</pre>
 *
 * Latency types: {@code none}, {@code fixed(value)}, {@code uniform(min,max)}, {@code
 * normal(mean,stddev)}, {@code lognormal(median,sigma)}.
 */
public final class BehaviorJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of(
          "errorRate",
          "errorStatuses",
          "latency",
          "fault",
          "faultRate",
          "slowBodyChunkDelay",
          "ready");

  private BehaviorJson() {}

  /** Serialises {@code b}. */
  public static ObjectNode toJson(Behavior b) {
    ObjectNode n = JSON.createObjectNode();
    n.put("errorRate", b.errorRate());
    n.put("errorStatuses", b.errorStatuses().spec());
    ObjectNode l = n.putObject("latency");
    Latency latency = b.latency();
    if (latency instanceof Latency.Fixed f) {
      if (f.value().isZero()) {
        l.put("type", "none");
      } else {
        l.put("type", "fixed").put("value", Durations.format(f.value()));
      }
    } else if (latency instanceof Latency.Uniform u) {
      l.put("type", "uniform")
          .put("min", Durations.format(u.min()))
          .put("max", Durations.format(u.max()));
    } else if (latency instanceof Latency.Normal nl) {
      l.put("type", "normal")
          .put("mean", Durations.format(nl.mean()))
          .put("stddev", Durations.format(nl.stddev()));
    } else if (latency instanceof Latency.LogNormal ln) {
      l.put("type", "lognormal")
          .put("median", Durations.format(ln.median()))
          .put("sigma", ln.sigma());
    }
    n.put("fault", b.fault().name());
    n.put("faultRate", b.faultRate());
    n.put("slowBodyChunkDelay", Durations.format(b.slowBodyChunkDelay()));
    n.put("ready", b.ready());
    return n;
  }

  /**
   * Reads fields present in {@code json} over {@code base} (absent fields keep base's value).
   *
   * @throws IllegalArgumentException naming the field, what was found and what is allowed
   */
  public static Behavior fromJson(JsonNode json, Behavior base) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("behavior: expected a JSON object");
    }
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new IllegalArgumentException(
            f + ": unknown field (expected one of: " + String.join(", ", FIELDS) + ")");
      }
    }
    Behavior.Builder b = base.toBuilder();
    if (json.has("errorRate")) {
      b.errorRate(number(json, "errorRate"));
    }
    if (json.has("errorStatuses")) {
      String spec = json.get("errorStatuses").asText();
      try {
        b.errorStatuses(StatusMix.parse(spec));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("errorStatuses: " + e.getMessage(), e);
      }
    }
    if (json.has("latency")) {
      b.latency(latency(json.get("latency")));
    }
    if (json.has("fault")) {
      String name = json.get("fault").asText().toUpperCase(Locale.ROOT);
      Fault fault;
      try {
        fault = Fault.valueOf(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "fault: \""
                + name
                + "\" (expected one of: "
                + java.util.Arrays.toString(Fault.values())
                + ")",
            e);
      }
      double rate = json.has("faultRate") ? number(json, "faultRate") : 1.0;
      b.fault(fault, rate);
    } else if (json.has("faultRate")) {
      b.fault(base.fault(), number(json, "faultRate"));
    }
    if (json.has("slowBodyChunkDelay")) {
      b.slowBodyChunkDelay(duration(json, "slowBodyChunkDelay"));
    }
    if (json.has("ready")) {
      JsonNode r = json.get("ready");
      if (!r.isBoolean()) {
        throw new IllegalArgumentException("ready: " + r + " (expected: true or false)");
      }
      b.ready(r.booleanValue());
    }
    return b.build();
  }

  private static Latency latency(JsonNode l) {
    String type = l.path("type").asText("");
    return switch (type.toLowerCase(Locale.ROOT)) {
      case "none" -> Latency.NONE;
      case "fixed" -> new Latency.Fixed(duration(l, "value"));
      case "uniform" -> new Latency.Uniform(duration(l, "min"), duration(l, "max"));
      case "normal" -> new Latency.Normal(duration(l, "mean"), duration(l, "stddev"));
      case "lognormal" -> new Latency.LogNormal(duration(l, "median"), number(l, "sigma"));
      default ->
          throw new IllegalArgumentException(
              "latency.type: \"" + type + "\" (expected: none, fixed, uniform, normal, lognormal)");
    };
  }

  private static double number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException(field + ": " + v + " (expected: a number)");
    }
    return v.doubleValue();
  }

  private static Duration duration(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(
          field + ": " + v + " (expected: " + Durations.EXPECTED + ")");
    }
    try {
      return Durations.parse(v.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }
}
