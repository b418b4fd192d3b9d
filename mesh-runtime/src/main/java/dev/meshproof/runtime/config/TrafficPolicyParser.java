package dev.meshproof.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.yaml.snakeyaml.nodes.Node;

/**
 * {@code trafficPolicy.connectionPool} and {@code trafficPolicy.outlierDetection} of a
 * DestinationRule, validated as Istio's webhook does ({@code pkg/config/validation}: durations of
 * at least 1 ms, percentages 0-100, counts not negative), every problem located.
 */
final class TrafficPolicyParser {
  private static final String DURATION_EXPECTED = "a duration of at least 1ms such as 100ms or 30s";

  private TrafficPolicyParser() {}

  static Optional<ConnectionPoolSettings> connectionPool(YamlMapping pool) {
    OptionalInt maxConnections = OptionalInt.empty();
    Optional<Duration> connectTimeout = Optional.empty();
    Optional<YamlMapping> tcp = pool.mapping("tcp");
    if (tcp.isPresent()) {
      YamlMapping t = tcp.get();
      maxConnections = t.integer("maxConnections", 0, Integer.MAX_VALUE);
      for (String field :
          List.of("connectTimeout", "tcpKeepalive", "maxConnectionDuration", "idleTimeout")) {
        t.notYetSupported(field);
      }
      t.finish();
    }
    OptionalInt pending = OptionalInt.empty();
    OptionalInt requests = OptionalInt.empty();
    OptionalInt retries = OptionalInt.empty();
    Optional<YamlMapping> http = pool.mapping("http");
    if (http.isPresent()) {
      YamlMapping h = http.get();
      pending = h.integer("http1MaxPendingRequests", 0, Integer.MAX_VALUE);
      requests = h.integer("http2MaxRequests", 0, Integer.MAX_VALUE);
      retries = h.integer("maxRetries", 0, Integer.MAX_VALUE);
      for (String field :
          List.of(
              "maxRequestsPerConnection",
              "idleTimeout",
              "h2UpgradePolicy",
              "useClientProtocol",
              "maxConcurrentStreams")) {
        h.notYetSupported(field);
      }
      h.finish();
    }
    pool.finish();
    return Optional.of(
        new ConnectionPoolSettings(maxConnections, connectTimeout, pending, requests, retries));
  }

  static Optional<OutlierDetectionSettings> outlierDetection(YamlMapping o) {
    boolean split = o.bool("splitExternalLocalOriginErrors", false);
    OptionalInt localOrigin = o.integer("consecutiveLocalOriginFailures", 0, Integer.MAX_VALUE);
    OptionalInt gateway = o.integer("consecutiveGatewayErrors", 0, Integer.MAX_VALUE);
    OptionalInt fiveXx = o.integer("consecutive5xxErrors", 0, Integer.MAX_VALUE);
    Optional<Duration> interval = duration(o, "interval");
    Optional<Duration> base = duration(o, "baseEjectionTime");
    OptionalInt maxEjection = o.integer("maxEjectionPercent", 0, 100);
    OptionalInt minHealth = o.integer("minHealthPercent", 0, 100);
    o.notYetSupported("consecutiveErrors");
    o.finish();
    return Optional.of(
        new OutlierDetectionSettings(
            split, localOrigin, gateway, fiveXx, interval, base, maxEjection, minHealth));
  }

  /** A protobuf-style duration ({@code 1h2m3.5s}, {@code 100ms}) of at least 1 ms. */
  static Optional<Duration> duration(YamlMapping mapping, String field) {
    Optional<Node> value = mapping.value(field);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> text = mapping.scalar(value.get(), mapping.child(field), DURATION_EXPECTED);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    // One grammar for every Istio duration: Go's time.ParseDuration, as YamlMapping reads it.
    Optional<Duration> parsed = YamlMapping.parseDuration(text.get().strip());
    if (parsed.isEmpty()) {
      mapping.problem(
          value.get(), mapping.child(field), "\"" + text.get() + "\" is not " + DURATION_EXPECTED);
      return Optional.empty();
    }
    if (parsed.get().compareTo(Duration.ofMillis(1)) < 0) {
      mapping.problem(
          value.get(),
          mapping.child(field),
          "\"" + text.get() + "\" is shorter than 1ms (expected: " + DURATION_EXPECTED + ")");
      return Optional.empty();
    }
    return parsed;
  }
}
