package dev.meshproof.fake.behavior;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BehaviorJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void roundTripsEveryLatencyShape() {
    for (Latency l :
        List.of(
            Latency.NONE,
            new Latency.Fixed(Duration.ofMillis(30)),
            new Latency.Uniform(Duration.ofMillis(1), Duration.ofMillis(9)),
            new Latency.Normal(Duration.ofMillis(50), Duration.ofMillis(5)),
            new Latency.LogNormal(Duration.ofMillis(20), 0.5))) {
      Behavior b =
          Behavior.builder()
              .errors(0.25, "500:3,503:1")
              .latency(l)
              .fault(Fault.SLOW_BODY, 0.5)
              .slowBodyChunkDelay(Duration.ofMillis(7))
              .ready(false)
              .build();
      assertThat(BehaviorJson.fromJson(BehaviorJson.toJson(b), Behavior.defaults())).isEqualTo(b);
    }
  }

  @Test
  void absentFieldsKeepTheBase() throws Exception {
    Behavior base = Behavior.builder().errors(0.5, "503").build();
    Behavior b = BehaviorJson.fromJson(JSON.readTree("{\"ready\":false}"), base);
    assertThat(b).isEqualTo(base.toBuilder().ready(false).build());
  }

  @Test
  void errorsNameTheFieldAndTheAllowedValues() throws Exception {
    assertThatThrownBy(
            () -> BehaviorJson.fromJson(JSON.readTree("{\"errorRate\":2}"), Behavior.defaults()))
        .hasMessageStartingWith("errorRate: 2.0");
    assertThatThrownBy(
            () -> BehaviorJson.fromJson(JSON.readTree("{\"fault\":\"melt\"}"), Behavior.defaults()))
        .hasMessageStartingWith("fault: \"MELT\" (expected one of");
    assertThatThrownBy(
            () -> BehaviorJson.fromJson(JSON.readTree("{\"nope\":1}"), Behavior.defaults()))
        .hasMessageStartingWith("nope: unknown field");
    assertThatThrownBy(
            () ->
                BehaviorJson.fromJson(
                    JSON.readTree("{\"latency\":{\"type\":\"fixed\",\"value\":\"soon\"}}"),
                    Behavior.defaults()))
        .hasMessageStartingWith("value:");
  }
}
