package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.config.VirtualService.FaultAbort;
import dev.meshproof.runtime.config.VirtualService.FaultDelay;
import dev.meshproof.runtime.config.VirtualService.HttpFault;
import dev.meshproof.runtime.config.VirtualService.HttpMirror;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** VirtualService {@code mirror*} and {@code fault}, validated as Istio's webhook does. */
class MirrorFaultParserTest {
  private static String vs(String rule) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog}
        spec:
          hosts: [catalog]
          http:
          - route:
            - destination: {host: catalog, subset: v1}
        """
        + rule;
  }

  private static VirtualService.HttpRoute parse(String yaml) {
    return ((VirtualService) IstioYamlParser.parse(yaml, "vs.yaml", "default").get(0))
        .http()
        .get(0);
  }

  private static Destination v2() {
    return new Destination("catalog", Optional.of("v2"), OptionalInt.empty());
  }

  @Test
  void mirrorWithPercentageAndMirrorsAreRead() {
    assertThat(
            parse(
                    vs(
                        """
                            mirror: {host: catalog, subset: v2}
                            mirrorPercentage: {value: 12.5}
                        """))
                .mirrors())
        .containsExactly(new HttpMirror(v2(), OptionalDouble.of(12.5)));
    assertThat(
            parse(
                    vs(
                        """
                            mirrors:
                            - destination: {host: catalog, subset: v2}
                              percentage: {value: 50}
                            - destination: {host: catalog, subset: v2}
                        """))
                .mirrors())
        .containsExactly(
            new HttpMirror(v2(), OptionalDouble.of(50)),
            new HttpMirror(v2(), OptionalDouble.empty()));
  }

  @Test
  void mirrorAndMirrorsTogetherOrOutOfRangePercentagesAreLocatedErrors() {
    assertThatThrownBy(
            () ->
                parse(
                    vs(
                        """
                            mirror: {host: catalog}
                            mirrors:
                            - destination: {host: catalog}
                        """)))
        .hasMessageContaining(
            "vs.yaml:11:5: spec.http[0].mirrors: HTTP route cannot contain both mirror and"
                + " mirrors");
    assertThatThrownBy(
            () -> parse(vs("    mirror: {host: catalog}\n    mirrorPercentage: {value: 101}\n")))
        .hasMessageContaining(
            "vs.yaml:10:31: spec.http[0].mirrorPercentage.value: 101.0 is out of range (expected:"
                + " a number from 0 to 100");
    assertThatThrownBy(() -> parse(vs("    mirrorPercentage: {value: \"5\"}\n")))
        .hasMessageContaining("spec.http[0].mirrorPercentage.value: \"5\" is not a number");
    assertThatThrownBy(() -> parse(vs("    mirrors:\n    - percentage: {value: 5}\n")))
        .hasMessageContaining("spec.http[0].mirrors[0].destination: destination is required");
    assertThatThrownBy(() -> parse(vs("    mirror: {host: catalog}\n    mirrorPercent: 5\n")))
        .hasMessageContaining(
            "spec.http[0].mirrorPercent: valid Istio, but not supported by Meshproof yet");
  }

  @Test
  void faultAbortAndDelayAreRead() {
    HttpFault fault =
        parse(
                vs(
                    """
                        fault:
                          abort: {grpcStatus: UNAVAILABLE, percentage: {value: 0.5}}
                          delay: {fixedDelay: 2s}
                    """))
            .fault()
            .orElseThrow();
    assertThat(fault.abort())
        .contains(
            new FaultAbort(
                OptionalInt.empty(), Optional.of("UNAVAILABLE"), OptionalDouble.of(0.5)));
    assertThat(fault.delay())
        .contains(new FaultDelay(Duration.ofSeconds(2), OptionalDouble.empty()));
  }

  @Test
  void faultsIstiosWebhookRejectsAreLocatedErrors() {
    assertThatThrownBy(() -> parse(vs("    fault: {}\n")))
        .hasMessageContaining(
            "spec.http[0].fault: HTTP fault injection must have an abort and/or a delay");
    assertThatThrownBy(() -> parse(vs("    fault: {abort: {httpStatus: 600}}\n")))
        .hasMessageContaining(
            "spec.http[0].fault.abort.httpStatus: 600 is out of range (expected: an HTTP status"
                + " from 200 to 599)");
    assertThatThrownBy(() -> parse(vs("    fault: {abort: {grpcStatus: NOPE}}\n")))
        .hasMessageContaining(
            "spec.http[0].fault.abort.grpcStatus: gRPC status \"NOPE\" is not"
                + " supported (expected one of: OK, CANCELLED");
    assertThatThrownBy(
            () -> parse(vs("    fault: {abort: {httpStatus: 503, grpcStatus: UNAVAILABLE}}\n")))
        .hasMessageContaining("more than one error type");
    assertThatThrownBy(() -> parse(vs("    fault: {abort: {percentage: {value: 5}}}\n")))
        .hasMessageContaining("abort configured, but error type not set");
    assertThatThrownBy(() -> parse(vs("    fault: {delay: {exponentialDelay: 1s}}\n")))
        .hasMessageContaining(
            "spec.http[0].fault.delay.exponentialDelay: exponentialDelay not supported yet");
    assertThatThrownBy(
            () -> parse(vs("    fault: {delay: {fixedDelay: 1s, percentage: {value: 0.00001}}}\n")))
        .hasMessageContaining("is neither 0.0, nor in range [0.0001, 100.0]");
    assertThatThrownBy(() -> parse(vs("    fault: {delay: {fixedDelay: 1s, percent: 5}}\n")))
        .hasMessageContaining(
            "spec.http[0].fault.delay.percent: valid Istio, but not supported by Meshproof yet");
  }
}
