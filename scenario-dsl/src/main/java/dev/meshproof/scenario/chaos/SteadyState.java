package dev.meshproof.scenario.chaos;

import dev.meshproof.scenario.expect.Expectation;
import dev.meshproof.scenario.traffic.TrafficSpec;
import java.util.List;
import java.util.Objects;

/**
 * A chaos experiment's steady-state hypothesis, as the Chaos Toolkit's: expectations over a window
 * of probe traffic that must hold before the method (the faults) starts and again after every fault
 * was reverted. The probe is sent twice, as {@code <name>-before} and {@code <name>-after}, so each
 * window has its own request ids; the scenario's own expectations judge only the method's traffic.
 *
 * @param probe the traffic of each probe window
 * @param expectations what must hold in each window; at least one
 * @see <a href="https://chaostoolkit.org/reference/api/experiment/#steady-state-hypothesis">Chaos
 *     Toolkit: steady-state hypothesis</a>
 */
public record SteadyState(TrafficSpec probe, List<Expectation> expectations) {

  /** Checks a probe and at least one expectation. */
  public SteadyState {
    Objects.requireNonNull(probe, "probe");
    expectations = List.copyOf(Objects.requireNonNull(expectations, "expectations"));
    if (expectations.isEmpty()) {
      throw new IllegalArgumentException(
          "steadyState.expect: none (expected: at least one expectation the probe must meet)");
    }
  }

  /**
   * Equal when the probes send the same requests (bodies compared by content) and the expectations
   * describe the same checks; so a hypothesis read back from its file equals the one written.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof SteadyState other
        && probe.name().equals(other.probe.name())
        && probe.from().equals(other.probe.from())
        && probe.request().method().equals(other.probe.request().method())
        && probe.request().url().equals(other.probe.request().url())
        && probe.request().headers().equals(other.probe.request().headers())
        && java.util.Arrays.equals(probe.request().body(), other.probe.request().body())
        && probe.request().timeout().equals(other.probe.request().timeout())
        && probe.requests() == other.probe.requests()
        && probe.concurrency() == other.probe.concurrency()
        && probe.pace().equals(other.probe.pace())
        && probe.protocol() == other.probe.protocol()
        && probe.rate() == other.probe.rate()
        && probe.duration().equals(other.probe.duration())
        && probe.variation().equals(other.probe.variation())
        && descriptions().equals(other.descriptions());
  }

  @Override
  public int hashCode() {
    return Objects.hash(probe.name(), probe.from(), probe.request().url(), descriptions());
  }

  private List<String> descriptions() {
    return expectations.stream().map(Expectation::description).toList();
  }

  /** The probe of the window before ({@code before == true}) or after the method. */
  public TrafficSpec probe(boolean before) {
    return probe.named(probe.name() + (before ? "-before" : "-after"));
  }
}
