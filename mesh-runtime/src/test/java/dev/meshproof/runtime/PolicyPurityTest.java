package dev.meshproof.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Mesh decisions stay pure (STYLE.md): no transport types, no wall clock, no global randomness in
 * {@code policy} packages, and no reach into the proxy, control plane or Envoy packages. This is
 * what lets a run replay from its seed and the same policy run on a virtual clock: time comes in as
 * a {@link Clock}, randomness as {@code dev.meshproof.common.RandomSource}.
 */
class PolicyPurityTest {
  private static final String POLICY = "dev.meshproof.runtime.policy..";

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.meshproof.runtime");

  /** A test-only class under a policy package that breaks every rule (see its javadoc). */
  private static final JavaClasses IMPURE_FIXTURE =
      new ClassFileImporter().importPackages("dev.meshproof.runtime.policy.purityfixture");

  static final ArchRule NO_TRANSPORT_OR_MESH_PLUMBING =
      noClasses()
          .that()
          .resideInAPackage(POLICY)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.netty..",
              "io.grpc..",
              "io.envoyproxy..",
              "com.google.protobuf..",
              "dev.meshproof.runtime.proxy..",
              "dev.meshproof.runtime.xds..",
              "dev.meshproof.runtime.transport..",
              "dev.meshproof.runtime.envoy..");

  static final ArchRule NO_WALL_CLOCK =
      noClasses()
          .that()
          .resideInAPackage(POLICY)
          .should()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethod(Instant.class, "now")
          .orShould()
          .callMethod(Clock.class, "systemUTC")
          .orShould()
          .callMethod(Clock.class, "systemDefaultZone")
          .orShould()
          .callMethod(Clock.class, "system", ZoneId.class);

  static final ArchRule NO_GLOBAL_RANDOMNESS =
      noClasses()
          .that()
          .resideInAPackage(POLICY)
          .should()
          .callMethod(Math.class, "random")
          .orShould()
          .callMethod(UUID.class, "randomUUID")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.util.Random");

  @Test
  void policyCodeUsesNoTransportTypesAndNoProxyOrControlPlaneCode() {
    NO_TRANSPORT_OR_MESH_PLUMBING.check(CLASSES);
  }

  @Test
  void policyCodeTakesNoTimeFromTheWallClock() {
    NO_WALL_CLOCK.check(CLASSES);
  }

  @Test
  void policyCodeTakesNoGlobalRandomness() {
    NO_GLOBAL_RANDOMNESS.check(CLASSES);
  }

  @Test
  void everyRuleRejectsAViolatingPolicyClass() {
    assertThatThrownBy(() -> NO_TRANSPORT_OR_MESH_PLUMBING.check(IMPURE_FIXTURE))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("dev.meshproof.runtime.xds.XdsNames")
        .hasMessageContaining("io.netty.util.CharsetUtil");
    assertThatThrownBy(() -> NO_WALL_CLOCK.check(IMPURE_FIXTURE))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Instant.now()")
        .hasMessageContaining("Clock.systemUTC()")
        .hasMessageContaining("Clock.systemDefaultZone()")
        .hasMessageContaining("System.currentTimeMillis()")
        .hasMessageContaining("System.nanoTime()");
    assertThatThrownBy(() -> NO_GLOBAL_RANDOMNESS.check(IMPURE_FIXTURE))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("UUID.randomUUID()")
        .hasMessageContaining("Math.random()")
        .hasMessageContaining("java.util.Random")
        .hasMessageContaining("ThreadLocalRandom");
  }

  @Test
  void theMeshRuntimeKnowsNothingOfScenariosChaosOrReports() {
    noClasses()
        .that()
        .resideInAPackage("dev.meshproof.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.meshproof.scenario..",
            "dev.meshproof.chaos..",
            "dev.meshproof.reports..",
            "dev.meshproof.fake..")
        .check(CLASSES);
  }
}
