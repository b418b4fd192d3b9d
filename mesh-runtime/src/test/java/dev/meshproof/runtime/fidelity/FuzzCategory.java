package dev.meshproof.runtime.fidelity;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The kinds of routing input the differential fuzzer generates. A category listed in {@link
 * #KNOWN_DIVERGENCES} is known to make the two data planes disagree (or the config to be rejected)
 * on main today, so the committed build does not generate it; {@code
 * -Dmeshproof.fuzz.categories=ALL} (or a comma-separated list of gated names to add) generates it
 * anyway.
 */
enum FuzzCategory {
  /** {@code uri: {exact|prefix|regex}}, with and without {@code ignoreUriCase}. */
  URI_MATCH,
  /**
   * {@code ignoreUriCase: true} on a {@code uri: {regex}} match (Envoy ignores {@code
   * case_sensitive} for {@code safe_regex}).
   */
  IGNORE_URI_CASE_REGEX,
  /** {@code headers: {name: {exact|prefix|regex}}}. */
  HEADER_MATCH,
  /** {@code method} and {@code authority} matches. */
  METHOD_AND_AUTHORITY_MATCH,
  /** {@code withoutHeaders: {name: {exact|prefix|regex}}} (Envoy's invert_match). */
  WITHOUT_HEADERS,
  /** {@code headers: {name: {}}} and {@code withoutHeaders: {name: {}}}: header presence. */
  PRESENCE_MATCH,
  /** Two or more destinations whose weights do not sum to 100 (Istio accepts any sum > 0). */
  WEIGHTS_NOT_100,
  /** A second VirtualService for the same host (Istio: the oldest wins). */
  VS_PRECEDENCE,
  /** Wildcard VirtualService hosts such as {@code *.default.svc.cluster.local}. */
  WILDCARD_HOSTS,
  /**
   * Authorities beyond the plain forms: upper case, trailing-dot FQDN, {@code name.ns.svc}, a port
   * other than the service's, near-miss names.
   */
  VHOST_DOMAINS,
  /**
   * Request paths with dot segments ({@code .}, {@code ..}, {@code %2e%2E}), empty segments,
   * escaped slashes and escaped unreserved characters: istiod's {@code normalize_path} and
   * escaped-slash handling before the route match.
   */
  PATH_FORMS;

  /**
   * Categories that disagree between our sidecar and Envoy 1.40, or that our parser rejects
   * although Istio accepts them, on main. Remove a category here when its fix lands. The minimal
   * case each shrinks to:
   *
   * <p>None today. Un-gated once their fix landed, with the case they shrank to before:
   * IGNORE_URI_CASE_REGEX ({@code uri: {regex: "/[A-Z].*"}, ignoreUriCase: true}, {@code GET
   * /items}: our sidecar matched the regex case-insensitively (200), Envoy answered 404 NR since
   * RouteMatch {@code case_sensitive} does not apply to {@code safe_regex}); WITHOUT_HEADERS
   * ({@code withoutHeaders: {end-user: {exact: jason}}}, request without {@code end-user}: our
   * sidecar 200, Envoy 404 NR); PRESENCE_MATCH ({@code headers: {end-user: {}}} rejected by our
   * parser); WEIGHTS_NOT_100 (weights 0 and 1 rejected by our parser).
   */
  static final Set<FuzzCategory> KNOWN_DIVERGENCES = Set.of();

  /** The categories this run generates: all but the known divergences, unless told otherwise. */
  static Set<FuzzCategory> enabled() {
    String requested = System.getProperty("meshproof.fuzz.categories", "").trim();
    EnumSet<FuzzCategory> out = EnumSet.allOf(FuzzCategory.class);
    out.removeAll(KNOWN_DIVERGENCES);
    if (requested.isEmpty()) {
      return out;
    }
    if (requested.equalsIgnoreCase("ALL")) {
      return EnumSet.allOf(FuzzCategory.class);
    }
    for (String name : requested.split(",")) {
      String trimmed = name.trim().toUpperCase(Locale.ROOT);
      try {
        out.add(FuzzCategory.valueOf(trimmed));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "meshproof.fuzz.categories: "
                + trimmed
                + " (expected: ALL or names from "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))
                + ")",
            e);
      }
    }
    return out;
  }
}
