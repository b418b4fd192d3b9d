package dev.meshproof.runtime.policy.route;

import java.util.Objects;
import java.util.Optional;

/**
 * Envoy's <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-headermatcher">
 * {@code route.v3.HeaderMatcher}</a>: a header (or pseudo-header) whose value must match a string
 * matcher, or whose presence is tested ({@code present_match}), evaluated exactly as Envoy's {@code
 * HeaderUtility::HeaderDataBaseImpl::matchesHeaders} does:
 *
 * <ul>
 *   <li>A header sent several times is matched against its values joined with {@code ","}.
 *   <li>An absent header without {@code treat_missing_header_as_empty} matches only a {@code
 *       present_match: false} matcher, or an inverted {@code present_match: true} one; in
 *       particular an inverted value matcher does <em>not</em> match an absent header.
 *   <li>With {@code treat_missing_header_as_empty}, an absent header is the empty string, and a
 *       presence matcher then counts it as present.
 *   <li>Otherwise the matcher's outcome is negated by {@code invert_match}.
 * </ul>
 *
 * @param value the string matcher, or empty for a presence matcher
 * @param present the {@code present_match} value of a presence matcher (ignored with a value)
 */
public record HeaderMatcher(
    String name,
    Optional<StringMatcher> value,
    boolean present,
    boolean invert,
    boolean treatMissingAsEmpty) {

  public HeaderMatcher {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  /** A value matcher, {@code string_match}. */
  public static HeaderMatcher value(
      String name, StringMatcher value, boolean invert, boolean treatMissingAsEmpty) {
    return new HeaderMatcher(name, Optional.of(value), false, invert, treatMissingAsEmpty);
  }

  /** A presence matcher, {@code present_match: present}. */
  public static HeaderMatcher presence(
      String name, boolean present, boolean invert, boolean treatMissingAsEmpty) {
    return new HeaderMatcher(name, Optional.empty(), present, invert, treatMissingAsEmpty);
  }

  public boolean matches(RequestHeaders request) {
    Optional<String> actual = request.joined(name);
    if (actual.isEmpty() && !treatMissingAsEmpty) {
      return value.isEmpty() && (invert ? present : !present);
    }
    String seen = actual.orElse("");
    boolean matched = value.map(m -> m.matches(seen)).orElse(present);
    return matched != invert;
  }
}
