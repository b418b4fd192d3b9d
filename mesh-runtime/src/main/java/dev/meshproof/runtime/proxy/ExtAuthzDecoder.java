package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.authz.ExtAuthzPolicy;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes Envoy's HTTP external authorization filter as istiod writes it for a CUSTOM
 * AuthorizationPolicy with an {@code envoyExtAuthzHttp} provider ({@code extauthz.go
 * generateHTTPConfig}) into the pure {@link ExtAuthzPolicy}: an {@code http_service} with a
 * cluster, path prefix, timeout, {@code headers_to_add} and the response header lists (exact
 * names), {@code allowed_headers} (exact), {@code failure_mode_allow}, {@code status_on_error}, and
 * {@code filter_enabled_metadata} on the RBAC filter's metadata with a prefix. A gRPC service or
 * anything else is NACKed: a check the sidecar skipped would let in what Envoy refuses.
 */
final class ExtAuthzDecoder {
  static final String TYPE =
      "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz";

  private ExtAuthzDecoder() {}

  static ExtAuthzPolicy filter(com.google.protobuf.Any config, String where) {
    ExtAuthz ext = XdsDecoder.unpack(config, ExtAuthz.class, where);
    XdsDecoder.rejectUnsupported(
        ext.toBuilder()
            .clearHttpService()
            .clearTransportApiVersion()
            .clearFailureModeAllow()
            .clearStatusOnError()
            .clearAllowedHeaders()
            .clearFilterEnabledMetadata(),
        where);
    if (!ext.hasHttpService()) {
      throw new IllegalArgumentException(
          where + ": no http_service (the embedded sidecar asks HTTP providers only)");
    }
    HttpService service = ext.getHttpService();
    String at = where + ", http_service";
    XdsDecoder.rejectUnsupported(
        service.toBuilder()
            .clearServerUri()
            .clearPathPrefix()
            .clearAuthorizationRequest()
            .clearAuthorizationResponse(),
        at);
    XdsDecoder.rejectUnsupported(
        service.getServerUri().toBuilder().clearUri().clearCluster().clearTimeout(),
        at + ", server_uri");
    if (service.getServerUri().getCluster().isEmpty()) {
      throw new IllegalArgumentException(at + ", server_uri: no cluster (expected: a cluster)");
    }
    XdsDecoder.rejectUnsupported(
        service.getAuthorizationRequest().toBuilder().clearHeadersToAdd(),
        at + ", authorization_request");
    Map<String, String> headersToAdd = new LinkedHashMap<>();
    service
        .getAuthorizationRequest()
        .getHeadersToAddList()
        .forEach(
            h -> {
              XdsDecoder.rejectUnsupported(
                  h.toBuilder().clearKey().clearValue(), at + ", headers_to_add " + h.getKey());
              headersToAdd.put(h.getKey(), h.getValue());
            });
    var response = service.getAuthorizationResponse();
    // allowed_client_headers_on_success (istiod's headersToDownstreamOnAllow) is not reproduced
    // yet: NACKed, so a response Envoy would decorate is never served undecorated.
    XdsDecoder.rejectUnsupported(
        response.toBuilder().clearAllowedUpstreamHeaders().clearAllowedClientHeaders(),
        at + ", authorization_response");
    com.google.protobuf.Duration timeout = service.getServerUri().getTimeout();
    String key = "";
    String prefix = "";
    if (ext.hasFilterEnabledMetadata()) {
      MetadataMatcher m = ext.getFilterEnabledMetadata();
      String mat = where + ", filter_enabled_metadata";
      XdsDecoder.rejectUnsupported(m.toBuilder().clearFilter().clearPath().clearValue(), mat);
      XdsDecoder.rejectUnsupported(m.getValue().toBuilder().clearStringMatch(), mat + ", value");
      StringMatcher string = m.getValue().getStringMatch();
      XdsDecoder.rejectUnsupported(string.toBuilder().clearPrefix(), mat + ", string_match");
      if (!m.getFilter().equals(RbacDecoder.FILTER_NAME)
          || m.getPathCount() != 1
          || !m.getPath(0).hasKey()
          || string.getPrefix().isEmpty()) {
        throw new IllegalArgumentException(
            mat
                + ": "
                + m
                + " (expected: one key of "
                + RbacDecoder.FILTER_NAME
                + "'s metadata matched by a prefix, as istiod writes it)");
      }
      key = m.getPath(0).getKey();
      prefix = string.getPrefix();
    }
    return new ExtAuthzPolicy(
        service.getServerUri().getCluster(),
        service.getPathPrefix(),
        Duration.ofSeconds(timeout.getSeconds(), timeout.getNanos()),
        exact(ext.getAllowedHeaders(), where + ", allowed_headers"),
        headersToAdd,
        exact(response.getAllowedUpstreamHeaders(), at + ", allowed_upstream_headers"),
        exact(response.getAllowedClientHeaders(), at + ", allowed_client_headers"),
        List.of(),
        ext.getFailureModeAllow(),
        ext.hasStatusOnError()
            ? ext.getStatusOnError().getCodeValue()
            : ExtAuthzPolicy.DEFAULT_STATUS_ON_ERROR,
        key,
        prefix);
  }

  private static List<String> exact(ListStringMatcher list, String where) {
    List<String> out = new ArrayList<>();
    for (StringMatcher m : list.getPatternsList()) {
      XdsDecoder.rejectUnsupported(m.toBuilder().clearExact(), where);
      if (m.getExact().isEmpty()) {
        throw new IllegalArgumentException(where + ": " + m + " (expected: exact header names)");
      }
      out.add(m.getExact());
    }
    return out;
  }
}
