package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdSourceTest {

  @Test
  void aSeededSourceRepeatsItsIdsForTheSameSeed() {
    RequestIdSource a = RequestIdSource.from(RandomSource.seeded(42));
    RequestIdSource b = RequestIdSource.from(RandomSource.seeded(42));

    String first = a.nextRequestId();
    assertThat(b.nextRequestId()).isEqualTo(first);
    assertThat(a.nextRequestId()).isNotEqualTo(first).isEqualTo(b.nextRequestId());
  }

  @Test
  void seededIdsAreVersion4Uuids() {
    UUID id = UUID.fromString(RequestIdSource.from(RandomSource.seeded(7)).nextRequestId());

    assertThat(id.version()).isEqualTo(4);
    assertThat(id.variant()).isEqualTo(2);
  }
}
