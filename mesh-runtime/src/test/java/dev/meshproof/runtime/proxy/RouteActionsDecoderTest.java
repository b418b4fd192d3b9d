package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import dev.meshproof.runtime.policy.route.HeaderChanges;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.Decorator;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The route actions the translation emits decode into what the router honours, and their neighbours
 * the router does not honour are NACKed.
 */
class RouteActionsDecoderTest {

  private static Route.Builder route() {
    return Route.newBuilder()
        .setName("r")
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(
            RouteAction.newBuilder().setCluster("c").setTimeout(Duration.getDefaultInstance()));
  }

  private static dev.meshproof.runtime.policy.route.Route decode(Route.Builder route) {
    return RouteDecoder.routes(
            RouteConfiguration.newBuilder()
                .setName("outbound")
                .addVirtualHosts(
                    VirtualHost.newBuilder().setName("vh").addDomains("catalog").addRoutes(route))
                .build())
        .virtualHosts()
        .get(0)
        .routes()
        .get(0);
  }

  private static HeaderValueOption header(
      String key, String value, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(key).setValue(value))
        .setAppendAction(action)
        .build();
  }

  @Test
  void headerChangesRewritesAndQueryMatchesAreDecoded() {
    Route.Builder route = route();
    route
        .addRequestHeadersToAdd(
            header("x-a", "1", HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
        .addRequestHeadersToRemove("x-b")
        .addResponseHeadersToAdd(
            header("x-c", "2", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
    route.getRouteBuilder().setPrefixRewrite("/new").setHostRewriteLiteral("other");
    route
        .getMatchBuilder()
        .addQueryParameters(QueryParameterMatcher.newBuilder().setName("p").setPresentMatch(true))
        .addQueryParameters(
            QueryParameterMatcher.newBuilder()
                .setName("v")
                .setStringMatch(StringMatcher.newBuilder().setExact("2")));

    var decoded = decode(route);

    assertThat(decoded.action().requestHeaderChanges().add())
        .containsExactly(
            new HeaderChanges.HeaderAddition(
                "x-a", "1", HeaderChanges.AppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
    assertThat(decoded.action().requestHeaderChanges().remove()).containsExactly("x-b");
    assertThat(decoded.action().responseHeaderChanges().add()).hasSize(1);
    assertThat(decoded.action().rewrite().orElseThrow().prefix()).contains("/new");
    assertThat(decoded.action().hostRewrite()).contains("other");
    assertThat(decoded.match().queryParameters()).hasSize(2);
    assertThat(
            decoded
                .match()
                .matches(
                    new dev.meshproof.runtime.policy.route.RequestHeaders(
                        "GET", "/x?p&v=2", "catalog", Map.of())))
        .isTrue();
  }

  @Test
  void redirectAndDirectResponseAreLocalAnswers() {
    var redirect =
        decode(
            route()
                .setRedirect(
                    RedirectAction.newBuilder()
                        .setHostRedirect("h")
                        .setPathRedirect("/p")
                        .setPortRedirect(8080)
                        .setResponseCode(RedirectAction.RedirectResponseCode.FOUND)));
    assertThat(redirect.action().redirect())
        .contains(
            new dev.meshproof.runtime.policy.route.Redirect(
                Optional.empty(), Optional.of("h"), OptionalInt.of(8080), Optional.of("/p"), 302));
    assertThat(redirect.clusters()).isEmpty();
    var direct =
        decode(
            route()
                .setDirectResponse(
                    DirectResponseAction.newBuilder()
                        .setStatus(418)
                        .setBody(DataSource.newBuilder().setInlineString("tea"))));
    assertThat(direct.action().directResponse())
        .contains(new dev.meshproof.runtime.policy.route.DirectResponse(418, "tea"));
  }

  @Test
  void whatTheRouterDoesNotHonourIsNacked() {
    assertThatThrownBy(
            () -> decode(route().setDecorator(Decorator.newBuilder().setOperation("op"))))
        .hasMessageContaining("[decorator] not supported by the embedded sidecar");
    assertThatThrownBy(
            () ->
                decode(
                    route()
                        .addRequestHeadersToAdd(
                            header(
                                "x-a",
                                "%HOSTNAME%",
                                HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))))
        .hasMessageContaining("header value operators");
    assertThatThrownBy(
            () ->
                decode(
                    route()
                        .addRequestHeadersToAdd(
                            header(
                                    "x-a",
                                    "1",
                                    HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)
                                .toBuilder()
                                .setKeepEmptyValue(true))))
        .hasMessageContaining("[keep_empty_value] not supported");
    assertThatThrownBy(
            () -> decode(route().setRedirect(RedirectAction.newBuilder().setHttpsRedirect(true))))
        .hasMessageContaining("[https_redirect] not supported");
    assertThatThrownBy(
            () ->
                decode(
                    route()
                        .setDirectResponse(
                            DirectResponseAction.newBuilder()
                                .setStatus(200)
                                .setBody(DataSource.newBuilder().setFilename("/etc/passwd")))))
        .hasMessageContaining("[filename] not supported");
  }
}
