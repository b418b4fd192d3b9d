package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.meshproof.runtime.policy.route.CorsPolicy;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The CORS filter and per-route policy the translation emits decode; anything else is NACKed. */
class CorsDecoderTest {
  private static final String CORS = "envoy.filters.http.cors";

  private static io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy translated() {
    return io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.newBuilder()
        .addAllowOriginStringMatch(
            io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder()
                .setExact("https://good.example"))
        .setAllowMethods("GET,POST")
        .setMaxAge("60")
        .setAllowCredentials(BoolValue.of(true))
        .setForwardNotMatchingPreflights(BoolValue.of(false))
        .setFilterEnabled(
            RuntimeFractionalPercent.newBuilder()
                .setDefaultValue(
                    FractionalPercent.newBuilder()
                        .setNumerator(100)
                        .setDenominator(FractionalPercent.DenominatorType.HUNDRED)))
        .build();
  }

  @Test
  void theTranslatedPolicyDecodesWithEveryField() {
    Optional<CorsPolicy> policy =
        CorsDecoder.perFilterConfig(Map.of(CORS, Any.pack(translated())), "route 'r'");

    assertThat(policy).isPresent();
    assertThat(policy.get().allowMethods()).isEqualTo("GET,POST");
    assertThat(policy.get().maxAge()).isEqualTo("60");
    assertThat(policy.get().allowCredentials()).isTrue();
    assertThat(policy.get().forwardNotMatchingPreflights()).isFalse();
    assertThat(policy.get().allowOrigins()).hasSize(1);
  }

  @Test
  void unhonouredFieldsAreNackedAndOtherFiltersLeftToTheRouteDecoder() {
    assertThatThrownBy(
            () ->
                CorsDecoder.perFilterConfig(
                    Map.of(
                        CORS,
                        Any.pack(
                            translated().toBuilder()
                                .setShadowEnabled(RuntimeFractionalPercent.getDefaultInstance())
                                .build())),
                    "route 'r'"))
        .hasMessageContaining("route 'r', typed_per_filter_config 'envoy.filters.http.cors'")
        .hasMessageContaining("shadow_enabled");
    assertThatThrownBy(
            () ->
                CorsDecoder.perFilterConfig(
                    Map.of(
                        CORS,
                        Any.pack(
                            translated().toBuilder()
                                .setFilterEnabled(
                                    RuntimeFractionalPercent.newBuilder()
                                        .setDefaultValue(
                                            FractionalPercent.newBuilder().setNumerator(50)))
                                .build())),
                    "route 'r'"))
        .hasMessageContaining("filter_enabled 50");
    assertThat(
            CorsDecoder.perFilterConfig(
                Map.of("envoy.filters.http.fault", Any.pack(translated())), "route 'r'"))
        .isEmpty();
  }
}
