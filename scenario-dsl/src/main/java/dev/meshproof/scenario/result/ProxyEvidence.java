package dev.meshproof.scenario.result;

/**
 * What the client's sidecar logged for one request, joined to it by {@code x-request-id}: the
 * fields of Istio's access log format (operators {@code %ROUTE_NAME%}, {@code
 * %UPSTREAM_CLUSTER_RAW%}, {@code %UPSTREAM_HOST%}, {@code %RESPONSE_FLAGS%}, {@code
 * %RESPONSE_CODE_DETAILS%}), under the same names on every target: real Envoy's file access log and
 * the embedded sidecar's in-memory log are read into this one shape. {@code -} means "none", as
 * Envoy prints it.
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage">Envoy
 *     access log command operators</a>
 */
public record ProxyEvidence(
    String route,
    String upstreamCluster,
    String upstreamHost,
    String responseFlags,
    String responseCodeDetails) {

  /** One line for a report: {@code route=r cluster=c host=h flags=UH details=d}. */
  @Override
  public String toString() {
    return "route="
        + route
        + " cluster="
        + upstreamCluster
        + " host="
        + upstreamHost
        + " flags="
        + responseFlags
        + " details="
        + responseCodeDetails;
  }
}
