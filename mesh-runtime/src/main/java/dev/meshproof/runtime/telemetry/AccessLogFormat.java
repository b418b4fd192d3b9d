package dev.meshproof.runtime.telemetry;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The access-log format Meshproof configures on every sidecar: Istio's JSON access log ({@code
 * EnvoyJSONLogFormatIstio}, istiod-defaults.md section 7) reduced to the keys the embedded sidecar
 * produces exactly as Envoy does, and the rendering of an {@link AccessLogEntry} in any {@code
 * json_format} made of these operators. Envoy and the embedded sidecar thus log the same keys with
 * the same values, which is what lets a request's evidence read the same on both targets.
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#command-operators">Envoy
 *     command operators</a>
 */
public final class AccessLogFormat {
  /** Envoy's {@code %START_TIME%} default: ISO 8601 with milliseconds, UTC. */
  private static final DateTimeFormatter START_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Each operator the embedded sidecar produces, with how it renders an entry. */
  private static final Map<String, Function<AccessLogEntry, String>> OPERATORS = operators();

  /**
   * Istio's JSON keys with their operators, in Istio's order, for the fields the embedded sidecar
   * produces exactly. Left out until it does: protocol, response_code_details, bytes and timing
   * details, user agent and the connection's addresses.
   */
  public static final Map<String, String> ISTIO_JSON = istioJson();

  /**
   * Envoy's default access-log format ({@code AccessLogFormatUtils::DefaultUnstructuredFormat},
   * used when an access logger names no format): {@value}
   */
  public static final String ENVOY_DEFAULT_TEXT =
      "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" "
          + "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
          + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
          + "\"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"";

  private AccessLogFormat() {}

  /**
   * {@code entry} as Envoy's default format prints it ({@link #ENVOY_DEFAULT_TEXT}, without the
   * trailing newline): a value that does not exist prints as {@code -}, as Envoy prints it.
   */
  public static String envoyDefaultLine(AccessLogEntry entry, StreamDetails details) {
    return "["
        + START_TIME.format(entry.start())
        + "] \""
        + dash(entry.method())
        + " "
        + dash(entry.path())
        + " "
        + dash(details == null ? null : details.protocol())
        + "\" "
        + entry.status()
        + " "
        + entry.flagCode()
        + " "
        + (details == null ? 0 : details.bytesReceived())
        + " "
        + (details == null ? 0 : details.bytesSent())
        + " "
        + entry.duration().toMillis()
        + " "
        + dash(details == null ? null : details.upstreamServiceTime())
        + " \""
        + dash(details == null ? null : details.forwardedFor())
        + "\" \""
        + dash(details == null ? null : details.userAgent())
        + "\" \""
        + dash(entry.requestId())
        + "\" \""
        + dash(entry.authority())
        + "\" \""
        + dash(entry.upstreamHost())
        + "\"";
  }

  private static String dash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }

  /** The operators a {@code json_format} may use on the embedded sidecar, sorted. */
  public static Set<String> supportedOperators() {
    return new java.util.TreeSet<>(OPERATORS.keySet());
  }

  /** True when the embedded sidecar renders {@code operator} as Envoy does. */
  public static boolean supports(String operator) {
    return OPERATORS.containsKey(operator);
  }

  /**
   * Renders {@code entry} in {@code format} (key to operator), as Envoy's JSON formatter prints it;
   * a value that does not exist renders as {@code -}, as Envoy's text format prints it.
   */
  public static Map<String, String> render(Map<String, String> format, AccessLogEntry entry) {
    Map<String, String> out = new LinkedHashMap<>();
    format.forEach(
        (key, operator) -> {
          Function<AccessLogEntry, String> field = OPERATORS.get(operator);
          if (field == null) {
            throw new IllegalArgumentException(
                key + ": " + operator + " (expected one of: " + supportedOperators() + ")");
          }
          String value = field.apply(entry);
          out.put(key, value == null || value.isEmpty() ? "-" : value);
        });
    return out;
  }

  private static Map<String, Function<AccessLogEntry, String>> operators() {
    Map<String, Function<AccessLogEntry, String>> ops = new LinkedHashMap<>();
    ops.put("%START_TIME%", e -> START_TIME.format(e.start()));
    ops.put("%REQ(:METHOD)%", AccessLogEntry::method);
    ops.put("%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", AccessLogEntry::path);
    ops.put("%RESPONSE_CODE%", e -> String.valueOf(e.status()));
    ops.put("%RESPONSE_FLAGS%", AccessLogEntry::flagCode);
    ops.put("%DURATION%", e -> String.valueOf(e.duration().toMillis()));
    ops.put("%REQ(X-REQUEST-ID)%", AccessLogEntry::requestId);
    ops.put("%REQ(:AUTHORITY)%", AccessLogEntry::authority);
    ops.put("%UPSTREAM_HOST%", AccessLogEntry::upstreamHost);
    ops.put("%UPSTREAM_CLUSTER_RAW%", AccessLogEntry::upstreamCluster);
    ops.put("%ROUTE_NAME%", AccessLogEntry::route);
    return Collections.unmodifiableMap(ops);
  }

  private static Map<String, String> istioJson() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("start_time", "%START_TIME%");
    keys.put("route_name", "%ROUTE_NAME%");
    keys.put("method", "%REQ(:METHOD)%");
    keys.put("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%");
    keys.put("response_code", "%RESPONSE_CODE%");
    keys.put("response_flags", "%RESPONSE_FLAGS%");
    keys.put("duration", "%DURATION%");
    keys.put("request_id", "%REQ(X-REQUEST-ID)%");
    keys.put("authority", "%REQ(:AUTHORITY)%");
    keys.put("upstream_host", "%UPSTREAM_HOST%");
    keys.put("upstream_cluster", "%UPSTREAM_CLUSTER_RAW%");
    return Collections.unmodifiableMap(keys);
  }
}
