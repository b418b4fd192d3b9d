package dev.meshproof.runtime.policy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.policy.upstream.AttemptOutcome.Failure;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import org.junit.jupiter.api.Test;

class AttemptOutcomeTest {

  @Test
  void eachFailureMapsToEnvoysFlagAndLocalReplyStatus() {
    assertThat(new Failure(Failure.Kind.CONNECT_FAILURE).flag())
        .contains(ResponseFlag.UPSTREAM_CONNECTION_FAILURE);
    assertThat(new Failure(Failure.Kind.RESET).flag())
        .contains(ResponseFlag.UPSTREAM_CONNECTION_TERMINATION);
    assertThat(new Failure(Failure.Kind.TIMEOUT).flag())
        .contains(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
    assertThat(new Failure(Failure.Kind.TIMEOUT).localReplyStatus()).isEqualTo(504);
    assertThat(new Failure(Failure.Kind.RESET).localReplyStatus()).isEqualTo(503);
    assertThat(new Failure(Failure.Kind.CONNECT_FAILURE).localReplyBody())
        .endsWith("reset reason: connection failure");
  }

  @Test
  void aResponseIsNotFlaggedWhateverItsStatus() {
    assertThat(new AttemptOutcome.Response(503).flag()).isEmpty();
  }
}
