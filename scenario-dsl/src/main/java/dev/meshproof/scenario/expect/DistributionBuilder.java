package dev.meshproof.scenario.expect;

import java.time.Duration;
import java.util.Optional;

/**
 * The steps a distribution expectation's builder shares ({@link SplitExpectation.Builder}, {@link
 * ShareExpectation.Builder}): which traffic block and which window of it are judged, and at what
 * significance level.
 *
 * @param <B> the concrete builder, returned by each step
 */
public abstract class DistributionBuilder<B extends DistributionBuilder<B>>
    implements ExpectationSpec {
  private final String service;
  private Optional<String> traffic = Optional.empty();
  private Optional<TrafficWindow> during = Optional.empty();
  private double alpha = Significance.DEFAULT_ALPHA;

  DistributionBuilder(String service) {
    this.service = service;
  }

  /** Judges only the requests of the named traffic block; default all traffic. */
  public B forTraffic(String name) {
    this.traffic = Optional.of(name);
    return self();
  }

  /**
   * Judges only the requests sent from {@code from} to {@code to} after the start of their traffic
   * block: one phase of it, e.g. an endpoint's warmup window or after it; default the whole
   * traffic.
   */
  public B sentDuring(Duration from, Duration to) {
    this.during = Optional.of(new TrafficWindow(from, to));
    return self();
  }

  /** The significance level of the test; default 0.001. */
  public B atAlpha(double alpha) {
    this.alpha = Significance.checkAlpha(alpha);
    return self();
  }

  abstract B self();

  /** The requests judged, attributed by {@code dimension}. */
  DistributionScope scope(SplitExpectation.Dimension dimension) {
    return new DistributionScope(service, dimension, traffic, during);
  }

  double alpha() {
    return alpha;
  }
}
