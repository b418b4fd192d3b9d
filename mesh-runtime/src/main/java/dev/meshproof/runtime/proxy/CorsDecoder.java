package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshproof.runtime.policy.route.CorsPolicy;
import dev.meshproof.runtime.policy.route.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes the CORS filter's configuration: the filter itself ({@code
 * envoy.extensions.filters.http.cors.v3.Cors}, which has no fields) and a route's {@code
 * typed_per_filter_config} entry for it, NACKing what the embedded sidecar does not honour (shadow
 * mode, private network access, a runtime key, a fraction other than 0 or 100 %).
 */
final class CorsDecoder {
  static final String FILTER_NAME = "envoy.filters.http.cors";
  static final String FILTER_TYPE =
      "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors";
  private static final String POLICY_TYPE =
      "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy";

  private CorsDecoder() {}

  /** The HCM's CORS filter: only its empty configuration is known. */
  static void filter(Any config, String where) {
    if (!config.getTypeUrl().equals(FILTER_TYPE)) {
      throw new IllegalArgumentException(
          where + ": typed_config " + config.getTypeUrl() + " (expected: " + FILTER_TYPE + ")");
    }
    try {
      XdsDecoder.rejectUnsupported(
          config.unpack(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.class).toBuilder(),
          where);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * The CORS filter's entry of a route's per-filter configuration, if any (the other filters'
   * entries are the route decoder's: it NACKs the unknown ones).
   */
  static Optional<CorsPolicy> perFilterConfig(Map<String, Any> configs, String where) {
    Optional<CorsPolicy> cors = Optional.empty();
    for (Map.Entry<String, Any> entry : configs.entrySet()) {
      String at = where + ", typed_per_filter_config '" + entry.getKey() + "'";
      if (!entry.getKey().equals(FILTER_NAME)) {
        continue;
      }
      if (!entry.getValue().getTypeUrl().equals(POLICY_TYPE)) {
        throw new IllegalArgumentException(
            at + ": type " + entry.getValue().getTypeUrl() + " (expected: " + POLICY_TYPE + ")");
      }
      try {
        cors =
            Optional.of(
                policy(
                    entry
                        .getValue()
                        .unpack(
                            io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.class),
                    at));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
      }
    }
    return cors;
  }

  private static CorsPolicy policy(
      io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy in, String where) {
    XdsDecoder.rejectUnsupported(
        in.toBuilder()
            .clearAllowOriginStringMatch()
            .clearAllowMethods()
            .clearAllowHeaders()
            .clearExposeHeaders()
            .clearMaxAge()
            .clearAllowCredentials()
            .clearFilterEnabled()
            .clearForwardNotMatchingPreflights(),
        where);
    if (in.hasFilterEnabled()) {
      var enabled = in.getFilterEnabled();
      boolean whole =
          enabled.getRuntimeKey().isEmpty()
              && enabled.getDefaultValue().getDenominator()
                  == FractionalPercent.DenominatorType.HUNDRED
              && enabled.getDefaultValue().getNumerator() == 100;
      if (!whole) {
        throw new IllegalArgumentException(
            where
                + ": filter_enabled "
                + enabled.getDefaultValue().getNumerator()
                + "/"
                + enabled.getDefaultValue().getDenominator()
                + " is not supported by the embedded sidecar (expected: 100/HUNDRED, no runtime"
                + " key)");
      }
    }
    List<StringMatcher> origins = new ArrayList<>();
    for (var m : in.getAllowOriginStringMatchList()) {
      origins.add(RouteDecoder.stringMatcher(m, where + ", allow_origin_string_match"));
    }
    return new CorsPolicy(
        origins,
        in.getAllowMethods(),
        in.getAllowHeaders(),
        in.getExposeHeaders(),
        in.getMaxAge(),
        in.hasAllowCredentials() && in.getAllowCredentials().getValue(),
        !in.hasForwardNotMatchingPreflights() || in.getForwardNotMatchingPreflights().getValue());
  }
}
