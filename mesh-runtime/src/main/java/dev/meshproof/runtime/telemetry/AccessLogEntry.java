package dev.meshproof.runtime.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One line of a sidecar's access log, with the fields of Istio's default format that say where a
 * request went: matched route, upstream cluster and host, status and response flags, and (beyond
 * Envoy's format) every upstream attempt the router made for it.
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
    Duration duration,
    Optional<ResponseFlag> retryFlag,
    List<UpstreamAttempt> attempts) {

  public AccessLogEntry {
    attempts = List.copyOf(attempts);
  }

  /** An entry without upstream attempts (a local reply before routing). */
  public AccessLogEntry(
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
    this(
        start,
        listener,
        method,
        authority,
        path,
        requestId,
        route,
        upstreamCluster,
        upstreamHost,
        status,
        flag,
        duration,
        Optional.empty(),
        List.of());
  }

  /**
   * Envoy's {@code %RESPONSE_FLAGS%}: the codes joined by commas (e.g. {@code UF,URX}), or {@code
   * -} when none.
   */
  public String flagCode() {
    List<String> codes = new ArrayList<>();
    flag.ifPresent(f -> codes.add(f.code()));
    retryFlag.ifPresent(f -> codes.add(f.code()));
    return codes.isEmpty() ? "-" : String.join(",", codes);
  }
}
