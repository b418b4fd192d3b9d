package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.config.StringMatch;
import dev.meshproof.runtime.config.VirtualService;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** istiod's {@code TranslateCORSPolicy} (route/route.go :1232), field by field. */
class CorsTranslationTest {

  @Test
  void aPolicyBecomesIstiodsCorsPolicy() {
    CorsPolicy out =
        RouteConfigBuilder.cors(
            new VirtualService.CorsPolicy(
                List.of(
                    new StringMatch(StringMatch.Kind.EXACT, "https://a.example"),
                    new StringMatch(StringMatch.Kind.PREFIX, "https://b."),
                    new StringMatch(StringMatch.Kind.REGEX, "https://.*")),
                List.of("GET", "POST"),
                List.of("x-a", "x-b"),
                List.of("x-c"),
                Optional.of(Duration.ofHours(24)),
                Optional.of(false),
                VirtualService.UnmatchedPreflights.UNSPECIFIED));

    assertThat(out.getAllowOriginStringMatchList())
        .extracting(m -> m.getMatchPatternCase().name())
        .containsExactly("EXACT", "PREFIX", "SAFE_REGEX");
    assertThat(out.getAllowMethods()).isEqualTo("GET,POST");
    assertThat(out.getAllowHeaders()).isEqualTo("x-a,x-b");
    assertThat(out.getExposeHeaders()).isEqualTo("x-c");
    assertThat(out.getMaxAge()).isEqualTo("86400");
    assertThat(out.hasAllowCredentials()).isTrue();
    assertThat(out.getAllowCredentials().getValue()).isFalse();
    assertThat(out.getForwardNotMatchingPreflights().getValue()).isTrue();
    assertThat(out.getFilterEnabled().getDefaultValue().getNumerator()).isEqualTo(100);
  }

  @Test
  void ignoredUnmatchedPreflightsAreNotForwardedAndUnsetFieldsStayUnset() {
    CorsPolicy out =
        RouteConfigBuilder.cors(
            new VirtualService.CorsPolicy(
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                VirtualService.UnmatchedPreflights.IGNORE));

    assertThat(out.getForwardNotMatchingPreflights().getValue()).isFalse();
    assertThat(out.hasAllowCredentials()).isFalse();
    assertThat(out.getMaxAge()).isEmpty();
    assertThat(out.getAllowMethods()).isEmpty();
  }
}
