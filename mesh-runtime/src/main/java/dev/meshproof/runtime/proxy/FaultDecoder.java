package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import dev.meshproof.runtime.policy.fault.FaultPolicy;
import dev.meshproof.runtime.policy.route.FractionalPercent;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decodes Envoy's {@code HTTPFault} (the fault filter's own configuration, or a route's {@code
 * typed_per_filter_config} for it) into a {@link FaultPolicy}: a fixed delay and an HTTP or gRPC
 * abort, each with its percentage. Header-controlled faults, runtime keys, cluster, header and node
 * restrictions, rate limits and active-fault limits are NACKed: the sidecar does not implement
 * them.
 */
final class FaultDecoder {
  static final String TYPE = "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault";

  private FaultDecoder() {}

  static FaultPolicy fault(Any typedConfig, String where) {
    if (!typedConfig.getTypeUrl().equals(TYPE)) {
      throw new IllegalArgumentException(
          where
              + ": fault configuration of type "
              + typedConfig.getTypeUrl()
              + " is not supported by the embedded sidecar (expected: "
              + TYPE
              + ")");
    }
    HTTPFault fault = XdsDecoder.unpack(typedConfig, HTTPFault.class, where);
    XdsDecoder.rejectUnsupported(fault.toBuilder().clearAbort().clearDelay(), where);
    Optional<FaultPolicy.Delay> delay = Optional.empty();
    if (fault.hasDelay()) {
      var d = fault.getDelay();
      XdsDecoder.rejectUnsupported(
          d.toBuilder().clearFixedDelay().clearPercentage(), where + ", delay");
      if (!d.hasFixedDelay()) {
        throw new IllegalArgumentException(
            where + ", delay: fixed_delay is required by the embedded sidecar");
      }
      delay =
          Optional.of(
              new FaultPolicy.Delay(
                  XdsDecoder.duration(d.getFixedDelay()),
                  percent(d.getPercentage(), where + ", delay.percentage")));
    }
    Optional<FaultPolicy.Abort> abort = Optional.empty();
    if (fault.hasAbort()) {
      var a = fault.getAbort();
      XdsDecoder.rejectUnsupported(
          a.toBuilder().clearHttpStatus().clearGrpcStatus().clearPercentage(), where + ", abort");
      FractionalPercent percentage = percent(a.getPercentage(), where + ", abort.percentage");
      try {
        abort =
            Optional.of(
                switch (a.getErrorTypeCase()) {
                  case HTTP_STATUS ->
                      new FaultPolicy.Abort(
                          OptionalInt.of(a.getHttpStatus()), OptionalInt.empty(), percentage);
                  case GRPC_STATUS ->
                      new FaultPolicy.Abort(
                          OptionalInt.empty(), OptionalInt.of(a.getGrpcStatus()), percentage);
                  default ->
                      throw new IllegalArgumentException(
                          "error type "
                              + a.getErrorTypeCase()
                              + " (expected: http_status or grpc_status)");
                });
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ", abort: " + e.getMessage(), e);
      }
    }
    return new FaultPolicy(abort, delay);
  }

  static FractionalPercent percent(
      io.envoyproxy.envoy.type.v3.FractionalPercent percent, String where) {
    long denominator =
        switch (percent.getDenominator()) {
          case HUNDRED -> 100;
          case TEN_THOUSAND -> 10_000;
          case MILLION -> 1_000_000;
          default ->
              throw new IllegalArgumentException(
                  where + ": denominator " + percent.getDenominator() + " is not supported");
        };
    return new FractionalPercent(Integer.toUnsignedLong(percent.getNumerator()), denominator);
  }
}
