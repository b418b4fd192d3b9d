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
    Optional<Duration> tcpIdleTimeout = Optional.empty();
    Optional<Duration> maxConnectionDuration = Optional.empty();
    Optional<YamlMapping> tcp = pool.mapping("tcp");
    if (tcp.isPresent()) {
      YamlMapping t = tcp.get();
      maxConnections = t.integer("maxConnections", 0, Integer.MAX_VALUE);
      connectTimeout = duration(t, "connectTimeout");
      tcpIdleTimeout = duration(t, "idleTimeout");
      maxConnectionDuration = duration(t, "maxConnectionDuration");
      t.notYetSupported("tcpKeepalive");
      t.finish();
    }
    OptionalInt pending = OptionalInt.empty();
    OptionalInt requests = OptionalInt.empty();
    OptionalInt retries = OptionalInt.empty();
    OptionalInt perConnection = OptionalInt.empty();
    Optional<Duration> httpIdleTimeout = Optional.empty();
    Optional<YamlMapping> http = pool.mapping("http");
    if (http.isPresent()) {
      YamlMapping h = http.get();
      pending = h.integer("http1MaxPendingRequests", 0, Integer.MAX_VALUE);
      requests = h.integer("http2MaxRequests", 0, Integer.MAX_VALUE);
      retries = h.integer("maxRetries", 0, Integer.MAX_VALUE);
      perConnection = h.integer("maxRequestsPerConnection", 0, Integer.MAX_VALUE);
      httpIdleTimeout = duration(h, "idleTimeout");
      for (String field : List.of("h2UpgradePolicy", "useClientProtocol", "maxConcurrentStreams")) {
        h.notYetSupported(field);
      }
      h.finish();
    }
    pool.finish();
    return Optional.of(
        new ConnectionPoolSettings(
            maxConnections,
            connectTimeout,
            pending,
            requests,
            retries,
            perConnection,
            // istiod's applyConnectionPool: http.idleTimeout, else tcp.idleTimeout.
            httpIdleTimeout.isPresent() ? httpIdleTimeout : tcpIdleTimeout,
            maxConnectionDuration));
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
    // Istio's webhook accepts the deprecated field with a warning and istiod's
    // applyOutlierDetection ignores it (1.28 and 1.32): the proxies would eject nothing for it.
    // Meshproof has no warning channel, so it refuses it rather than ignore it silently.
    o.value("consecutiveErrors")
        .ifPresent(
            node ->
                o.problem(
                    node,
                    o.child("consecutiveErrors"),
                    "deprecated, and ignored by istiod (Istio accepts it with a warning; no proxy"
                        + " ejects anything for it) (expected: consecutive5xxErrors or"
                        + " consecutiveGatewayErrors)"));
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
