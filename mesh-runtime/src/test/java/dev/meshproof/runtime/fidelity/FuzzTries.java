package dev.meshproof.runtime.fidelity;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Lets a run override the differential fuzzer's bounded defaults: {@code
 * -Dmeshproof.fuzz.tries=1000} and {@code -Dmeshproof.fuzz.seed=<n>}.
 */
public final class FuzzTries implements AroundPropertyHook {
  @Override
  public PropertyExecutionResult aroundProperty(
      PropertyLifecycleContext context, PropertyExecutor property) {
    String tries = System.getProperty("meshproof.fuzz.tries");
    if (tries != null) {
      try {
        int n = Integer.parseInt(tries.trim());
        if (n < 1) {
          throw new NumberFormatException();
        }
        context.attributes().setTries(n);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "meshproof.fuzz.tries: " + tries + " (expected: a positive integer)", e);
      }
    }
    String seed = System.getProperty("meshproof.fuzz.seed");
    if (seed != null) {
      context.attributes().setSeed(seed.trim());
    }
    return property.execute();
  }
}
