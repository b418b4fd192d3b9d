package dev.meshproof.runtime.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One line of a sidecar's access log, with the fields of Istio's default format that say where a
 * request went: matched route, upstream cluster and host, status and response flag.
 */
public record AccessLogEntry(
    Instant start,
    String listener,
    String method,
    String authority,
    String path,
    String requestId,
    String route,
    String upstreamCluster,
    String upstreamHost,
    int status,
    Optional<ResponseFlag> flag,
    Duration duration) {

  /** Envoy's {@code %RESPONSE_FLAGS%}: the code, or {@code -} when none. */
  public String flagCode() {
    return flag.map(ResponseFlag::code).orElse("-");
  }
}
