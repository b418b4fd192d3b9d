package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.config.VirtualService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * istiod's {@code TranslateHeadersOperations}: {@code set} as {@code OVERWRITE_IF_EXISTS_OR_ADD},
 * then {@code add} as {@code APPEND_IF_EXISTS_OR_ADD}, each sorted by name; pseudo-headers and Host
 * dropped (an {@code :authority}/{@code host} set or add becomes the host rewrite, set over add).
 */
record HeaderOps(
    List<HeaderValueOption> requestAdd,
    List<String> requestRemove,
    List<HeaderValueOption> responseAdd,
    List<String> responseRemove,
    String authority) {

  static HeaderOps of(VirtualService.Headers headers) {
    VirtualService.HeaderOperations req = headers.request();
    VirtualService.HeaderOperations resp = headers.response();
    List<HeaderValueOption> requestAdd = new ArrayList<>(options(req.set(), false));
    requestAdd.addAll(options(req.add(), true));
    List<HeaderValueOption> responseAdd = new ArrayList<>(options(resp.set(), false));
    responseAdd.addAll(options(resp.add(), true));
    String authority = authority(req.add());
    String setAuthority = authority(req.set());
    if (!setAuthority.isEmpty()) {
      authority = setAuthority;
    }
    return new HeaderOps(
        requestAdd,
        dropInternal(req.remove()),
        responseAdd,
        dropInternal(resp.remove()),
        authority);
  }

  void applyTo(Route.Builder route) {
    route
        .addAllRequestHeadersToAdd(requestAdd)
        .addAllRequestHeadersToRemove(requestRemove)
        .addAllResponseHeadersToAdd(responseAdd)
        .addAllResponseHeadersToRemove(responseRemove);
  }

  void applyTo(WeightedCluster.ClusterWeight.Builder cluster) {
    cluster
        .addAllRequestHeadersToAdd(requestAdd)
        .addAllRequestHeadersToRemove(requestRemove)
        .addAllResponseHeadersToAdd(responseAdd)
        .addAllResponseHeadersToRemove(responseRemove);
  }

  private static String authority(Map<String, String> headers) {
    String out = "";
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (isAuthority(e.getKey())) {
        out = e.getValue();
      }
    }
    return out;
  }

  private static boolean isAuthority(String name) {
    return name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host");
  }

  private static boolean isInternal(String name) {
    return name.startsWith(":") || name.equalsIgnoreCase("host");
  }

  private static List<String> dropInternal(List<String> names) {
    return names.stream().filter(n -> !isInternal(n)).toList();
  }

  private static List<HeaderValueOption> options(Map<String, String> headers, boolean append) {
    return headers.entrySet().stream()
        .filter(e -> !isInternal(e.getKey()))
        .sorted(Map.Entry.comparingByKey())
        .map(
            e ->
                HeaderValueOption.newBuilder()
                    .setHeader(HeaderValue.newBuilder().setKey(e.getKey()).setValue(e.getValue()))
                    .setAppendAction(
                        append
                            ? HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD
                            : HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
                    .build())
        .toList();
  }
}
