package dev.meshproof.runtime.policy.authz;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Envoy's HTTP external authorization filter ({@code extensions.filters.http.ext_authz.v3.ExtAuthz}
 * with an {@code http_service}) as pure decisions: whether it runs for a request (its {@code
 * filter_enabled_metadata}, which Istio points at the CUSTOM policies' RBAC shadow result), the
 * check request it sends, and what the answer means. Measured on Envoy 1.40: the check request
 * keeps the method, puts {@code path_prefix} before the path (query included), carries {@code
 * host}, {@code authorization}, the {@code allowed_headers} and {@code headers_to_add}, {@code
 * x-envoy-internal: true}, {@code x-envoy-expected-rq-timeout-ms} and an empty body; a 200 lets the
 * request through with the {@code allowed_upstream_headers} of the answer set on it; any other
 * status is the client's answer with the provider's body and only the {@code
 * allowed_client_headers} of the answer; an unreachable provider is {@code status_on_error} (403)
 * with no body, unless {@code failure_mode_allow}.
 *
 * @param cluster the provider's cluster ({@code outbound|<port>||<host>})
 * @param enabledMetadataKey the RBAC dynamic metadata key the filter reads; empty: always enabled
 * @param enabledPrefix the prefix that key's value must have for the filter to run
 */
public record ExtAuthzPolicy(
    String cluster,
    String pathPrefix,
    Duration timeout,
    List<String> allowedHeaders,
    Map<String, String> headersToAdd,
    List<String> allowedUpstreamHeaders,
    List<String> allowedClientHeaders,
    List<String> allowedClientHeadersOnSuccess,
    boolean failureModeAllow,
    int statusOnError,
    String enabledMetadataKey,
    String enabledPrefix) {

  public ExtAuthzPolicy {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    Objects.requireNonNull(timeout, "timeout");
    allowedHeaders = lower(allowedHeaders);
    headersToAdd = Map.copyOf(headersToAdd);
    allowedUpstreamHeaders = lower(allowedUpstreamHeaders);
    allowedClientHeaders = lower(allowedClientHeaders);
    allowedClientHeadersOnSuccess = lower(allowedClientHeadersOnSuccess);
  }

  private static List<String> lower(List<String> names) {
    return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
  }

  /** Whether the filter runs for a request whose RBAC filters wrote {@code rbacMetadata}. */
  public boolean enabledFor(Map<String, String> rbacMetadata) {
    if (enabledMetadataKey.isEmpty()) {
      return true;
    }
    String value = rbacMetadata.get(enabledMetadataKey);
    return value != null && value.startsWith(enabledPrefix);
  }

  /** The request sent to the provider. */
  public record CheckRequest(String method, String path, Map<String, String> headers) {
    public CheckRequest {
      headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
  }

  /** The check request for a downstream request ({@code headers} by lower-case name). */
  public CheckRequest checkRequest(
      String method, String path, String authority, Map<String, List<String>> headers) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("host", authority);
    out.put("content-length", "0");
    headers.forEach(
        (name, values) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          if ((lower.equals("authorization") || allowedHeaders.contains(lower))
              && !values.isEmpty()) {
            out.put(lower, String.join(",", values));
          }
        });
    headersToAdd.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
    out.put("x-envoy-internal", "true");
    out.put("x-envoy-expected-rq-timeout-ms", String.valueOf(timeout.toMillis()));
    return new CheckRequest(method, pathPrefix + path, out);
  }

  /** What the filter does with the request after the check. */
  public sealed interface Verdict {}

  /**
   * Through, with {@code upstreamHeaders} set on the request (replacing any of the same name).
   *
   * @param counter the filter's statistic, {@code ok} or {@code error} (failure mode allow)
   */
  public record Allow(Map<String, String> upstreamHeaders, String counter) implements Verdict {
    public Allow {
      upstreamHeaders = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(upstreamHeaders));
    }
  }

  /** Answered locally with the provider's status, body and permitted headers. */
  public record Deny(int status, Map<String, List<String>> headers, String body, String counter)
      implements Verdict {
    public Deny {
      headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
  }

  /**
   * The provider answered {@code status} with {@code headers} (lower-case names) and {@code body}.
   */
  public Verdict onResponse(int status, Map<String, List<String>> headers, String body) {
    if (status == 200) {
      Map<String, String> upstream = new LinkedHashMap<>();
      for (String name : allowedUpstreamHeaders) {
        List<String> values = headers.getOrDefault(name, List.of());
        if (!values.isEmpty()) {
          upstream.put(name, String.join(",", values));
        }
      }
      return new Allow(upstream, "ok");
    }
    Map<String, List<String>> client = new LinkedHashMap<>();
    if (allowedClientHeaders.isEmpty()) {
      headers.forEach(
          (name, values) -> {
            if (!name.equals("host") && !name.equals(":authority")) {
              client.put(name, List.copyOf(values));
            }
          });
    } else {
      for (String name : allowedClientHeaders) {
        List<String> values = headers.getOrDefault(name, List.of());
        if (!values.isEmpty()) {
          client.put(name, List.copyOf(values));
        }
      }
    }
    return new Deny(status, client, body, "denied");
  }

  /** The provider could not be asked (no connection, reset, timeout, no such cluster). */
  public Verdict onError() {
    if (failureModeAllow) {
      return new Allow(Map.of(), "error");
    }
    return new Deny(statusOnError, Map.of(), "", "error");
  }

  /** {@code status_on_error} when none is configured: 403, as Envoy's default. */
  public static final int DEFAULT_STATUS_ON_ERROR = 403;
}
