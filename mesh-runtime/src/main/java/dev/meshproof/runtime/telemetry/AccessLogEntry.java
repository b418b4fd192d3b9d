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
    List<UpstreamAttempt> attempts,
    boolean delayInjected) {

  public AccessLogEntry {
    attempts = List.copyOf(attempts);
  }

  /** An entry of a request no fault filter delayed. */
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
      Duration duration,
      Optional<ResponseFlag> retryFlag,
      List<UpstreamAttempt> attempts) {
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
        retryFlag,
        attempts,
        false);
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
   * Envoy's {@code %RESPONSE_FLAGS%}: the codes joined by commas in Envoy's flag order (e.g. {@code
   * UF,URX}, {@code DI,FI}), or {@code -} when none.
   */
  public String flagCode() {
    List<String> codes = new ArrayList<>();
    flag.ifPresent(f -> codes.add(f.code()));
    retryFlag.ifPresent(f -> codes.add(f.code()));
    if (delayInjected) {
      codes.add(ResponseFlag.DELAY_INJECTED.code());
    }
    codes.sort(java.util.Comparator.comparingInt(ENVOY_FLAG_ORDER::indexOf));
    return codes.isEmpty() ? "-" : String.join(",", codes);
  }

  /**
   * The order Envoy prints flags in: the bit order of {@code StreamInfo::CoreResponseFlag} (checked
   * on Envoy 1.40: {@code DI,URX}, {@code DI,FI}).
   */
  private static final List<String> ENVOY_FLAG_ORDER =
      List.of(
          "LH", "UH", "UT", "LR", "UR", "UF", "UC", "UO", "NR", "DI", "FI", "RL", "UAEX", "RLSE",
          "DC", "URX", "SI", "IH", "DPE", "UMSDR", "RFCF", "NFCF", "DT", "UPE", "NC", "OM", "DF",
          "DO", "DR");
}
