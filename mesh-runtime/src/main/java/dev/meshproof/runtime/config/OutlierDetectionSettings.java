package dev.meshproof.runtime.config;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A DestinationRule's <a
 * href="https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection">{@code
 * outlierDetection}</a>, as written (istiod's translation decides the defaults).
 */
public record OutlierDetectionSettings(
    boolean splitExternalLocalOriginErrors,
    OptionalInt consecutiveLocalOriginFailures,
    OptionalInt consecutiveGatewayErrors,
    OptionalInt consecutive5xxErrors,
    Optional<Duration> interval,
    Optional<Duration> baseEjectionTime,
    OptionalInt maxEjectionPercent,
    OptionalInt minHealthPercent) {}
