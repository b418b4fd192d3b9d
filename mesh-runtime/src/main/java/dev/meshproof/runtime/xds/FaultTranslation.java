package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import dev.meshproof.runtime.config.GrpcStatusNames;
import dev.meshproof.runtime.config.VirtualService.FaultAbort;
import dev.meshproof.runtime.config.VirtualService.FaultDelay;
import dev.meshproof.runtime.config.VirtualService.HttpFault;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay.Builder;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.Map;

/**
 * istiod's {@code TranslateFault} (route/route.go :1383): a VirtualService {@code fault} becomes an
 * {@code envoy.filters.http.fault} {@link HTTPFault} in the route's {@code
 * typed_per_filter_config}, read by the fault filter every connection manager carries before the
 * router ({@link ListenerBuilder}).
 */
final class FaultTranslation {
  /** The fault filter's name, in {@code http_filters} and {@code typed_per_filter_config}. */
  static final String FAULT_FILTER = "envoy.filters.http.fault";

  private FaultTranslation() {}

  /** The route's per-filter configuration: the fault, when the rule has one. */
  static Map<String, Any> typedPerFilterConfig(HttpRoute rule) {
    return rule.fault().map(f -> Map.of(FAULT_FILTER, Any.pack(httpFault(f)))).orElse(Map.of());
  }

  static HTTPFault httpFault(HttpFault in) {
    HTTPFault.Builder out = HTTPFault.newBuilder();
    in.delay().ifPresent(d -> out.setDelay(delay(d)));
    in.abort().ifPresent(a -> out.setAbort(abort(a)));
    return out.build();
  }

  private static Builder delay(FaultDelay in) {
    // istiod: percentage, else the deprecated integer percent (0 when unset) per HUNDRED.
    FractionalPercent percent =
        in.percentage().isPresent()
            ? perMillion(in.percentage().getAsDouble())
            : FractionalPercent.newBuilder()
                .setDenominator(FractionalPercent.DenominatorType.HUNDRED)
                .build();
    return io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay.newBuilder()
        .setFixedDelay(XdsProtos.duration(in.fixedDelay()))
        .setPercentage(percent);
  }

  private static io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort.Builder abort(
      FaultAbort in) {
    var out = io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort.newBuilder();
    // istiod sets the abort percentage only when given; Envoy's default is 0 out of 100.
    in.percentage().ifPresent(p -> out.setPercentage(perMillion(p)));
    in.httpStatus().ifPresent(out::setHttpStatus);
    in.grpcStatus().ifPresent(name -> out.setGrpcStatus(GrpcStatusNames.code(name)));
    return out;
  }

  /**
   * istiod's {@code translatePercentToFractionalPercent}: {@code uint32(value * 10000)}/MILLION.
   */
  static FractionalPercent perMillion(double value) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) (long) (value * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }
}
