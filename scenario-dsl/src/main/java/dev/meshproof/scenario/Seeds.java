package dev.meshproof.scenario;

/**
 * The one place a run's component seeds come from: each is derived from the scenario seed and the
 * component's stable name. The derivations are the ones Meshproof has always used, kept exactly so
 * a seed printed by an earlier run still replays it.
 *
 * @param scenario the scenario seed ({@link Scenario#seed()})
 */
public record Seeds(long scenario) {

  /** The seeds of {@code scenario}'s run. */
  public static Seeds of(Scenario scenario) {
    return new Seeds(scenario.seed());
  }

  /**
   * The mesh's seed: the scenario seed itself; the mesh forks one stream per proxy from it ({@code
   * RandomSource.fork(proxy)}), so adding a proxy does not shift the others' draws.
   */
  public long mesh() {
    return scenario;
  }

  /**
   * A fake-service instance's seed (its error mix and latency draws), from its pod name, e.g.
   * {@code catalog-v1-0}: the scenario seed XOR the name's {@link String#hashCode()}, which Java
   * specifies, so the value is the same on every JVM.
   */
  public long instance(String instanceName) {
    return scenario ^ instanceName.hashCode();
  }
}
