package dev.meshproof.fake.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One request as the workload received it: the evidence a scenario inspects to prove where the mesh
 * sent traffic, how often it retried, whether it mirrored, and which identity called.
 *
 * @param timestamp when the request arrived (from the workload's injected clock)
 * @param instance the receiving instance
 * @param protocol {@code HTTP/1.1}, {@code HTTP/2.0}, {@code gRPC} or {@code TCP}
 * @param method HTTP method ({@code POST} for gRPC, {@code CONNECT} for a TCP connection)
 * @param path path with query (gRPC: {@code /package.Service/Method})
 * @param authority the Host / {@code :authority} received
 * @param requestId the {@code x-request-id}, or null
 * @param attempt 1-based count of requests with this {@code x-request-id} so far (1 without one)
 * @param mirrored true for a mirror copy: Envoy marks every shadow request with {@code
 *     x-envoy-internal: true} and, unless the mirror policy disables it (Istio 1.28+), a Host
 *     ending in {@code -shadow} ({@link #isMirrored(String, String)})
 * @param callerIdentity the caller's SPIFFE ID from {@code X-Forwarded-Client-Cert} {@code URI=},
 *     or null
 * @param status the HTTP status answered, 0 when nothing was answered (hang, reset); for {@code
 *     gRPC} the gRPC status code, -1 when nothing was answered
 * @param bodySize request body bytes
 * @param envoyAttemptCount the {@code x-envoy-attempt-count} the proxy sent (which attempt of the
 *     request this is, as the proxy counts it), 0 when absent
 * @param serviceTime how long the instance took to answer (its planned delay)
 */
public record JournalEntry(
    Instant timestamp,
    String instance,
    String protocol,
    String method,
    String path,
    String authority,
    String requestId,
    int attempt,
    boolean mirrored,
    String callerIdentity,
    int status,
    long bodySize,
    int envoyAttemptCount,
    Duration serviceTime) {

  /** An entry without proxy attempt count or service time (TCP, gRPC, WireMock). */
  public JournalEntry(
      Instant timestamp,
      String instance,
      String protocol,
      String method,
      String path,
      String authority,
      String requestId,
      int attempt,
      boolean mirrored,
      String callerIdentity,
      int status,
      long bodySize) {
    this(
        timestamp,
        instance,
        protocol,
        method,
        path,
        authority,
        requestId,
        attempt,
        mirrored,
        callerIdentity,
        status,
        bodySize,
        0,
        Duration.ZERO);
  }

  /** The request id, if the request carried one. */
  public Optional<String> requestIdIfPresent() {
    return Optional.ofNullable(requestId);
  }

  /** The caller's SPIFFE ID, if the mesh forwarded one. */
  public Optional<String> callerIdentityIfPresent() {
    return Optional.ofNullable(callerIdentity);
  }

  /**
   * Whether a request is a mirror copy: its host ends with {@code -shadow}, or its {@code
   * x-envoy-internal} is {@code true} (Envoy's async client sets it on every shadow request and on
   * nothing else; the receiving sidecar's connection manager drops it again, checked on Envoy 1.40,
   * so it marks copies only where no sidecar sits in between).
   */
  public static boolean isMirrored(String authority, String envoyInternal) {
    return "true".equals(envoyInternal) || isMirrored(authority);
  }

  /** Whether {@code authority}'s host part ends with {@code -shadow}, as Envoy marks mirrors. */
  public static boolean isMirrored(String authority) {
    if (authority == null) {
      return false;
    }
    String host = authority;
    int colon = host.lastIndexOf(':');
    if (colon > 0 && host.indexOf(']') < colon) {
      host = host.substring(0, colon);
    }
    return host.endsWith("-shadow");
  }
}
