package dev.meshproof.runtime.policy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Envoy's HeaderMatcher semantics (header_utility.cc {@code matchesHeaders}), case by case. */
class HeaderMatcherTest {
  private static final StringMatcher EXACT = new StringMatcher.Exact("a", false);
  private static final StringMatcher ANY = new StringMatcher.Regex(Pattern.compile(".*"));

  private static RequestHeaders request(String... headerValues) {
    return new RequestHeaders(
        "GET",
        "/",
        "catalog",
        headerValues.length == 0 ? Map.of() : Map.of("x-h", List.of(headerValues)));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // matcher, header values (none = absent), expected
        Arguments.of(HeaderMatcher.value("x-h", EXACT, false, false), new String[] {"a"}, true),
        Arguments.of(HeaderMatcher.value("x-h", EXACT, false, false), new String[] {"b"}, false),
        Arguments.of(HeaderMatcher.value("x-h", EXACT, false, false), new String[] {}, false),
        // invert without treat_missing: an absent header does NOT match
        Arguments.of(HeaderMatcher.value("x-h", EXACT, true, false), new String[] {}, false),
        Arguments.of(HeaderMatcher.value("x-h", EXACT, true, false), new String[] {"b"}, true),
        Arguments.of(HeaderMatcher.value("x-h", EXACT, true, false), new String[] {"a"}, false),
        // invert with treat_missing (istiod's withoutHeaders): absent is "" and matches
        Arguments.of(HeaderMatcher.value("x-h", EXACT, true, true), new String[] {}, true),
        Arguments.of(HeaderMatcher.value("x-h", ANY, true, true), new String[] {}, false),
        Arguments.of(HeaderMatcher.value("x-h", ANY, false, true), new String[] {}, true),
        // presence
        Arguments.of(HeaderMatcher.presence("x-h", true, false, false), new String[] {"b"}, true),
        Arguments.of(HeaderMatcher.presence("x-h", true, false, false), new String[] {}, false),
        Arguments.of(HeaderMatcher.presence("x-h", true, true, false), new String[] {}, true),
        Arguments.of(HeaderMatcher.presence("x-h", true, true, false), new String[] {"b"}, false),
        Arguments.of(HeaderMatcher.presence("x-h", false, false, false), new String[] {}, true),
        Arguments.of(HeaderMatcher.presence("x-h", false, false, false), new String[] {"b"}, false),
        Arguments.of(HeaderMatcher.presence("x-h", false, true, false), new String[] {}, false),
        // with treat_missing an absent header counts as present
        Arguments.of(HeaderMatcher.presence("x-h", true, false, true), new String[] {}, true),
        // a repeated header is matched against its values joined with ","
        Arguments.of(
            HeaderMatcher.value("x-h", EXACT, false, false), new String[] {"a", "b"}, false),
        Arguments.of(
            HeaderMatcher.value("x-h", new StringMatcher.Exact("a,b", false), false, false),
            new String[] {"a", "b"},
            true));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void matchesAsEnvoyDoes(HeaderMatcher matcher, String[] values, boolean expected) {
    assertThat(matcher.matches(request(values))).isEqualTo(expected);
  }

  @Test
  void ignorePortInHostMatchingStripsThePortBeforeDomainMatching() {
    VirtualHost catalog = new VirtualHost("catalog", List.of("catalog"), List.of());
    RouteTable ignoring = new RouteTable("outbound", List.of(catalog), true);
    RouteTable strict = new RouteTable("outbound", List.of(catalog), false);
    assertThat(ignoring.findVirtualHost("catalog:8080")).contains(catalog);
    assertThat(strict.findVirtualHost("catalog:8080")).isEmpty();
    assertThat(RouteTable.withoutPort("[::1]:80")).isEqualTo("[::1]");
    assertThat(RouteTable.withoutPort("[::1]")).isEqualTo("[::1]");
    assertThat(RouteTable.withoutPort("catalog:")).isEqualTo("catalog:");
    assertThat(RouteTable.withoutPort("catalog:x1")).isEqualTo("catalog:x1");
    assertThat(RouteTable.withoutPort("catalog:99999999999")).isEqualTo("catalog:99999999999");
  }
}
