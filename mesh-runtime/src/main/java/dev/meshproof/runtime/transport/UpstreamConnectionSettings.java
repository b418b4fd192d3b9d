package dev.meshproof.runtime.transport;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a cluster's upstream connections are opened and retired: Envoy's cluster {@code
 * connect_timeout} and the {@code common_http_protocol_options} of its {@code
 * envoy.extensions.upstreams.http.v3.HttpProtocolOptions} ({@code idle_timeout}, {@code
 * max_requests_per_connection}, {@code max_connection_duration}), which istiod sets from a
 * DestinationRule's {@code connectionPool}.
 *
 * @param connectTimeout how long a connection attempt may take before it is a connect failure (UF)
 * @param idleTimeout how long a connection may stay unused before it is closed; zero never
 * @param maxRequestsPerConnection requests after which a connection is closed; empty for no limit
 * @param maxConnectionDuration age after which a connection is closed (once its request finished)
 * @param http2 whether requests go upstream as HTTP/2 (cleartext by prior knowledge, or over the
 *     cluster's TLS): the cluster's {@code explicit_http_config.http2_protocol_options}, which
 *     istiod sets for HTTP2, GRPC and GRPC-Web ports; else HTTP/1.1
 * @param useDownstreamProtocol whether each request goes upstream in the protocol it arrived in
 *     (HTTP/2 for an HTTP/2 downstream, else HTTP/1.1), overriding {@code http2}: the cluster's
 *     {@code use_downstream_protocol_config}, which istiod sets on the {@code PassthroughCluster}
 */
public record UpstreamConnectionSettings(
    Duration connectTimeout,
    Duration idleTimeout,
    OptionalInt maxRequestsPerConnection,
    Optional<Duration> maxConnectionDuration,
    boolean http2,
    boolean useDownstreamProtocol) {

  /** Envoy's connect timeout when the cluster sets none. */
  public static final Duration ENVOY_DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Envoy's upstream idle timeout when {@code idle_timeout} is unset: one hour. */
  public static final Duration ENVOY_DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);

  /** A cluster with nothing set. */
  public static final UpstreamConnectionSettings ENVOY_DEFAULTS =
      new UpstreamConnectionSettings(
          ENVOY_DEFAULT_CONNECT_TIMEOUT,
          ENVOY_DEFAULT_IDLE_TIMEOUT,
          OptionalInt.empty(),
          Optional.empty(),
          false,
          false);

  public UpstreamConnectionSettings {
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException(
          "connect_timeout: " + connectTimeout + " (expected: a positive duration)");
    }
    if (maxRequestsPerConnection.isPresent() && maxRequestsPerConnection.getAsInt() < 1) {
      throw new IllegalArgumentException(
          "max_requests_per_connection: "
              + maxRequestsPerConnection.getAsInt()
              + " (expected: at least 1)");
    }
  }

  /** Settings whose upstream protocol is fixed ({@code http2} or HTTP/1.1). */
  public UpstreamConnectionSettings(
      Duration connectTimeout,
      Duration idleTimeout,
      OptionalInt maxRequestsPerConnection,
      Optional<Duration> maxConnectionDuration,
      boolean http2) {
    this(
        connectTimeout, idleTimeout, maxRequestsPerConnection, maxConnectionDuration, http2, false);
  }

  /** HTTP/1.1 settings, as before HTTP/2 upstreams existed. */
  public UpstreamConnectionSettings(
      Duration connectTimeout,
      Duration idleTimeout,
      OptionalInt maxRequestsPerConnection,
      Optional<Duration> maxConnectionDuration) {
    this(connectTimeout, idleTimeout, maxRequestsPerConnection, maxConnectionDuration, false);
  }

  /** These settings with {@code connectTimeout}. */
  public UpstreamConnectionSettings withConnectTimeout(Duration timeout) {
    return new UpstreamConnectionSettings(
        timeout,
        idleTimeout,
        maxRequestsPerConnection,
        maxConnectionDuration,
        http2,
        useDownstreamProtocol);
  }

  /** These settings with requests sent as HTTP/2 ({@code true}) or HTTP/1.1. */
  public UpstreamConnectionSettings withHttp2(boolean http2) {
    return new UpstreamConnectionSettings(
        connectTimeout,
        idleTimeout,
        maxRequestsPerConnection,
        maxConnectionDuration,
        http2,
        useDownstreamProtocol);
  }

  /**
   * The settings of one request: with {@link #useDownstreamProtocol}, HTTP/2 upstream exactly when
   * the request arrived over HTTP/2 (and the protocol fixed, so the pool key is the same for every
   * such request); else these settings.
   */
  public UpstreamConnectionSettings forDownstream(boolean downstreamHttp2) {
    if (!useDownstreamProtocol) {
      return this;
    }
    return new UpstreamConnectionSettings(
        connectTimeout,
        idleTimeout,
        maxRequestsPerConnection,
        maxConnectionDuration,
        downstreamHttp2,
        false);
  }
}
