package dev.meshproof.runtime.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccessLogTest {
  private static AccessLogEntry entry(String requestId, int status, Optional<ResponseFlag> flag) {
    return new AccessLogEntry(
        Instant.parse("2026-01-02T03:04:05.678901Z"),
        "virtualOutbound",
        "GET",
        "catalog",
        "/items",
        requestId,
        "",
        flag.isPresent() ? "-" : "outbound|80|v1|catalog.default.svc.cluster.local",
        flag.isPresent() ? "-" : "127.0.0.1:15006",
        status,
        flag,
        Duration.ofMillis(12));
  }

  @Test
  void linesRenderIstiosKeysAsEnvoyPrintsThemAndOnlyForConfiguredLoggers() {
    AccessLog log = new AccessLog(10);
    log.record(entry("a", 200, Optional.empty()), List.of(AccessLogFormat.ISTIO_JSON));
    log.record(entry("b", 404, Optional.of(ResponseFlag.NO_ROUTE_FOUND)), List.of());
    log.record(
        entry("c", 503, Optional.of(ResponseFlag.NO_HEALTHY_UPSTREAM)),
        List.of(Map.of("flags", "%RESPONSE_FLAGS%")));

    assertThat(log.entries()).hasSize(3);
    assertThat(log.lines())
        .containsExactly(
            Map.ofEntries(
                Map.entry("start_time", "2026-01-02T03:04:05.678Z"),
                Map.entry("route_name", "-"),
                Map.entry("method", "GET"),
                Map.entry("path", "/items"),
                Map.entry("response_code", "200"),
                Map.entry("response_flags", "-"),
                Map.entry("duration", "12"),
                Map.entry("request_id", "a"),
                Map.entry("authority", "catalog"),
                Map.entry("upstream_host", "127.0.0.1:15006"),
                Map.entry("upstream_cluster", "outbound|80|v1|catalog.default.svc.cluster.local")),
            Map.of("flags", "UH"));
  }

  @Test
  void everyRequestIsKeptInEnvoysDefaultFormatWithItsResponseFlags() {
    AccessLog log = new AccessLog(10);
    log.record(
        entry("a", 200, Optional.empty()),
        List.of(),
        new StreamDetails("HTTP/1.1", 5, 91, "10", null, "curl/8"));
    log.record(entry("b", 503, Optional.of(ResponseFlag.NO_HEALTHY_UPSTREAM)), List.of());
    assertThat(log.envoyDefaultLines())
        .containsExactly(
            "[2026-01-02T03:04:05.678Z] \"GET /items HTTP/1.1\" 200 - 5 91 12 10 \"-\""
                + " \"curl/8\" \"a\" \"catalog\" \"127.0.0.1:15006\"",
            "[2026-01-02T03:04:05.678Z] \"GET /items -\" 503 UH 0 0 12 - \"-\" \"-\" \"b\""
                + " \"catalog\" \"-\"");
  }

  @Test
  void aFullLogDropsTheOldestEntryWithItsLines() {
    AccessLog log = new AccessLog(2);
    for (String id : List.of("a", "b", "c")) {
      log.record(entry(id, 200, Optional.empty()), List.of(Map.of("id", "%REQ(X-REQUEST-ID)%")));
    }
    assertThat(log.lines()).containsExactly(Map.of("id", "b"), Map.of("id", "c"));
    assertThat(log.dropped()).isEqualTo(1);
    assertThat(log.total()).isEqualTo(3);
  }

  @Test
  void anOperatorTheSidecarCannotRenderIsRefused() {
    assertThatThrownBy(
            () ->
                AccessLogFormat.render(
                    Map.of("bytes", "%BYTES_SENT%"), entry("a", 200, Optional.empty())))
        .hasMessageContaining("bytes: %BYTES_SENT% (expected one of: [%DURATION%");
  }
}
