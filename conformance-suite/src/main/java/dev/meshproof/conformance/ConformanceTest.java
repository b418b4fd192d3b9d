package dev.meshproof.conformance;

import dev.meshproof.scenario.Scenario;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * One entry of the conformance catalogue: a short name, the feature it proves, what it checks, the
 * Istio/Envoy documentation it encodes, and its scenario. The scenario's Istio YAML is the manifest
 * {@code conformance/<id>.yaml} on the classpath, real YAML as a user would apply it.
 */
public record ConformanceTest(
    String id,
    Feature feature,
    String description,
    String specReference,
    Function<String, Scenario> scenario) {

  /** The manifest this test applies. */
  public String manifest() {
    String path = "conformance/" + id + ".yaml";
    try (InputStream in = ConformanceTest.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(
            "manifest " + path + " of conformance test " + id + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest " + path, e);
    }
  }

  /** The scenario, built over this test's manifest. */
  public Scenario buildScenario() {
    return scenario.apply(manifest());
  }
}
