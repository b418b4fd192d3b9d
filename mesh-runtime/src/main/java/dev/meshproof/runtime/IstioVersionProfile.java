package dev.meshproof.runtime;

import dev.meshproof.runtime.policy.lb.LbPolicy;
import java.time.Duration;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What Istio does by default in one release, where the translation would otherwise hard-code it:
 * the defaults a VirtualService or DestinationRule leaves unset. Profiles are keyed by the minor
 * releases where a default changed, as Istio's <a
 * href="https://istio.io/latest/docs/setup/additional-setup/compatibility-versions/">{@code
 * compatibilityVersion}</a> keys its flags; a release between two keys behaves as the older key
 * (1.30 as 1.28).
 *
 * <p>Profile keys: 1.23 (the default retry policy also retries a plain 503: {@code
 * retriable_status_codes: [503]}), 1.24 (it no longer does: {@code
 * EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY}, release note 50506; read by the route builder), 1.28 (a
 * mirror's Host keeps its name: {@code disable_shadow_host_suffix_append: true} on every mirror
 * policy, {@code DISABLE_SHADOW_HOST_SUFFIX}, {@code features/pilot.go:363}, release note 57530; up
 * to 1.27 Envoy appends {@code -shadow}) and 1.32.
 *
 * <p>Modelled (notes/istiod-defaults.md section 3): since 1.29 the circuit breakers no longer track
 * remaining resources ({@code DISABLE_TRACK_REMAINING_CB_METRICS}, {@code features/pilot.go:366});
 * since 1.31 every EDS cluster gets {@code healthy_panic_threshold: 0} ({@code
 * PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS}, {@code features/experimental.go:45}), where 1.28 sets it
 * only with outlier detection and otherwise leaves Envoy's 50 %.
 *
 * @param version the release this profile describes (the mesh's selected version, not the key)
 * @param routeTimeout the route timeout when a VirtualService sets none; zero means disabled (Istio
 *     turns off Envoy's 15 s default)
 * @param defaultLoadBalancer the load balancer when no DestinationRule sets one
 * @param connectTimeout the upstream connect timeout when no DestinationRule sets one
 * @param defaultRetriableStatusCodes the {@code retriable_status_codes} of Istio's default retry
 *     policy (the one every route gets when its VirtualService sets no {@code retries}): {@code
 *     [503]} up to 1.23, empty since 1.24
 * @param trackRemainingCircuitBreakers {@code circuit_breakers.thresholds[0].track_remaining}
 * @param panicThresholdOnEveryCluster whether every EDS cluster gets {@code
 *     common_lb_config.healthy_panic_threshold} (0, or the outlier detection's minHealthPercent)
 * @param disableShadowHostSuffix whether mirror policies set {@code
 *     disable_shadow_host_suffix_append} (1.28+), so a mirror copy's Host is not suffixed with
 *     {@code -shadow}
 */
public record IstioVersionProfile(
    IstioVersion version,
    Duration routeTimeout,
    LbPolicy defaultLoadBalancer,
    Duration connectTimeout,
    boolean trackRemainingCircuitBreakers,
    boolean panicThresholdOnEveryCluster,
    List<Integer> defaultRetriableStatusCodes,
    boolean disableShadowHostSuffix) {

  /**
   * Istio 1.23: LEAST_REQUEST (the default since 1.14), no route timeout, 10 s connect, circuit
   * breakers tracking remaining resources, panic threshold only with outlier detection, and the
   * default retry policy retries 503.
   */
  private static final IstioVersionProfile ISTIO_1_23 =
      new IstioVersionProfile(
          new IstioVersion(1, 23, 0),
          Duration.ZERO,
          LbPolicy.LEAST_REQUEST,
          Duration.ofSeconds(10),
          true,
          false,
          List.of(503),
          false);

  /** Istio 1.24: the defaults of 1.23, but the default retry policy no longer retries 503. */
  private static final IstioVersionProfile ISTIO_1_24 =
      new IstioVersionProfile(
          new IstioVersion(1, 24, 0),
          Duration.ZERO,
          LbPolicy.LEAST_REQUEST,
          Duration.ofSeconds(10),
          true,
          false,
          List.of(),
          false);

  /** Istio 1.28: the defaults of 1.24, and mirror copies keep their Host. */
  private static final IstioVersionProfile ISTIO_1_28 =
      ISTIO_1_24.forVersion(new IstioVersion(1, 28, 0)).withDisableShadowHostSuffix(true);

  /**
   * Istio 1.32: the routing defaults of 1.28; no remaining-resource tracking, panic threshold 0 on
   * every EDS cluster.
   */
  private static final IstioVersionProfile ISTIO_1_32 =
      new IstioVersionProfile(
          IstioVersion.CURRENT,
          Duration.ZERO,
          LbPolicy.LEAST_REQUEST,
          Duration.ofSeconds(10),
          false,
          true,
          List.of(),
          true);

  /** Profiles by the first minor release they apply to. */
  private static final NavigableMap<IstioVersion, IstioVersionProfile> BY_RELEASE = new TreeMap<>();

  static {
    for (IstioVersionProfile profile : List.of(ISTIO_1_23, ISTIO_1_24, ISTIO_1_28, ISTIO_1_32)) {
      BY_RELEASE.put(profile.version(), profile);
    }
  }

  public IstioVersionProfile {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(defaultLoadBalancer, "defaultLoadBalancer");
    if (routeTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "routeTimeout: " + routeTimeout + " (expected: >= 0, 0 meaning disabled)");
    }
    defaultRetriableStatusCodes = List.copyOf(defaultRetriableStatusCodes);
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
    }
  }

  /** The profile of the current release, {@link IstioVersion#CURRENT}. */
  public static IstioVersionProfile current() {
    return of(IstioVersion.CURRENT);
  }

  /**
   * The profile of {@code version}: the defaults of the newest profile key at or before its minor
   * release, reported as {@code version}.
   *
   * @throws IllegalArgumentException when {@code version} is older than the oldest profile or newer
   *     than the newest minor release
   */
  public static IstioVersionProfile of(IstioVersion version) {
    IstioVersion minor = new IstioVersion(version.major(), version.minor(), 0);
    var key = BY_RELEASE.floorEntry(minor);
    if (key == null || minor.compareTo(BY_RELEASE.lastKey()) > 0) {
      throw new IllegalArgumentException(
          "istioVersion: "
              + version
              + " (expected: a release from "
              + shortForm(BY_RELEASE.firstKey())
              + " to "
              + shortForm(BY_RELEASE.lastKey())
              + "; profiles: "
              + BY_RELEASE.keySet().stream()
                  .map(IstioVersionProfile::shortForm)
                  .collect(Collectors.joining(", "))
              + ")");
    }
    return key.getValue().forVersion(version);
  }

  private IstioVersionProfile forVersion(IstioVersion release) {
    return new IstioVersionProfile(
        release,
        routeTimeout,
        defaultLoadBalancer,
        connectTimeout,
        trackRemainingCircuitBreakers,
        panicThresholdOnEveryCluster,
        defaultRetriableStatusCodes,
        disableShadowHostSuffix);
  }

  private IstioVersionProfile withDisableShadowHostSuffix(boolean disable) {
    return new IstioVersionProfile(
        version,
        routeTimeout,
        defaultLoadBalancer,
        connectTimeout,
        trackRemainingCircuitBreakers,
        panicThresholdOnEveryCluster,
        defaultRetriableStatusCodes,
        disable);
  }

  private static String shortForm(IstioVersion version) {
    return version.major() + "." + version.minor();
  }
}
