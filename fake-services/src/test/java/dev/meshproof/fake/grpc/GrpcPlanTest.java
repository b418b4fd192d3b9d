package dev.meshproof.fake.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.Fault;
import dev.meshproof.fake.behavior.Latency;
import io.grpc.Status;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GrpcPlanTest {

  @Test
  void requestFieldWinsOverMetadataAndBehaviour() {
    Behavior failing = Behavior.builder().errors(1.0, "500").build();
    SplittableRandom r = new SplittableRandom(1);
    assertThat(GrpcPlan.decide(failing, 5, null, "7", null, r).code())
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(GrpcPlan.decide(failing, 0, null, "7", null, r).code())
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(GrpcPlan.decide(failing, 0, null, null, null, r).code())
        .isEqualTo(Status.Code.UNKNOWN);
  }

  @Test
  void httpStatusesMapPerTheGrpcSpec() {
    assertThat(GrpcPlan.fromHttp(503)).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(GrpcPlan.fromHttp(429)).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(GrpcPlan.fromHttp(401)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(GrpcPlan.fromHttp(404)).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(GrpcPlan.fromHttp(418)).isEqualTo(Status.Code.UNKNOWN);
  }

  @Test
  void delayPrecedenceAndHang() {
    Behavior b = Behavior.builder().fixedLatency(Duration.ofSeconds(1)).fault(Fault.HANG).build();
    SplittableRandom r = new SplittableRandom(1);
    assertThat(GrpcPlan.decide(b, 0, Duration.ofMillis(3), null, "9ms", r).delay())
        .isEqualTo(Duration.ofMillis(3));
    assertThat(GrpcPlan.decide(b, 0, null, null, "9ms", r).delay()).isEqualTo(Duration.ofMillis(9));
    GrpcPlan p = GrpcPlan.decide(b, 0, null, null, null, r);
    assertThat(p.delay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.hang()).isTrue();
  }

  @Test
  void aSeedReplaysTheSameCalls() {
    Behavior b =
        Behavior.builder()
            .errors(0.4, "503:1,500:1")
            .latency(new Latency.Normal(Duration.ofMillis(20), Duration.ofMillis(5)))
            .build();
    SplittableRandom a = new SplittableRandom(11);
    SplittableRandom c = new SplittableRandom(11);
    IntStream.range(0, 200)
        .forEach(
            i ->
                assertThat(GrpcPlan.decide(b, 0, null, null, null, a))
                    .isEqualTo(GrpcPlan.decide(b, 0, null, null, null, c)));
  }

  @Test
  void malformedMetadataKnobsNameTheKey() {
    SplittableRandom r = new SplittableRandom(1);
    assertThatThrownBy(() -> GrpcPlan.decide(Behavior.defaults(), 0, null, "99", null, r))
        .hasMessageStartingWith("x-echo-grpc-status:");
    assertThatThrownBy(() -> GrpcPlan.decide(Behavior.defaults(), 0, null, null, "soon", r))
        .hasMessageStartingWith("x-echo-delay:");
  }
}
