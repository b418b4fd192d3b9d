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
 * <p>Profile keys, each the release where a modelled default changed (the list with sources and
 * switches is docs/istio-versions.md): 1.23 (the default retry policy also retries a plain 503:
 * {@code retriable_status_codes: [503]}), 1.24 (it no longer does: {@code
 * EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY}, release note 50506; read by the route builder), 1.28 (the
 * defaults of 1.24, and a mirror's Host keeps its name: {@code disable_shadow_host_suffix_append:
 * true} on every mirror policy, {@code DISABLE_SHADOW_HOST_SUFFIX}, {@code features/pilot.go:363},
 * release note 57530; up to 1.27 Envoy appends {@code -shadow}), 1.29 (the circuit breakers no
 * longer track remaining resources: {@code DISABLE_TRACK_REMAINING_CB_METRICS}, {@code
 * features/pilot.go:366}; read by the cluster builder), 1.31 (every EDS cluster gets {@code
 * healthy_panic_threshold: 0}: {@code PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS}, {@code
 * features/experimental.go:45}, where earlier releases set it only with outlier detection and
 * otherwise leave Envoy's 50 %) and 1.32 (the defaults of 1.31). notes/istiod-defaults.md section 3
 * and Istio's {@code manifests/helm-profiles/compatibility-version-*.yaml} are the sources.
 *
 * <p>As Istio's {@code compatibilityVersion}, the release a mesh reports ({@link #version()}) and
 * the release whose behaviour it follows ({@link #behaviourOf()}) can differ: {@link
 * #of(IstioVersion, IstioVersion)} runs release 1.32 with the defaults of 1.28.
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
 * @param behaviourOf the profile key whose defaults these are: the release the behaviour comes from
 *     (1.28 for release 1.30, or the {@code compatibilityVersion}'s key)
 */
public record IstioVersionProfile(
    IstioVersion version,
    Duration routeTimeout,
    LbPolicy defaultLoadBalancer,
    Duration connectTimeout,
    boolean trackRemainingCircuitBreakers,
    boolean panicThresholdOnEveryCluster,
    List<Integer> defaultRetriableStatusCodes,
    boolean disableShadowHostSuffix,
    IstioVersion behaviourOf) {

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
      new IstioVersionProfile(
          new IstioVersion(1, 28, 0),
          Duration.ZERO,
          LbPolicy.LEAST_REQUEST,
          Duration.ofSeconds(10),
          true,
          false,
          List.of(),
          true);

  /** Istio 1.29: the defaults of 1.28, but circuit breakers no longer track remaining resources. */
  private static final IstioVersionProfile ISTIO_1_29 =
      new IstioVersionProfile(
          new IstioVersion(1, 29, 0),
          Duration.ZERO,
          LbPolicy.LEAST_REQUEST,
          Duration.ofSeconds(10),
          false,
          false,
          List.of(),
          true);

  /** Istio 1.31: the defaults of 1.29, and panic threshold 0 on every EDS cluster. */
  private static final IstioVersionProfile ISTIO_1_31 =
      new IstioVersionProfile(
          new IstioVersion(1, 31, 0),
          Duration.ZERO,
          LbPolicy.LEAST_REQUEST,
          Duration.ofSeconds(10),
          false,
          true,
          List.of(),
          true);

  /** Istio 1.32: the defaults of 1.31 (no 1.32 behaviour change is flagged in Istio's source). */
  private static final IstioVersionProfile ISTIO_1_32 = ISTIO_1_31.asKey(IstioVersion.CURRENT);

  /** Profiles by the first minor release they apply to. */
  private static final NavigableMap<IstioVersion, IstioVersionProfile> BY_RELEASE = new TreeMap<>();

  static {
    for (IstioVersionProfile profile :
        List.of(ISTIO_1_23, ISTIO_1_24, ISTIO_1_28, ISTIO_1_29, ISTIO_1_31, ISTIO_1_32)) {
      BY_RELEASE.put(profile.version(), profile);
    }
  }

  /** A profile that is its own key: the defaults of {@code version}. */
  public IstioVersionProfile(
      IstioVersion version,
      Duration routeTimeout,
      LbPolicy defaultLoadBalancer,
      Duration connectTimeout,
      boolean trackRemainingCircuitBreakers,
      boolean panicThresholdOnEveryCluster,
      List<Integer> defaultRetriableStatusCodes,
      boolean disableShadowHostSuffix) {
    this(
        version,
        routeTimeout,
        defaultLoadBalancer,
        connectTimeout,
        trackRemainingCircuitBreakers,
        panicThresholdOnEveryCluster,
        defaultRetriableStatusCodes,
        disableShadowHostSuffix,
        version);
  }

  public IstioVersionProfile {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(behaviourOf, "behaviourOf");
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
    return of(version, version);
  }

  /**
   * Release {@code version} with the behaviour of {@code compatibilityVersion}, as Istio's {@code
   * compatibilityVersion} install option: proxies report {@code version}, the translation follows
   * the defaults of the profile key at or before {@code compatibilityVersion}.
   *
   * @throws IllegalArgumentException when either release is outside the profiles, or {@code
   *     compatibilityVersion} is newer than {@code version}
   */
  public static IstioVersionProfile of(IstioVersion version, IstioVersion compatibilityVersion) {
    keyOf("istioVersion", version);
    if (compatibilityVersion.compareTo(version) > 0) {
      throw new IllegalArgumentException(
          "compatibilityVersion: "
              + compatibilityVersion
              + " (expected: a release at or before the emulated release "
              + shortForm(version)
              + ")");
    }
    return keyOf("compatibilityVersion", compatibilityVersion).forVersion(version);
  }

  /**
   * How reports name the emulated release and its behaviour: {@code 1.32.0 (profile 1.32)}, {@code
   * 1.30.2 (profile 1.29)}.
   */
  public String describe() {
    return version + " (profile " + shortForm(behaviourOf) + ")";
  }

  static IstioVersionProfile keyOf(String field, IstioVersion version) {
    IstioVersion minor = new IstioVersion(version.major(), version.minor(), 0);
    var key = BY_RELEASE.floorEntry(minor);
    if (key == null || minor.compareTo(BY_RELEASE.lastKey()) > 0) {
      throw new IllegalArgumentException(
          field
              + ": "
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
    return key.getValue();
  }

  private IstioVersionProfile asKey(IstioVersion key) {
    return new IstioVersionProfile(
        key,
        routeTimeout,
        defaultLoadBalancer,
        connectTimeout,
        trackRemainingCircuitBreakers,
        panicThresholdOnEveryCluster,
        defaultRetriableStatusCodes,
        disableShadowHostSuffix,
        key);
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
        disableShadowHostSuffix,
        behaviourOf);
  }

  private static String shortForm(IstioVersion version) {
    return version.major() + "." + version.minor();
  }
}
