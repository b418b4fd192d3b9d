package dev.meshproof.runtime.policy.purityfixture;

import dev.meshproof.runtime.xds.XdsNames;
import java.time.Clock;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything policy code must not do, in one test-only class under a policy package: {@code
 * PolicyPurityTest} proves each of its rules rejects this class, so the rules can fail.
 */
final class ImpurePolicy {
  private ImpurePolicy() {}

  static Instant now() {
    return Instant.now();
  }

  static Clock utc() {
    return Clock.systemUTC();
  }

  static Clock local() {
    return Clock.systemDefaultZone();
  }

  static UUID requestId() {
    return UUID.randomUUID();
  }

  static long millis() {
    return System.currentTimeMillis();
  }

  static long nanos() {
    return System.nanoTime();
  }

  static int draw() {
    return new Random().nextInt() + ThreadLocalRandom.current().nextInt() + (int) Math.random();
  }

  static String importsTheControlPlane() {
    // A method call, not a constant: constants are inlined and leave no dependency behind.
    return XdsNames.outboundCluster(80, "", "catalog") + io.netty.util.CharsetUtil.UTF_8;
  }
}
