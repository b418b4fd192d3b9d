package dev.meshproof.scenario.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.chaos.ChaosEvent;
import dev.meshproof.scenario.result.TrafficTimeline.FaultWindow;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A chaos run's event log becomes the windows a report shades on the traffic's time axis. */
class FaultWindowsTest {

  private static ChaosEvent event(int ms, String fault, ChaosEvent.Kind kind) {
    return new ChaosEvent(
        Duration.ofMillis(ms), fault, kind, kind == ChaosEvent.Kind.FAILED ? "boom" : "");
  }

  @Test
  void eachInjectionLastsUntilTheSameFaultsRevertAndAFailedFaultHasNoWindow() {
    List<FaultWindow> windows =
        ScenarioOrchestrator.faultWindows(
            List.of(
                event(0, "control plane outage", ChaosEvent.Kind.INJECTED),
                event(100, "errors 30% on reviews-v2", ChaosEvent.Kind.INJECTED),
                event(150, "latency on ratings", ChaosEvent.Kind.FAILED),
                event(400, "errors 30% on reviews-v2", ChaosEvent.Kind.REVERTED),
                event(900, "control plane outage", ChaosEvent.Kind.REVERTED)));

    assertThat(windows)
        .containsExactly(
            new FaultWindow("errors 30% on reviews-v2", 100, 400),
            new FaultWindow("control plane outage", 0, 900));
  }
}
