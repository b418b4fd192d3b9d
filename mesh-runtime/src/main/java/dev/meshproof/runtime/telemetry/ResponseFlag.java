package dev.meshproof.runtime.telemetry;

/**
 * Envoy's access-log response flags, the vocabulary Istio troubleshooting is done in (<a
 * href="https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#config-access-log-format-response-flags">Envoy
 * docs</a>).
 */
public enum ResponseFlag {
  /** NR: no route configured for the request. */
  NO_ROUTE_FOUND("NR"),
  /** NC: the route's cluster does not exist. */
  NO_CLUSTER_FOUND("NC"),
  /** UH: no healthy upstream host in the cluster. */
  NO_HEALTHY_UPSTREAM("UH"),
  /** UF: the upstream connection could not be established. */
  UPSTREAM_CONNECTION_FAILURE("UF"),
  /** UC: the upstream connection was terminated before the response. */
  UPSTREAM_CONNECTION_TERMINATION("UC"),
  /** UT: the upstream request timed out. */
  UPSTREAM_REQUEST_TIMEOUT("UT"),
  /** UO: upstream overflow (circuit breaking). */
  UPSTREAM_OVERFLOW("UO"),
  /** URX: the request was rejected because the retry or connect-attempt limit was reached. */
  UPSTREAM_RETRY_LIMIT_EXCEEDED("URX"),
  /** DPE: the downstream request had an HTTP protocol error (malformed, oversized, HTTP/1.0). */
  DOWNSTREAM_PROTOCOL_ERROR("DPE"),
  /** DC: the downstream connection was terminated. */
  DOWNSTREAM_CONNECTION_TERMINATION("DC"),
  /** DI: the fault filter delayed the request. */
  DELAY_INJECTED("DI"),
  /** FI: the fault filter aborted the request. */
  FAULT_INJECTED("FI");

  private final String code;

  ResponseFlag(String code) {
    this.code = code;
  }

  /** The short code Envoy prints in the access log, e.g. {@code UF}. */
  public String code() {
    return code;
  }
}
