package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The negative half of MeshTimeouts on {@code iia-ch6-timeouts}: without the route's {@code
 * timeout: 0.5s} the slow calls wait out simple-backend's 3 s and come back 200, so exactly the
 * slow calls' UT and their 2 s latency bound fail on every target; the fast calls, one attempt per
 * call, are unchanged. So the entry's margins still need the timeout to pass.
 */
class TimeoutCatalogueNegativeIT {

  @TestFactory
  Stream<DynamicTest> withoutTheRouteTimeoutTheSlowCallsAreAnswered() {
    return CatalogueNegative.of("iia-ch6-timeouts.scenario.yaml", "without its route timeout")
        .istioFile("iia-ch6-timeouts.yaml", yaml -> yaml.replace("    timeout: 0.5s\n", ""))
        .failsOnEveryTarget(
            result ->
                assertThat(result.expectations())
                    .filteredOn(e -> !e.passed())
                    .extracting(e -> e.description())
                    .hasSize(2)
                    .anySatisfy(d -> assertThat(d).contains("UT"))
                    .anySatisfy(d -> assertThat(d).contains("2000")));
  }
}
