package dev.meshproof.runtime.config;

import dev.meshproof.runtime.config.VirtualService.DerivePort;
import dev.meshproof.runtime.config.VirtualService.HeaderOperations;
import dev.meshproof.runtime.config.VirtualService.Headers;
import dev.meshproof.runtime.config.VirtualService.HttpDirectResponse;
import dev.meshproof.runtime.config.VirtualService.HttpRedirect;
import dev.meshproof.runtime.config.VirtualService.HttpRewrite;
import dev.meshproof.runtime.config.VirtualService.RegexRewrite;
import dev.meshproof.runtime.config.VirtualService.RouteActions;
import dev.meshproof.runtime.re2.Re2Syntax;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The action fields of an {@code http} rule ({@code rewrite}, {@code redirect}, {@code
 * directResponse}, {@code headers}) and a destination's {@code headers}, validated as Istio's
 * webhook validates them ({@code pkg/config/validation/virtualservice.go validateHTTPRoute}, {@code
 * validateHTTPRouteConflict}, {@code validateAuthorityRewrite}; {@code validation.go
 * validateHTTPRedirect}, {@code validateHTTPDirectResponse}, {@code validateHTTPRewrite}, {@code
 * ValidateHTTPHeader*}).
 */
final class RouteActionsParser {
  private static final int ONE_MB = 1024 * 1024;

  private RouteActionsParser() {}

  /** The rule's actions; {@code hasRoute} says whether it has {@code route} destinations. */
  static RouteActions actions(YamlMapping m, Node node, boolean hasRoute, boolean allUriPrefix) {
    Optional<HttpRewrite> rewrite = m.mapping("rewrite").flatMap(RouteActionsParser::rewrite);
    Optional<HttpRedirect> redirect = m.mapping("redirect").flatMap(r -> redirect(r, allUriPrefix));
    Optional<HttpDirectResponse> directResponse =
        m.mapping("directResponse").flatMap(RouteActionsParser::directResponse);
    Headers headers = m.mapping("headers").map(RouteActionsParser::headers).orElse(Headers.NONE);
    // validateHTTPRouteConflict: a rule forwards (route), redirects, or answers directly.
    if (m.has("redirect")) {
      conflict(m, hasRoute, "route", "HTTP route cannot contain both route and redirect");
      conflict(
          m,
          m.has("rewrite"),
          "rewrite",
          "HTTP route rule cannot contain both rewrite and redirect");
      conflict(
          m,
          m.has("directResponse"),
          "directResponse",
          "HTTP route rule cannot contain both direct_response and redirect");
    } else if (m.has("directResponse")) {
      conflict(m, hasRoute, "route", "HTTP route cannot contain both route and direct_response");
      conflict(
          m,
          m.has("rewrite"),
          "rewrite",
          "HTTP route rule cannot contain both rewrite and direct_response");
    } else if (!hasRoute) {
      m.problem(
          node,
          m.child("route"),
          "HTTP route, redirect or direct_response is required (expected: route destinations, a"
              + " redirect or a directResponse)");
    }
    // validateAuthorityRewrite: the authority is rewritten in one place only.
    List<String> authorities = new ArrayList<>();
    rewrite.flatMap(HttpRewrite::authority).ifPresent(authorities::add);
    headers.request().set().forEach((k, v) -> addIfAuthority(authorities, k, v));
    headers.request().add().forEach((k, v) -> addIfAuthority(authorities, k, v));
    if (authorities.size() > 1) {
      m.problem(
          m.value("headers").orElse(node),
          m.child("headers"),
          "authority header cannot be set multiple times: have \""
              + authorities.get(0)
              + "\", attempting to set \""
              + authorities.get(1)
              + "\" (expected: one of rewrite.authority, headers.request.set/add :authority)");
    }
    return new RouteActions(rewrite, redirect, directResponse, headers);
  }

  private static void addIfAuthority(List<String> out, String name, String value) {
    if (isAuthority(name)) {
      out.add(value);
    }
  }

  static boolean isAuthority(String name) {
    return name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host");
  }

  private static void conflict(YamlMapping m, boolean present, String field, String message) {
    if (present) {
      m.problem(
          m.value(field).orElse(m.node()),
          m.child(field),
          message
              + " (expected: only one of route, redirect, directResponse; rewrite only with"
              + " route)");
    }
  }

