package dev.meshproof.scenario.result;

import java.util.Objects;

/**
 * One upstream attempt of a failed request (or one mirror copy of it) as the receiving service
 * instance journaled it, joined by {@code x-request-id}: the same evidence on every target. Envoy
 * logs one access-log line per downstream request, so response flags belong to the request ({@link
 * FailedRequest#proxy()}), not to an attempt.
 *
 * @param instance the instance that received the attempt
 * @param status the status it answered, 0 when it answered nothing (hang, reset)
 * @param envoyAttemptCount the {@code x-envoy-attempt-count} the proxy sent, 0 when absent
 * @param offsetMillis when the attempt arrived, after the request's first attempt arrived
 * @param serviceMillis how long the instance took to answer (its planned delay)
 * @param authority the Host / {@code :authority} the instance received, empty when unknown
 * @param callerIdentity the caller's SPIFFE ID the instance saw, empty when none
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/http/http_routing#retry-semantics">Envoy
 *     retry semantics</a>
 */
public record UpstreamAttempt(
    String instance,
    int status,
    int envoyAttemptCount,
    double offsetMillis,
    double serviceMillis,
    String authority,
    String callerIdentity) {

  /** Checks non-null fields. */
  public UpstreamAttempt {
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(callerIdentity, "callerIdentity");
  }
}
