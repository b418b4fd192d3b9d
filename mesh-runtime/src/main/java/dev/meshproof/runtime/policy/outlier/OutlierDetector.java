package dev.meshproof.runtime.policy.outlier;

import dev.meshproof.common.RandomSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One cluster's outlier detector in one proxy, with Envoy's arithmetic ({@code
 * source/common/upstream/outlier_detection_impl.cc}, <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier">Envoy
 * outlier detection</a>):
 *
 * <ul>
 *   <li>each attempt's result updates its host's consecutive 5xx, gateway-failure (502/503/504)
 *       and, when split, local-origin counters; a counter reaching its threshold asks for an
 *       ejection at once (not at the next interval);
 *   <li>an ejection happens if {@code 100 * (ejected + 1) / hosts <= max_ejection_percent} (or,
 *       with {@code always_eject_one_host}, none is ejected yet) and the enforcement percentage
 *       draws true; otherwise it counts as {@code ejections_overflow};
 *   <li>the ejection lasts {@code min(base_ejection_time * backoff, max_ejection_time)}, where the
 *       backoff grows by one per ejection and shrinks by one per interval a returned host stays
 *       healthy;
 *   <li>hosts return only at interval ticks ({@link #onInterval()}), with their counters reset.
 * </ul>
 *
 * Time comes from the injected clock, the enforcement draw from the seeded source; the caller arms
 * {@link #onInterval()} every {@link OutlierDetectionPolicy#interval()} on its scheduler.
 *
 * @param <H> the host key
 */
public final class OutlierDetector<H> {

  /** Why a host was ejected: Envoy's {@code OutlierEjectionType} for consecutive errors. */
  public enum EjectionType {
    CONSECUTIVE_5XX,
    CONSECUTIVE_GATEWAY_FAILURE,
    CONSECUTIVE_LOCAL_ORIGIN_FAILURE
  }

  /** Envoy-named counters of this detector ({@code outlier_detection.*}). */
  public record Stats(
      long ejectionsActive,
      long ejectionsEnforcedTotal,
      long ejectionsOverflow,
      long ejectionsDetectedConsecutive5xx,
      long ejectionsDetectedConsecutiveGatewayFailure,
      long ejectionsDetectedConsecutiveLocalOriginFailure) {}

  private static final class Monitor {
    int consecutive5xx;
    int consecutiveGatewayFailure;
    int consecutiveLocalOriginFailure;
    boolean ejected;
    long numEjections;
    long ejectTimeBackoff;
    Instant lastEjection;
    Instant lastUnejection;
  }

  private final OutlierDetectionPolicy policy;
  private final Clock clock;
  private final RandomSource random;
  private final Map<H, Monitor> monitors = new LinkedHashMap<>();
  private long ejectionsActive;
  private long enforced;
  private long overflow;
  private long detected5xx;
  private long detectedGateway;
  private long detectedLocalOrigin;

  public OutlierDetector(OutlierDetectionPolicy policy, Clock clock, RandomSource random) {
    this.policy = policy;
    this.clock = clock;
    this.random = random;
  }

  public OutlierDetectionPolicy policy() {
    return policy;
  }

  /** The cluster's hosts changed: new hosts are monitored, removed ones forgotten. */
  public synchronized void setHosts(Collection<H> hosts) {
    Set<H> keep = new HashSet<>(hosts);
    monitors
        .entrySet()
        .removeIf(
            e -> {
              boolean removed = !keep.contains(e.getKey());
              if (removed && e.getValue().ejected) {
                ejectionsActive--;
              }
              return removed;
            });
    for (H host : hosts) {
      monitors.computeIfAbsent(host, h -> new Monitor());
    }
  }

  /** Whether {@code host} is ejected now (Envoy's {@code FAILED_OUTLIER_CHECK} health flag). */
  public synchronized boolean isEjected(H host) {
    Monitor monitor = monitors.get(host);
    return monitor != null && monitor.ejected;
  }

  /** How many times {@code host} has been ejected. */
  public synchronized long ejections(H host) {
    Monitor monitor = monitors.get(host);
    return monitor == null ? 0 : monitor.numEjections;
  }

  /**
   * Records one attempt's result on {@code host}; returns the ejection it caused, if any. Without
   * the split, a connect failure counts as a 503 and a timeout as a 504 (Envoy's {@code
   * putResultNoLocalExternalSplit}).
   */
  public synchronized Optional<EjectionType> recordResult(H host, AttemptResult result) {
    Monitor monitor = monitors.get(host);
    if (monitor == null) {
      return Optional.empty();
    }
    if (result instanceof AttemptResult.HttpStatus status) {
      return httpStatus(host, monitor, status.status());
    }
    if (policy.splitExternalLocalOriginErrors()) {
      return localOriginFailure(host, monitor);
    }
    return httpStatus(host, monitor, result instanceof AttemptResult.Timeout ? 504 : 503);
  }

  private Optional<EjectionType> httpStatus(H host, Monitor monitor, int status) {
    if (status < 500 || status > 599) {
      monitor.consecutive5xx = 0;
      monitor.consecutiveGatewayFailure = 0;
      if (policy.splitExternalLocalOriginErrors()) {
        // A response means the connection worked: Envoy reports LocalOriginConnectSuccess.
        monitor.consecutiveLocalOriginFailure = 0;
      }
      return Optional.empty();
    }
    Optional<EjectionType> ejection = Optional.empty();
    if (status == 502 || status == 503 || status == 504) {
      if (++monitor.consecutiveGatewayFailure == policy.consecutiveGatewayFailure()) {
        ejection = consecutiveError(host, monitor, EjectionType.CONSECUTIVE_GATEWAY_FAILURE);
      }
    } else {
      monitor.consecutiveGatewayFailure = 0;
    }
    if (++monitor.consecutive5xx == policy.consecutive5xx()) {
      Optional<EjectionType> by5xx = consecutiveError(host, monitor, EjectionType.CONSECUTIVE_5XX);
      if (ejection.isEmpty()) {
        ejection = by5xx;
      }
    }
    return ejection;
  }

  private Optional<EjectionType> localOriginFailure(H host, Monitor monitor) {
    if (++monitor.consecutiveLocalOriginFailure == policy.consecutiveLocalOriginFailure()) {
      return consecutiveError(host, monitor, EjectionType.CONSECUTIVE_LOCAL_ORIGIN_FAILURE);
    }
    return Optional.empty();
  }

  /** Envoy's {@code onConsecutiveErrorWorker}: detect, maybe eject, reset that counter. */
  private Optional<EjectionType> consecutiveError(H host, Monitor monitor, EjectionType type) {
    if (monitor.ejected) {
      return Optional.empty();
    }
    switch (type) {
      case CONSECUTIVE_5XX -> detected5xx++;
      case CONSECUTIVE_GATEWAY_FAILURE -> detectedGateway++;
      case CONSECUTIVE_LOCAL_ORIGIN_FAILURE -> detectedLocalOrigin++;
    }
    boolean ejected = eject(monitor, type);
    switch (type) {
      case CONSECUTIVE_5XX -> monitor.consecutive5xx = 0;
      case CONSECUTIVE_GATEWAY_FAILURE -> monitor.consecutiveGatewayFailure = 0;
      case CONSECUTIVE_LOCAL_ORIGIN_FAILURE -> monitor.consecutiveLocalOriginFailure = 0;
    }
    return ejected ? Optional.of(type) : Optional.empty();
  }

  /** Envoy's {@code ejectHost}: the cap, then the enforcement draw, then the ejection. */
  private boolean eject(Monitor monitor, EjectionType type) {
    long maxPercent = Math.min(100, policy.maxEjectionPercent());
    double ejectedPercent = 100.0 * (ejectionsActive + 1) / monitors.size();
    boolean shouldEject = ejectedPercent <= maxPercent;
    if (policy.alwaysEjectOneHost()) {
      shouldEject = ejectionsActive == 0 || shouldEject;
    }
    if (!shouldEject) {
      overflow++;
      return false;
    }
    if (!enforced(type)) {
      return false;
    }
    ejectionsActive++;
    enforced++;
    monitor.ejected = true;
    monitor.numEjections++;
    monitor.lastEjection = clock.instant();
    long base = policy.baseEjectionTime().toMillis();
    if (monitor.ejectTimeBackoff * base < policy.maxEjectionTime().toMillis() + base) {
      monitor.ejectTimeBackoff++;
    }
    return true;
  }

  private boolean enforced(EjectionType type) {
    int percent =
        switch (type) {
          case CONSECUTIVE_5XX -> policy.enforcingConsecutive5xx();
          case CONSECUTIVE_GATEWAY_FAILURE -> policy.enforcingConsecutiveGatewayFailure();
          case CONSECUTIVE_LOCAL_ORIGIN_FAILURE -> policy.enforcingConsecutiveLocalOriginFailure();
        };
    // Envoy's featureEnabled(key, percent): a draw only where the answer is not certain.
    if (percent >= 100) {
      return true;
    }
    if (percent <= 0) {
      return false;
    }
    return random.nextLong(100) < percent;
  }

  /** How long {@code host}'s current ejection lasts, given its backoff. */
  public synchronized Duration ejectionTimeFor(H host) {
    Monitor monitor = monitors.get(host);
    long backoff = monitor == null ? 0 : monitor.ejectTimeBackoff;
    Duration time = policy.baseEjectionTime().multipliedBy(backoff);
    return time.compareTo(policy.maxEjectionTime()) < 0 ? time : policy.maxEjectionTime();
  }

  /**
   * The interval tick ({@code onIntervalTimer}): returns ejected hosts whose time is up, and lowers
   * the backoff of hosts that have stayed healthy for an interval since their return.
   */
  public synchronized void onInterval() {
    Instant now = clock.instant();
    for (Map.Entry<H, Monitor> entry : monitors.entrySet()) {
      Monitor monitor = entry.getValue();
      if (monitor.ejected
          && Duration.between(monitor.lastEjection, now).compareTo(ejectionTimeFor(entry.getKey()))
              >= 0) {
        monitor.ejected = false;
        ejectionsActive--;
        monitor.consecutive5xx = 0;
        monitor.consecutiveGatewayFailure = 0;
        monitor.consecutiveLocalOriginFailure = 0;
        monitor.lastUnejection = now;
      }
    }
    for (Monitor monitor : monitors.values()) {
      if (!monitor.ejected
          && monitor.lastUnejection != null
          && Duration.between(monitor.lastUnejection, now).compareTo(policy.interval()) >= 0
          && monitor.ejectTimeBackoff != 0) {
        monitor.ejectTimeBackoff--;
      }
    }
  }

  public synchronized Stats stats() {
    return new Stats(
        ejectionsActive, enforced, overflow, detected5xx, detectedGateway, detectedLocalOrigin);
  }
}
