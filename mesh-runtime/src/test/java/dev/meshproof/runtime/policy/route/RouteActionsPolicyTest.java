package dev.meshproof.runtime.policy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.policy.route.HeaderChanges.AppendAction;
import dev.meshproof.runtime.policy.route.HeaderChanges.HeaderAddition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Envoy's route-action arithmetic: prefix and regex path rewrites, the redirect location ({@code
 * Http::Utility::newUri}), header changes in {@code HeaderParser} order and query parameter
 * matches. The same cases run on real Envoy in {@code RouteActionsIT}.
 */
class RouteActionsPolicyTest {

  @Test
  void prefixRewriteReplacesWhatTheRouteMatchedAndKeepsTheQuery() {
    PathRewrite rewrite = PathRewrite.prefix("/new/");
    assertThat(
            rewrite.rewrite(
                "/old/items?a=1", Optional.of(new StringMatcher.Prefix("/old/", false))))
        .isEqualTo("/new/items?a=1");
    // An exact or regex match is replaced whole; the default prefix "/" is one character.
    assertThat(rewrite.rewrite("/exact?q", Optional.of(new StringMatcher.Exact("/exact", false))))
        .isEqualTo("/new/?q");
    assertThat(
            rewrite.rewrite(
                "/r/42?q", Optional.of(new StringMatcher.Regex(Pattern.compile("/r/[0-9]+")))))
        .isEqualTo("/new/?q");
    assertThat(rewrite.rewrite("/items", Optional.empty())).isEqualTo("/new/items");
    // A case-insensitive prefix replaces as many characters as the prefix has.
    assertThat(rewrite.rewrite("/OLD/x", Optional.of(new StringMatcher.Prefix("/old/", true))))
        .isEqualTo("/new/x");
  }

  @Test
  void regexRewriteReplacesEveryMatchWithRe2Substitutions() {
    PathRewrite rewrite =
        PathRewrite.regex(Pattern.compile("^/regex/([a-z]+)/([0-9]+)$"), "/r/\\2/\\1");
    assertThat(rewrite.rewrite("/regex/abc/42?b=2", Optional.empty())).isEqualTo("/r/42/abc?b=2");
    assertThat(rewrite.rewrite("/regex/ABC/42", Optional.empty())).isEqualTo("/regex/ABC/42");
    PathRewrite global = PathRewrite.regex(Pattern.compile("o"), "0");
    assertThat(global.rewrite("/foo/boo", Optional.empty())).isEqualTo("/f00/b00");
    assertThat(PathRewrite.regex(Pattern.compile("/"), "\\\\").rewrite("/a/b", Optional.empty()))
        .isEqualTo("\\a\\b");
  }

  @Test
  void redirectLocationFollowsEnvoysNewUri() {
    RequestHeaders request = new RequestHeaders("GET", "/moved?x=1", "catalog:8000", Map.of());
    Redirect hostAndPath =
        new Redirect(
            Optional.empty(),
            Optional.of("elsewhere"),
            OptionalInt.empty(),
            Optional.of("/here"),
            301);
    assertThat(hostAndPath.location(request, "http", "http"))
        .isEqualTo("http://elsewhere/here?x=1");
    Redirect pathWithQuery =
        new Redirect(
            Optional.empty(), Optional.empty(), OptionalInt.empty(), Optional.of("/here?y"), 302);
    assertThat(pathWithQuery.location(request, "http", "http"))
        .isEqualTo("http://catalog:8000/here?y");
    // A new port replaces the request's; a new scheme drops the old scheme's default port.
    Redirect port =
        new Redirect(
            Optional.of("https"), Optional.empty(), OptionalInt.of(8443), Optional.empty(), 308);
    assertThat(port.location(request, "http", "http")).isEqualTo("https://catalog:8443/moved?x=1");
    Redirect scheme =
        new Redirect(
            Optional.of("https"), Optional.empty(), OptionalInt.empty(), Optional.empty(), 301);
    RequestHeaders onDefaultPort = new RequestHeaders("GET", "/p", "catalog:80", Map.of());
    assertThat(scheme.location(onDefaultPort, "http", "http")).isEqualTo("https://catalog/p");
    assertThat(scheme.location(request, "http", "http"))
        .isEqualTo("https://catalog:8000/moved?x=1");
  }

  @Test
  void headerChangesRemoveFirstThenApplyEachAdditionByItsAppendAction() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("x-set", new ArrayList<>(List.of("zero")));
    headers.put("x-add", new ArrayList<>(List.of("one")));
    headers.put("x-remove", new ArrayList<>(List.of("gone")));
    headers.put("x-keep", new ArrayList<>(List.of("kept")));
    HeaderChanges changes =
        new HeaderChanges(
            List.of(
                new HeaderAddition("x-set", "one", AppendAction.OVERWRITE_IF_EXISTS_OR_ADD),
                new HeaderAddition("x-add", "two", AppendAction.APPEND_IF_EXISTS_OR_ADD),
                new HeaderAddition("x-remove", "back", AppendAction.APPEND_IF_EXISTS_OR_ADD),
                new HeaderAddition("x-keep", "no", AppendAction.ADD_IF_ABSENT),
                new HeaderAddition("x-absent", "no", AppendAction.OVERWRITE_IF_EXISTS),
                new HeaderAddition("x-empty", "", AppendAction.OVERWRITE_IF_EXISTS_OR_ADD)),
            List.of("X-Remove"));

    changes.applyTo(editor(headers));

    assertThat(headers)
        .containsEntry("x-set", List.of("one"))
        .containsEntry("x-add", List.of("one", "two"))
        .containsEntry("x-remove", List.of("back"))
        .containsEntry("x-keep", List.of("kept"))
        .doesNotContainKeys("x-absent", "x-empty");
  }

  @Test
  void queryParametersMatchTheFirstRawValueOrPresence() {
    QueryParameterMatcher exact =
        new QueryParameterMatcher("version", Optional.of(new StringMatcher.Exact("v2", false)));
    assertThat(exact.matches("/q?version=v2")).isTrue();
    assertThat(exact.matches("/q?a=1&version=v2")).isTrue();
    assertThat(exact.matches("/q?version=v1&version=v2")).isFalse();
    assertThat(exact.matches("/q?version=v%32")).isFalse();
    assertThat(exact.matches("/q?Version=v2")).isFalse();
    assertThat(exact.matches("/q")).isFalse();
    QueryParameterMatcher present = new QueryParameterMatcher("canary", Optional.empty());
    assertThat(present.matches("/q?canary")).isTrue();
    assertThat(present.matches("/q?canary=")).isTrue();
    assertThat(present.matches("/q?canaryx=1")).isFalse();
  }

  private static HeaderChanges.HeaderEditor editor(Map<String, List<String>> headers) {
    return new HeaderChanges.HeaderEditor() {
      @Override
      public boolean contains(String name) {
        return headers.containsKey(name);
      }

      @Override
      public void add(String name, String value) {
        headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      }

      @Override
      public void set(String name, String value) {
        headers.put(name, new ArrayList<>(List.of(value)));
      }

      @Override
      public void remove(String name) {
        headers.remove(name);
      }
    };
  }
}
