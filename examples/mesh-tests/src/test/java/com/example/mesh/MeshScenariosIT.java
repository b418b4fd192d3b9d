package com.example.mesh;

import dev.meshproof.scenario.junit.MeshproofScenarios;

/** Every scenario file under src/test/mesh, one test each, named after the scenario. */
class MeshScenariosIT {

  @MeshproofScenarios("src/test/mesh")
  void meshScenarios() {}
}
