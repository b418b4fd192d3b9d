package dev.meshproof.k8s.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The traffic runner's wire format: a request to send ({@code POST /send}) and its outcome, as
 * JSON. The runner sends the request from inside its pod, so it goes out through the pod's Istio
 * sidecar exactly as an app's request would; the outcome's latency is the runner's own measurement,
 * without the port-forward's round trip. A gRPC call's outcome also carries when its first body
 * bytes arrived and its raw length-prefixed answers, from which the driver derives the stream's
 * timing ({@code StreamTiming}) as it does on the other targets.
 */
public final class RunnerProtocol {
  /** The path a request to send is posted to. */
  public static final String SEND_PATH = "/send";

  /** The path that answers 200 once the runner serves. */
  public static final String READY_PATH = "/ready";

  private static final ObjectMapper JSON = new ObjectMapper();

  private RunnerProtocol() {}

  /** {@code spec} as JSON. */
  public static String requestJson(HttpRequestSpec spec) {
    if (spec.tls().isPresent()) {
      // The in-cluster runner has no https client yet: sending plain text would prove nothing.
      throw new IllegalArgumentException(
          "url: "
              + spec.url()
              + ": https traffic (tls) is not supported on the kubernetes target yet (expected:"
              + " the embedded or envoy target)");
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("method", spec.method());
    n.put("url", spec.url().toString());
    ObjectNode headers = n.putObject("headers");
    spec.headers().forEach(headers::put);
    n.put("body", Base64.getEncoder().encodeToString(spec.body()));
    n.put("timeoutMs", spec.timeout().toMillis());
    return n.toString();
  }

  /** The request {@link #requestJson} wrote. */
  public static HttpRequestSpec request(String json) {
    JsonNode n = read(json);
    Map<String, String> headers = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      headers.put(h.getKey(), h.getValue().asText());
    }
    return new HttpRequestSpec(
        n.path("method").asText("GET"),
        URI.create(n.path("url").asText()),
        headers,
        Base64.getDecoder().decode(n.path("body").asText("")),
        Duration.ofMillis(n.path("timeoutMs").asLong(HttpRequestSpec.DEFAULT_TIMEOUT.toMillis())));
  }

  /** {@code outcome} as JSON. */
  public static String outcomeJson(HttpOutcome outcome) {
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", outcome.kind().name());
    n.put("status", outcome.status());
    ObjectNode headers = n.putObject("headers");
    outcome.headers().forEach((k, v) -> v.forEach(headers.withArray(k)::add));
    n.put("body", outcome.body());
    n.put("latencyNanos", outcome.latency().toNanos());
    n.put("error", outcome.error());
    // A gRPC call's stream timing (RequestObservation.stream): when its first body bytes arrived
    // in the runner's pod, and the length-prefixed answers that say when the echo sent the last.
    n.put("firstBodyUnixNanos", outcome.firstBodyUnixNanos());
    ByteBuffer raw = outcome.rawBody().duplicate();
    byte[] rawBytes = new byte[raw.remaining()];
    raw.get(rawBytes);
    n.put("rawBody", Base64.getEncoder().encodeToString(rawBytes));
    return n.toString();
  }

  /** The outcome {@link #outcomeJson} wrote. */
  public static HttpOutcome outcome(String json) {
    JsonNode n = read(json);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      List<String> values = new ArrayList<>();
      h.getValue().forEach(v -> values.add(v.asText()));
      headers.put(h.getKey(), values);
    }
    return new HttpOutcome(
        HttpOutcome.Kind.valueOf(n.path("kind").asText()),
        n.path("status").asInt(),
        headers,
        n.path("body").asText(""),
        Duration.ofNanos(n.path("latencyNanos").asLong()),
        n.path("error").isNull() ? null : n.path("error").asText(null),
        n.path("firstBodyUnixNanos").asLong(0),
        ByteBuffer.wrap(Base64.getDecoder().decode(n.path("rawBody").asText(""))));
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
