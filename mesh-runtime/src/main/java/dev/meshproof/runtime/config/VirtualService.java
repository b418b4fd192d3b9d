package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/networking/virtual-service/">
 * VirtualService</a>: HTTP routing rules for a set of hosts.
 */
public record VirtualService(
    ResourceMeta meta, List<String> hosts, List<String> gateways, List<HttpRoute> http)
    implements IstioResource {

  public VirtualService {
    hosts = List.copyOf(hosts);
    gateways = List.copyOf(gateways);
    http = List.copyOf(http);
  }

  @Override
  public VirtualService withMeta(ResourceMeta newMeta) {
    return new VirtualService(newMeta, hosts, gateways, http);
  }

  /** One {@code http} rule: matched when any of its match blocks matches (or it has none). */
  public record HttpRoute(String name, List<HttpMatchRequest> match, List<RouteDestination> route) {
    public HttpRoute {
      match = List.copyOf(match);
      route = List.copyOf(route);
    }
  }

  /** One {@code match} block; all of its conditions must hold. */
  public record HttpMatchRequest(
      String name,
      Optional<StringMatch> uri,
      Optional<StringMatch> method,
      Optional<StringMatch> authority,
      Map<String, StringMatch> headers,
      Map<String, StringMatch> withoutHeaders,
      boolean ignoreUriCase) {
    public HttpMatchRequest {
      headers = Map.copyOf(headers);
      withoutHeaders = Map.copyOf(withoutHeaders);
    }
  }

  /** A weighted destination of an {@code http} rule. */
  public record RouteDestination(Destination destination, OptionalInt weight) {}
}