  private static Optional<HttpRewrite> rewrite(YamlMapping m) {
    Optional<String> uri = m.string("uri").filter(s -> !s.isEmpty());
    Optional<String> authority = m.string("authority").filter(s -> !s.isEmpty());
    Optional<RegexRewrite> regex =
        m.mapping("uriRegexRewrite")
            .flatMap(
                r -> {
                  Optional<String> match = r.string("match");
                  Optional<String> replacement = r.string("rewrite");
                  r.finish();
                  if (match.filter(s -> !s.isEmpty()).isEmpty()
                      || replacement.filter(s -> !s.isEmpty()).isEmpty()) {
                    r.problem(
                        r.node(),
                        r.path(),
                        "UriRegexRewrite requires both Rewrite and Match fields to be specified"
                            + " (expected: match, an RE2 regex, and rewrite, its substitution)");
                    return Optional.empty();
                  }
                  try {
                    Re2Syntax.compile(match.get(), true);
                  } catch (IllegalArgumentException e) {
                    r.problem(
                        r.value("match").orElseThrow(),
                        r.child("match"),
                        e.getMessage()
                            + " (expected: RE2 syntax, https://github.com/google/re2/wiki/Syntax)");
                    return Optional.empty();
                  }
                  return Optional.of(new RegexRewrite(match.get(), replacement.get()));
                });
    m.finish();
    if (uri.isPresent() && m.has("uriRegexRewrite")) {
      m.problem(
          m.node(),
          m.path(),
          "rewrite may only contain one of URI or UriRegexRewrite (expected: uri or"
              + " uriRegexRewrite)");
      return Optional.empty();
    }
    if (uri.isEmpty() && !m.has("uriRegexRewrite") && authority.isEmpty()) {
      m.problem(
          m.node(),
          m.path(),
          "rewrite must specify at least one of URI, UriRegexRewrite, or authority (expected: uri,"
              + " uriRegexRewrite or authority)");
      return Optional.empty();
    }
    if (m.has("uriRegexRewrite") && regex.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new HttpRewrite(uri, regex, authority));
  }

  private static Optional<HttpRedirect> redirect(YamlMapping m, boolean allUriPrefix) {
    Optional<String> uri = m.string("uri").filter(s -> !s.isEmpty());
    Optional<String> authority = m.string("authority").filter(s -> !s.isEmpty());
    OptionalInt port = m.integer("port", 1, 65535);
    Optional<DerivePort> derive =
        m.string("derivePort")
            .flatMap(
                d -> {
                  try {
                    return Optional.of(DerivePort.valueOf(d));
                  } catch (IllegalArgumentException e) {
                    m.problem(
                        m.value("derivePort").orElseThrow(),
                        m.child("derivePort"),
                        "\"" + d + "\" (expected: FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT)");
                    return Optional.empty();
                  }
                });
    Optional<String> scheme = m.string("scheme").filter(s -> !s.isEmpty());
    OptionalInt code = m.integer("redirectCode", 0, Integer.MAX_VALUE, "a 3xx status code");
    m.notYetSupported("prefixRewrite");
    m.finish();
    if (port.isPresent() && m.has("derivePort")) {
      m.problem(
          m.node(), m.path(), "only one of port and derivePort (expected: port or derivePort)");
      return Optional.empty();
    }
    if (uri.isEmpty()
        && authority.isEmpty()
        && port.isEmpty()
        && !m.has("derivePort")
        && scheme.isEmpty()) {
      m.problem(
          m.node(),
          m.path(),
          "redirect must specify URI, authority, scheme, or port (expected: at least one)");
      return Optional.empty();
    }
    int redirectCode = code.orElse(0);
    if (redirectCode != 0 && (redirectCode < 300 || redirectCode > 399)) {
      m.problem(
          m.value("redirectCode").orElseThrow(),
          m.child("redirectCode"),
          redirectCode + " is not a valid redirect code, must be 3xx (expected: 300 to 399)");
      return Optional.empty();
    }
    if (redirectCode != 0 && !List.of(301, 302, 303, 307, 308).contains(redirectCode)) {
      // istiod's ApplyRedirect logs "Redirect Code %d is not yet supported" and leaves the route
      // without an action, which Envoy rejects: the webhook accepts it, the mesh cannot run it.
      m.problem(
          m.value("redirectCode").orElseThrow(),
          m.child("redirectCode"),
          redirectCode
              + ": Istio accepts it but istiod cannot translate it (expected: 301, 302, 303, 307"
              + " or 308)");
      return Optional.empty();
    }
    if (scheme.isPresent() && !scheme.get().equals("http") && !scheme.get().equals("https")) {
      m.problem(
          m.value("scheme").orElseThrow(),
          m.child("scheme"),
          "invalid redirect scheme, must be \"http\" or \"https\" (found \""
              + scheme.get()
              + "\")");
      return Optional.empty();
    }
    return Optional.of(new HttpRedirect(uri, authority, port, derive, scheme, redirectCode));
  }

