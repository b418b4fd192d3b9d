package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.expect.Expectation;
import dev.meshproof.scenario.yaml.ScenarioFile;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The catalogue is data: every entry is a scenario file that maps onto the Java model and back. */
class CatalogueTest {

  @Test
  void everyEntryRoundTripsBetweenItsFileAndTheJavaModel() {
    List<ConformanceTest> tests = Catalogue.fromFiles();

    assertThat(tests).hasSizeGreaterThanOrEqualTo(20);
    for (ConformanceTest test : tests) {
      ScenarioFile file = Catalogue.scenarioFile(test.id() + ".scenario.yaml");
      Scenario scenario = test.buildScenario();
      String written = ScenarioYaml.write(scenario, file.metadata(), true);
      ScenarioFile back =
          ScenarioYaml.parse(
              test.id(), written, relative -> Catalogue.resource(Catalogue.DIRECTORY + relative));

      assertThat(ScenarioYaml.write(back.scenario(), back.metadata(), true))
          .as(test.id())
          .isEqualTo(written);
      assertThat(back.scenario().istio()).as(test.id()).isEqualTo(scenario.istio());
      assertThat(back.scenario().services()).as(test.id()).isEqualTo(scenario.services());
      assertThat(back.scenario().chaos()).as(test.id()).isEqualTo(scenario.chaos());
      assertThat(back.scenario().expectations())
          .extracting(Expectation::description)
          .as(test.id())
          .isEqualTo(scenario.expectations().stream().map(Expectation::description).toList());
      // A walk-through applies its manifest first, then the next steps' files (Bookinfo tasks).
      assertThat(scenario.istio()).as(test.id() + " applies its manifest").isNotEmpty();
      assertThat(scenario.istio().get(0).yaml()).isEqualTo(test.manifest());
    }
  }

  @Test
  void theRouteActionMirrorAndFaultEntriesAreScenarioFilesToo() {
    assertThat(Catalogue.fromFiles())
        .extracting(ConformanceTest::id)
        .contains(
            "mesh-http-route-query-param-match",
            "mesh-http-route-method-match",
            "mesh-http-rewrite",
            "mesh-http-redirect",
            "mesh-http-header-modifier",
            "mesh-direct-response",
            "mesh-request-mirror",
            "mesh-request-mirror-istio-1-27",
            "mesh-request-mirror-isolation",
            "mesh-fault-abort",
            "mesh-fault-delay")
        .hasSize(Catalogue.all().size() - Catalogue.javaEntries().size());
  }

  @Test
  void idsAreUniqueAndEveryEntryStatesItsSpecReference() {
    List<ConformanceTest> tests = Catalogue.all();

    assertThat(tests).extracting(ConformanceTest::id).doesNotHaveDuplicates();
    assertThat(tests).allSatisfy(t -> assertThat(t.specReference()).startsWith("https://"));
    assertThat(tests).allSatisfy(t -> assertThat(t.description()).isNotBlank());
  }

  @Test
  void anEntryNamingAnUnknownFeatureIsRefusedWithTheAllowedOnes() {
    Optional<String> text = Catalogue.resource("conformance/mesh-timeouts.scenario.yaml");
    String wrong = text.orElseThrow().replace("feature: MeshTimeouts", "feature: MeshTimeout");

    ScenarioFile file =
        ScenarioYaml.parse(
            "x", wrong, relative -> Catalogue.resource(Catalogue.DIRECTORY + relative));

    assertThatThrownBy(() -> Catalogue.entry("mesh-timeouts.scenario.yaml", file))
        .hasMessageContaining("metadata.feature MeshTimeout (expected one of [")
        .hasMessageContaining("MeshTimeouts");
  }
}
