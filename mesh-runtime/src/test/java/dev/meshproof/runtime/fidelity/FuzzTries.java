package dev.meshproof.runtime.fidelity;

import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Lets a run override the differential fuzzer's bounded defaults: {@code
 * -Dmeshproof.fuzz.tries=1000}, {@code -Dmeshproof.fuzz.seed=<n>} and {@code
 * -Dmeshproof.fuzz.shrinking=FULL} (jqwik's default, BOUNDED, gives up after 10 s; a case costs
 * about half a second).
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
    String shrinking = System.getProperty("meshproof.fuzz.shrinking");
    if (shrinking != null) {
      context.attributes().setShrinking(ShrinkingMode.valueOf(shrinking.trim()));
    }
    return property.execute();
  }
}
