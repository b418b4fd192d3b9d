package dev.meshproof.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Mesh decisions stay pure (STYLE.md): no transport types, no wall clock, no global randomness in
 * {@code policy} packages. This is what lets a run replay from its seed and the same policy run on
 * a virtual clock.
 */
class PolicyPurityTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.meshproof.runtime");

  @Test
  void policyCodeUsesNoTransportTypes() {
    noClasses()
        .that()
        .resideInAPackage("dev.meshproof.runtime.policy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.netty..", "io.grpc..", "io.envoyproxy..", "com.google.protobuf..")
        .check(CLASSES);
  }

  @Test
  void policyCodeTakesNoTimeOrRandomnessFromTheEnvironment() {
    noClasses()
        .that()
        .resideInAPackage("dev.meshproof.runtime.policy..")
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(Math.class, "random")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.Random")
        .check(CLASSES);
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
