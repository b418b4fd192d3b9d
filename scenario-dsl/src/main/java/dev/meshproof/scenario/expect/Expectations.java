package dev.meshproof.scenario.expect;

/** Entry points of the expectation DSL, for static import. */
public final class Expectations {
  private Expectations() {}

  /** Expects the traffic to {@code service} to split across its versions as given. */
  public static SplitExpectation.Builder split(String service) {
    return new SplitExpectation.Builder(service);
  }

  /** Expects the fraction of 2xx responses among all requests to be at least a floor. */
  public static SuccessRateExpectation.Builder successRate() {
    return new SuccessRateExpectation.Builder();
  }

  /** Expects requests refused by a circuit breaker (503 UO, {@code x-envoy-overloaded}). */
  public static OverflowExpectation.Builder overflows() {
    return new OverflowExpectation.Builder();
  }

  /** Expects the instance (pod) named {@code instance} to serve a bounded number of requests. */
  public static ServedExpectation.Builder servedBy(String instance) {
    return new ServedExpectation.Builder(instance);
  }

  /** Expects {@code instance} to be ejected by its first 5xx for a window, then re-admitted. */
  public static EjectionExpectation.Builder ejection(String instance) {
    return new EjectionExpectation.Builder(instance);
  }
}
