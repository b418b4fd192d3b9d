package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import java.util.UUID;

/**
 * Where the sidecar gets the {@code x-request-id} of a request that arrives without one (Envoy
 * generates a UUID4). An input of the sidecar, so a seeded run can make request ids reproducible.
 */
@FunctionalInterface
public interface RequestIdSource {

  String nextRequestId();

  /** Random UUID4s from the JVM's secure random, as Envoy generates them. */
  static RequestIdSource randomUuids() {
    return () -> UUID.randomUUID().toString();
  }

  /** UUID4-shaped ids drawn from {@code random}: the same seed gives the same ids. */
  static RequestIdSource from(RandomSource random) {
    return () ->
        random.draw(
            g -> {
              long high = (g.nextLong() & ~0xF000L) | 0x4000L; // version 4
              long low = (g.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
              return new UUID(high, low).toString();
            });
  }
}
