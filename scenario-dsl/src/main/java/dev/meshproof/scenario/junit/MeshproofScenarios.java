package dev.meshproof.scenario.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Turns every scenario file ({@code *.scenario.yaml}) under the given directories into a test named
 * after the scenario, run on each target; a failed expectation fails the test with its evidence, an
 * unavailable target skips it with the reason, a bad file fails it with file:line:column.
 *
 * <pre>{@code
 * class CheckoutMeshIT {
 *   @MeshproofScenarios("src/test/mesh")
 *   void meshScenarios() {}
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@TestTemplate
@ExtendWith(ScenarioFilesProvider.class)
public @interface MeshproofScenarios {
  /** Directories (or files) relative to the working directory, usually the module's basedir. */
  String[] value();

  /** {@code embedded}, {@code envoy} or {@code all}. */
  String target() default "embedded";
}
