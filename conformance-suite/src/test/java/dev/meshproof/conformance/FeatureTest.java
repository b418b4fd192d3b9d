package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FeatureTest {

  /** Gateway API's mesh features start with "Mesh"; Meshproof's must not look like them. */
  @Test
  void reportNamesAreMeshproofsOwnAndUnique() {
    assertThat(Feature.MeshHTTPRouteWeight.reportName()).isEqualTo("MeshproofHTTPRouteWeight");
    assertThat(Arrays.stream(Feature.values()).map(Feature::reportName))
        .allSatisfy(n -> assertThat(n).startsWith("Meshproof"))
        .doesNotHaveDuplicates();
  }
}
