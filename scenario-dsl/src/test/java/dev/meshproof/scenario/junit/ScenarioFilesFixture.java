package dev.meshproof.scenario.junit;

/** Run only by {@link MeshproofScenariosIT} through the JUnit launcher. */
class ScenarioFilesFixture {
  @MeshproofScenarios(value = "target/junit-fixture")
  void scenarios() {}
}