  private static Optional<HttpDirectResponse> directResponse(YamlMapping m) {
    OptionalInt status = m.integer("status", Integer.MIN_VALUE, Integer.MAX_VALUE);
    Optional<String> body =
        m.mapping("body")
            .flatMap(
                b -> {
                  Optional<String> string = b.string("string");
                  Optional<String> bytes = b.string("bytes");
                  b.finish();
                  if (string.isPresent() && bytes.isPresent()) {
                    b.problem(b.node(), b.path(), "only one of string and bytes");
                    return Optional.empty();
                  }
                  if (bytes.isPresent()) {
                    try {
                      byte[] decoded = Base64.getDecoder().decode(bytes.get().strip());
                      String text = new String(decoded, StandardCharsets.UTF_8);
                      if (!java.util.Arrays.equals(
                          text.getBytes(StandardCharsets.UTF_8), decoded)) {
                        b.problem(
                            b.value("bytes").orElseThrow(),
                            b.child("bytes"),
                            "not UTF-8 text: binary bodies are not supported by Meshproof yet");
                        return Optional.empty();
                      }
                      return Optional.of(text);
                    } catch (IllegalArgumentException e) {
                      b.problem(
                          b.value("bytes").orElseThrow(),
                          b.child("bytes"),
                          "not base64 (expected: base64-encoded bytes)");
                      return Optional.empty();
                    }
                  }
                  return string;
                });
    m.finish();
    if (status.isEmpty()) {
      m.problem(m.node(), m.child("status"), "required field is missing (expected: 200 to 599)");
      return Optional.empty();
    }
    if (status.getAsInt() < 200 || status.getAsInt() > 600) {
      m.problem(
          m.value("status").orElseThrow(),
          m.child("status"),
          "HTTP status " + status.getAsInt() + " is not in range 200-599");
      return Optional.empty();
    }
    if (body.isPresent() && body.get().getBytes(StandardCharsets.UTF_8).length > ONE_MB) {
      m.problem(
          m.value("body").orElseThrow(),
          m.child("body"),
          "large direct_responses may impact control plane performance, must be less than 1MB");
      return Optional.empty();
    }
    return Optional.of(new HttpDirectResponse(status.getAsInt(), body));
  }

  /** {@code headers}: request and response operations. */
  static Headers headers(YamlMapping m) {
    HeaderOperations request =
        m.mapping("request").map(r -> operations(r, true)).orElse(HeaderOperations.NONE);
    HeaderOperations response =
        m.mapping("response").map(r -> operations(r, false)).orElse(HeaderOperations.NONE);
    m.finish();
    return new Headers(request, response);
  }

  private static HeaderOperations operations(YamlMapping m, boolean request) {
    Map<String, String> set = values(m, "set", request);
    Map<String, String> add = values(m, "add", request);
    List<String> remove = new ArrayList<>();
    m.list(
            "remove",
            (node, path) -> m.scalar(node, path, "a header name").map(n -> Map.entry(node, n)))
        .forEach(
            e -> {
              // ValidateHTTPHeaderOperationName: no Host, no pseudo-headers.
              if (headerNameProblem(e.getValue(), false)
                  .map(p -> report(m, e.getKey(), m.child("remove"), p))
                  .isEmpty()) {
                remove.add(e.getValue().toLowerCase(Locale.ROOT));
              }
            });
    m.finish();
    return new HeaderOperations(set, add, remove);
  }

  private static boolean report(YamlMapping m, Node at, String path, String message) {
    m.problem(at, path, message);
    return true;
  }

  private static Map<String, String> values(YamlMapping m, String field, boolean request) {
    Optional<YamlMapping> mapping = m.mapping(field);
    if (mapping.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    mapping
        .get()
        .fields()
        .forEach(
            (name, value) -> {
              String path = mapping.get().child(name);
              Optional<String> text = mapping.get().scalar(value, path, "a header value");
              if (text.isEmpty()) {
                return;
              }
              // The request side accepts the authority
              // (ValidateHTTPHeaderWithAuthorityOperationName).
              Optional<String> problem = headerNameProblem(name, request);
              if (problem.isPresent()) {
                mapping.get().problem(value, path, problem.get());
                return;
              }
              if (!text.get().chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f))) {
                mapping
                    .get()
                    .problem(
                        value,
                        path,
                        "header value configuration "
                            + text.get()
                            + " is invalid (expected: no control characters)");
                return;
              }
              if (text.get().contains("%")) {
                // Envoy renders %...% as a command operator (%HOSTNAME%, %%); the embedded sidecar
                // does not render them yet, and a literal value would differ from Envoy's.
                mapping
                    .get()
                    .problem(
                        value,
                        path,
                        "valid Istio, but header values with %-operators are not supported by"
                            + " Meshproof yet (it would be silently ignored)");
                return;
              }
              out.put(name, text.get());
            });
    return out;
  }

  /** Istio's header name checks for set/add ({@code authorityAllowed}) and remove/response. */
  private static Optional<String> headerNameProblem(String name, boolean authorityAllowed) {
    if (name.isEmpty()) {
      return Optional.of("header name cannot be empty (expected: a header name)");
    }
    if (authorityAllowed && isAuthority(name)) {
      return Optional.empty();
    }
    if (name.equalsIgnoreCase("host")) {
      return Optional.of(
          "invalid header \"" + name + "\": cannot set Host header (expected: another header)");
    }
    if (name.startsWith(":")) {
      return Optional.of(
          "invalid header \""
              + name
              + "\": header cannot have \":\" prefix (expected: a regular header name)");
    }
    return Optional.empty();
  }
}
