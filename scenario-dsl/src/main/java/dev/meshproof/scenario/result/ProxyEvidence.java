package dev.meshproof.scenario.result;

import java.util.Map;

/**
 * What the client's sidecar logged for one request, joined to it by {@code x-request-id}: the
 * fields of Istio's JSON access log ({@code route_name} = {@code %ROUTE_NAME%}, {@code
 * upstream_cluster} = {@code %UPSTREAM_CLUSTER_RAW%}, {@code upstream_host} = {@code
 * %UPSTREAM_HOST%}, {@code response_flags} = {@code %RESPONSE_FLAGS%}), under the same names on
 * every target: real Envoy's access log and the embedded sidecar's are read into this one shape.
 * {@code -} means "none", as Envoy prints it.
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage">Envoy
 *     access log command operators</a>
 */
public record ProxyEvidence(
    String route, String upstreamCluster, String upstreamHost, String responseFlags) {

  /** The evidence in one access-log line (JSON key to value), missing keys as {@code -}. */
  public static ProxyEvidence fromAccessLog(Map<String, String> line) {
    return new ProxyEvidence(
        line.getOrDefault("route_name", "-"),
        line.getOrDefault("upstream_cluster", "-"),
        line.getOrDefault("upstream_host", "-"),
        line.getOrDefault("response_flags", "-"));
  }

  /** One line for a report: {@code route=r cluster=c host=h flags=UH}. */
  @Override
  public String toString() {
    return "route="
        + route
        + " cluster="
        + upstreamCluster
        + " host="
        + upstreamHost
        + " flags="
        + responseFlags;
  }
}
