package dev.meshproof.runtime.policy.route;

/**
 * Envoy's {@code RouteAction.RequestMirrorPolicy} (Istio's {@code mirror} with {@code
 * mirrorPercentage}, or one entry of {@code mirrors}): a copy of a fraction of the route's requests
 * sent to {@code cluster}, fire and forget. The copy's Host gets {@code -shadow} appended before
 * the port unless {@code disableShadowHostSuffixAppend} (istiod sets it from Istio 1.28, {@code
 * DISABLE_SHADOW_HOST_SUFFIX}).
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routeaction-requestmirrorpolicy">Envoy
 *     RequestMirrorPolicy</a>
 */
public record MirrorPolicy(
    String cluster, FractionalPercent fraction, boolean disableShadowHostSuffixAppend) {
  public MirrorPolicy {
    if (cluster.isEmpty()) {
      throw new IllegalArgumentException("cluster: '' (expected: a cluster name)");
    }
  }
}
