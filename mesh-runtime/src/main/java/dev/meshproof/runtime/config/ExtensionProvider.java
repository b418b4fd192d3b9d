package dev.meshproof.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A MeshConfig {@code extensionProviders} entry of kind {@code envoyExtAuthzHttp}: the HTTP
 * authorization service an AuthorizationPolicy with {@code action: CUSTOM} names by {@code
 * provider.name}. Validated as istiod's {@code extauthz.go buildExtAuthzHTTP} does (port range,
 * {@code statusOnError} an HTTP status, {@code pathPrefix} starting with {@code /}, no lone {@code
 * *} header).
 *
 * @param service the provider's Service, {@code <namespace>/<host>} or a host ({@code
 *     ext-authz.foo.svc.cluster.local})
 * @param timeout {@code timeout}, 600 s when absent (istiod's {@code timeoutOrDefault})
 * @param statusOnError {@code statusOnError}: the status when the provider cannot be reached
 *     (Envoy's default 403 when absent)
 * @see <a
 *     href="https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-EnvoyExternalAuthorizationHttpProvider">EnvoyExternalAuthorizationHttpProvider</a>
 */
public record ExtensionProvider(
    String name,
    String service,
    int port,
    Optional<Duration> timeout,
    String pathPrefix,
    boolean failOpen,
    Optional<Integer> statusOnError,
    List<String> includeRequestHeadersInCheck,
    Map<String, String> includeAdditionalHeadersInCheck,
    List<String> headersToUpstreamOnAllow,
    List<String> headersToDownstreamOnDeny,
    List<String> headersToDownstreamOnAllow) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  public ExtensionProvider {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name: \"" + name + "\" (expected: a provider name, letters, digits, '.', '-', '_')");
    }
    if (service == null || service.isBlank()) {
      throw new IllegalArgumentException(
          "envoyExtAuthzHttp.service: missing (expected: <namespace>/<host> or a host)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "envoyExtAuthzHttp.port: " + port + " (expected: 1-65535)");
    }
    Objects.requireNonNull(timeout, "timeout");
    timeout.ifPresent(
        t -> {
          if (t.isNegative() || t.isZero()) {
            throw new IllegalArgumentException(
                "envoyExtAuthzHttp.timeout: " + t + " (expected: a positive duration)");
          }
        });
    if (!pathPrefix.isEmpty() && !pathPrefix.startsWith("/")) {
      throw new IllegalArgumentException(
          "envoyExtAuthzHttp.pathPrefix: \"" + pathPrefix + "\" (expected: starting with /)");
    }
    Objects.requireNonNull(statusOnError, "statusOnError");
    statusOnError.ifPresent(
        s -> {
          if (s < 100 || s > 599) {
            throw new IllegalArgumentException(
                "envoyExtAuthzHttp.statusOnError: " + s + " (expected: an HTTP status, 100-599)");
          }
        });
    includeRequestHeadersInCheck =
        checked("includeRequestHeadersInCheck", includeRequestHeadersInCheck);
    includeAdditionalHeadersInCheck = Map.copyOf(includeAdditionalHeadersInCheck);
    headersToUpstreamOnAllow = checked("headersToUpstreamOnAllow", headersToUpstreamOnAllow);
    headersToDownstreamOnDeny = checked("headersToDownstreamOnDeny", headersToDownstreamOnDeny);
    headersToDownstreamOnAllow = checked("headersToDownstreamOnAllow", headersToDownstreamOnAllow);
  }

  /** istiod's {@code checkWildcard}: a lone {@code *} is refused. */
  private static List<String> checked(String field, List<String> headers) {
    for (String h : headers) {
      if (h.equals("*")) {
        throw new IllegalArgumentException(
            "envoyExtAuthzHttp."
                + field
                + ": \"*\" (expected: header names; a single wildcard is not supported, as"
                + " istiod refuses it)");
      }
    }
    return List.copyOf(headers);
  }

  /** A provider at {@code service}:{@code port} with every option at istiod's default. */
  public static ExtensionProvider http(String name, String service, int port) {
    return new ExtensionProvider(
        name,
        service,
        port,
        Optional.empty(),
        "",
        false,
        Optional.empty(),
        List.of(),
        Map.of(),
        List.of(),
        List.of(),
        List.of());
  }

  /** The provider's host: {@code service} without a {@code <namespace>/} in front. */
  public String host() {
    int slash = service.indexOf('/');
    return slash < 0 ? service : service.substring(slash + 1);
  }
}
