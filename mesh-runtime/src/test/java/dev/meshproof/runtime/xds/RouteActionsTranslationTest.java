package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.TextFormat;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.route.v3.Route;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Route actions and matches translated as istiod's {@code TranslateRoute} does (route/route.go:
 * {@code applyHTTPRouteDestination}, {@code ApplyRedirect}, {@code ApplyDirectResponse}, {@code
 * TranslateHeadersOperations}, {@code translateQueryParamMatch}, {@code sourceMatchHTTP}).
 */
class RouteActionsTranslationTest {
  private static final ProxyNode CLIENT =
      new ProxyNode(
          ProxyIdentity.sidecar(
              "client-0", "default", Map.of("app", "client"), IstioVersion.CURRENT),
          new InetSocketAddress("127.0.0.1", 15001),
          Optional.empty());

  private static final List<ServiceInstance> INSTANCES =
      List.of(
          new ServiceInstance(
              "catalog-v1-0",
              "catalog",
              "default",
              Map.of("version", "v1"),
              80,
              new InetSocketAddress("127.0.0.1", 20001)));

  private static List<Route> routes(String http) {
    ConfigStore config = new ConfigStore();
    config.apply(
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: catalog}
            spec:
              hosts: [catalog]
              http:
            """
                + http.indent(2),
            "vs.yaml",
            "default"));
    TranslationInput input =
        TranslationInput.builder(CLIENT, IstioVersionProfile.current())
            .virtualServices(config.resources(IstioKinds.VIRTUAL_SERVICE))
            .instances(INSTANCES)
            .build();
    return new RouteConfigBuilder(input).build().get(0).getVirtualHosts(0).getRoutesList();
  }

  private static String text(com.google.protobuf.MessageOrBuilder message) {
    return TextFormat.printer().shortDebugString(message);
  }

  @Test
  void rewriteBecomesPrefixOrRegexRewriteAndHostRewriteLiteral() {
    Route prefix =
        routes(
                """
                - rewrite: {uri: /new, authority: other}
                  route: [{destination: {host: catalog}}]
                """)
            .get(0);
    assertThat(prefix.getRoute().getPrefixRewrite()).isEqualTo("/new");
    assertThat(prefix.getRoute().getHostRewriteLiteral()).isEqualTo("other");
    Route regex =
        routes(
                """
                - rewrite: {uriRegexRewrite: {match: "^/a/(.*)", rewrite: "/b/\\\\1"}}
                  route: [{destination: {host: catalog}}]
                """)
            .get(0);
    assertThat(text(regex.getRoute().getRegexRewrite()))
        .isEqualTo("pattern { regex: \"^/a/(.*)\" } substitution: \"/b/\\\\1\"");
  }

  @Test
  void headersAreSetThenAddedSortedWithIstiosAppendActionsAndTheAuthorityIsAHostRewrite() {
    Route route =
        routes(
                """
                - headers:
                    request:
                      set: {x-z: "1", x-a: "2", ":authority": other}
                      add: {x-b: "3"}
                      remove: [x-c]
                    response: {add: {x-d: "4"}, remove: [x-e]}
                  route:
                  - destination: {host: catalog}
                    headers: {request: {set: {x-dest: "5"}}}
                """)
            .get(0);
    assertThat(route.getRequestHeadersToAddList())
        .extracting(
            h ->
                h.getHeader().getKey() + "=" + h.getHeader().getValue() + " " + h.getAppendAction())
        .containsExactly(
            "x-a=2 OVERWRITE_IF_EXISTS_OR_ADD",
            "x-z=1 OVERWRITE_IF_EXISTS_OR_ADD",
            "x-b=3 APPEND_IF_EXISTS_OR_ADD",
            "x-dest=5 OVERWRITE_IF_EXISTS_OR_ADD");
    assertThat(route.getRequestHeadersToRemoveList()).containsExactly("x-c");
    assertThat(route.getResponseHeadersToAddList()).hasSize(1);
    assertThat(route.getResponseHeadersToRemoveList()).containsExactly("x-e");
    assertThat(route.getRoute().getHostRewriteLiteral()).isEqualTo("other");
  }

  @Test
  void weightedDestinationsCarryTheirOwnHeaderChanges() {
    Route route =
        routes(
                """
                - route:
                  - destination: {host: catalog}
                    weight: 1
                    headers: {request: {set: {x-w: a, host: h}}}
                  - destination: {host: catalog}
                    weight: 1
                """)
            .get(0);
    var first = route.getRoute().getWeightedClusters().getClusters(0);
    assertThat(first.getRequestHeadersToAddCount()).isEqualTo(1);
    assertThat(first.getHostRewriteLiteral()).isEqualTo("h");
    assertThat(route.getRequestHeadersToAddCount()).isZero();
  }

  @Test
  void redirectAndDirectResponseReplaceTheRouteAction() {
    List<Route> routes =
        routes(
            """
            - match: [{uri: {exact: /a}}]
              redirect: {uri: /b, authority: c, derivePort: FROM_REQUEST_PORT}
            - match: [{uri: {exact: /s}}]
              redirect: {scheme: https, port: 443, redirectCode: 307}
            - directResponse: {status: 503, body: {string: down}}
            """);
    // derivePort FROM_REQUEST_PORT is the listener port, 80, which is http's default: left out.
    assertThat(text(routes.get(0).getRedirect()))
        .isEqualTo("host_redirect: \"c\" path_redirect: \"/b\"");
    assertThat(text(routes.get(1).getRedirect()))
        .isEqualTo(
            "path_redirect: \"\" response_code: TEMPORARY_REDIRECT scheme_redirect: \"https\"");
    assertThat(text(routes.get(2).getDirectResponse()))
        .isEqualTo("status: 503 body { inline_string: \"down\" }");
  }

  @Test
  void queryParamsSchemeAndMatchNamesAreTranslated() {
    Route route =
        routes(
                """
                - name: r
                  match:
                  - name: m
                    scheme: {exact: http}
                    queryParams: {v: {exact: "2"}, c: {}}
                  route: [{destination: {host: catalog}}]
                """)
            .get(0);
    assertThat(route.getName()).isEqualTo("r.m");
    assertThat(text(route.getMatch()))
        .isEqualTo(
            "prefix: \"/\" headers { name: \":scheme\" string_match { exact: \"http\" } }"
                + " query_parameters { name: \"c\" present_match: true }"
                + " query_parameters { name: \"v\" string_match { exact: \"2\" } }");
  }

  @Test
  void matchesForAnotherPortOrOtherSourcesAreNotThisProxysRoutes() {
    List<Route> routes =
        routes(
            """
            - name: port
              match: [{port: 8080}]
              route: [{destination: {host: catalog}}]
            - name: labels
              match: [{sourceLabels: {app: other}}]
              route: [{destination: {host: catalog}}]
            - name: namespace
              match: [{sourceNamespace: other}]
              route: [{destination: {host: catalog}}]
            - name: mine
              match: [{port: 80, sourceLabels: {app: client}, sourceNamespace: default}]
              route: [{destination: {host: catalog}}]
            """);
    assertThat(routes).extracting(Route::getName).containsExactly("mine");
  }
}
