package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import org.junit.jupiter.api.Test;

/**
 * Defence in depth: the parser rejects non-RE2 regexes, but xDS from elsewhere still meets the
 * sidecar's own check, which NACKs as Envoy does; header presence matches decode.
 */
class RouteDecoderRegexTest {
  private static RouteConfiguration routes(RouteMatch match) {
    return RouteConfiguration.newBuilder()
        .setName("outbound")
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName("reviews:80")
                .addDomains("reviews")
                .addRoutes(
                    Route.newBuilder()
                        .setMatch(match)
                        .setRoute(
                            RouteAction.newBuilder()
                                .setCluster("outbound|80||reviews")
                                .setTimeout(Duration.newBuilder().setSeconds(0)))))
        .build();
  }

  @Test
  void aPathRegexThatIsNotRe2IsNackedInRe2sWords() {
    RouteMatch match =
        RouteMatch.newBuilder()
            .setSafeRegex(RegexMatcher.newBuilder().setRegex("/(?=admin).*"))
            .build();
    assertThatThrownBy(() -> RouteDecoder.routes(routes(match)))
        .hasMessageContaining("regex '/(?=admin).*' is not valid RE2: invalid perl operator: (?=");
  }

  @Test
  void aHeaderRegexThatIsNotRe2IsNacked() {
    RouteMatch match =
        RouteMatch.newBuilder()
            .setPrefix("/")
            .addHeaders(
                HeaderMatcher.newBuilder()
                    .setName("end-user")
                    .setStringMatch(
                        StringMatcher.newBuilder()
                            .setSafeRegex(RegexMatcher.newBuilder().setRegex("(a)\\1"))))
            .build();
    assertThatThrownBy(() -> RouteDecoder.routes(routes(match)))
        .hasMessageContaining("is not valid RE2: invalid escape sequence: \\1");
  }

  @Test
  void aHeaderPresenceMatchDecodes() {
    RouteMatch match =
        RouteMatch.newBuilder()
            .setPrefix("/")
            .addHeaders(
                HeaderMatcher.newBuilder()
                    .setName("end-user")
                    .setPresentMatch(true)
                    .setInvertMatch(true))
            .build();
    assertThat(RouteDecoder.routes(routes(match)).virtualHosts().get(0).routes()).hasSize(1);
  }
}
