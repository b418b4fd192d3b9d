package dev.meshproof.scenario.result;

import java.util.List;
import java.util.Optional;

/**
 * One request that did not succeed, as evidence of why an expectation failed: where it went, how it
 * ended, who (if anyone) answered, and the start of the body, which for a proxy's local reply says
 * why (Envoy's {@code no healthy upstream}, {@code upstream connect error ...}).
 *
 * @param outcome {@code RESPONSE}, {@code CONNECT_FAILURE}, {@code RESET} or {@code TIMEOUT}
 * @param status the HTTP status, 0 when there was no response
 * @param servedBy the instance that answered, empty when a proxy answered or nothing did
 * @param detail the body's first characters, or the transport error
 * @param requestId the request's {@code x-request-id}, empty when unknown
 * @param proxy what the client's sidecar logged for it (route, cluster, host, response flags), the
 *     same fields on every target; empty when the sidecar logged nothing for it
 * @param attempts the upstream attempts the services journaled for it, in arrival order
 * @param mirrors the mirror copies of it the mirror targets journaled
 */
public record FailedRequest(
    int index,
    String traffic,
    String url,
    String outcome,
    int status,
    String servedBy,
    double latencyMillis,
    String detail,
    String requestId,
    Optional<ProxyEvidence> proxy,
    List<UpstreamAttempt> attempts,
    List<UpstreamAttempt> mirrors) {

  /** Copies the lists. */
  public FailedRequest {
    attempts = List.copyOf(attempts);
    mirrors = List.copyOf(mirrors);
  }

  /** A failed request without journaled attempts or mirror copies. */
  public FailedRequest(
      int index,
      String traffic,
      String url,
      String outcome,
      int status,
      String servedBy,
      double latencyMillis,
      String detail,
      String requestId,
      Optional<ProxyEvidence> proxy) {
    this(
        index,
        traffic,
        url,
        outcome,
        status,
        servedBy,
        latencyMillis,
        detail,
        requestId,
        proxy,
        List.of(),
        List.of());
  }

  /** A failed request without proxy evidence. */
  public FailedRequest(
      int index,
      String traffic,
      String url,
      String outcome,
      int status,
      String servedBy,
      double latencyMillis,
      String detail) {
    this(
        index,
        traffic,
        url,
        outcome,
        status,
        servedBy,
        latencyMillis,
        detail,
        "",
        Optional.empty());
  }
}
