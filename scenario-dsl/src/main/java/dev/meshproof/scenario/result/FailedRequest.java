package dev.meshproof.scenario.result;

/**
 * One request that did not succeed, as evidence of why an expectation failed: where it went, how it
 * ended, who (if anyone) answered, and the start of the body, which for a proxy's local reply says
 * why (Envoy's {@code no healthy upstream}, {@code upstream connect error ...}).
 *
 * @param outcome {@code RESPONSE}, {@code CONNECT_FAILURE}, {@code RESET} or {@code TIMEOUT}
 * @param status the HTTP status, 0 when there was no response
 * @param servedBy the instance that answered, empty when a proxy answered or nothing did
 * @param detail the body's first characters, or the transport error
 */
public record FailedRequest(
    int index,
    String traffic,
    String url,
    String outcome,
    int status,
    String servedBy,
    double latencyMillis,
    String detail) {}
