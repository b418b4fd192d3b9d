package dev.meshproof.runtime.config;

import dev.meshproof.runtime.config.StringMatch.Kind;
import dev.meshproof.runtime.config.VirtualService.CorsPolicy;
import dev.meshproof.runtime.config.VirtualService.UnmatchedPreflights;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * An {@code http[].corsPolicy}, validated as Istio's webhook does ({@code validateCORSPolicy},
 * pkg/config/validation/validation.go :2472): each origin a non-empty exact, prefix or RE2 regex
 * match; methods from Go's set plus {@code *}; header names as tokens or {@code *}; {@code maxAge}
 * in whole seconds.
 */
final class CorsPolicyParser {
  /** {@code supportedCORSMethods} (validation.go :92). */
  static final Set<String> METHODS =
      new java.util.LinkedHashSet<>(
          List.of(
              "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"));

  /** {@code validHeaderNameRegex}: RFC 7230 token characters. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

  private CorsPolicyParser() {}

  static CorsPolicy parse(YamlMapping m) {
    List<StringMatch> origins = new ArrayList<>();
    m.list(
            "allowOrigins",
            (node, path) ->
                VirtualServiceParser.stringMatch(
                        YamlMapping.of(m.source(), path, node, m.problems()),
                        VirtualServiceParser.MatchSite.PSEUDO_HEADER)
                    .flatMap(match -> nonEmpty(m, node, path, match)))
        .forEach(origins::add);
    List<String> deprecated = m.stringList("allowOrigin");
    if (!m.has("allowOrigins")) {
      // istiod: allowOrigin only when allowOrigins is absent, each value an exact match.
      deprecated.forEach(o -> origins.add(new StringMatch(Kind.EXACT, o)));
    }
    List<String> methods = checked(m, "allowMethods", METHODS::contains, "one of " + METHODS);
    List<String> allowHeaders = headerNames(m, "allowHeaders");
    List<String> exposeHeaders = headerNames(m, "exposeHeaders");
    Optional<Duration> maxAge = m.duration("maxAge", true);
    if (maxAge.isPresent() && maxAge.get().getNano() > 0) {
      m.problem(
          m.value("maxAge").orElseThrow(),
          m.child("maxAge"),
          "max_age duration is accurate only to seconds precision (expected: whole seconds, such as"
              + " 24h or 600s)");
    }
    Optional<Boolean> credentials =
        m.has("allowCredentials")
            ? Optional.of(m.bool("allowCredentials", false))
            : Optional.empty();
    UnmatchedPreflights unmatched = UnmatchedPreflights.UNSPECIFIED;
    Optional<String> unmatchedText = m.string("unmatchedPreflights");
    if (unmatchedText.isPresent()) {
      try {
        unmatched = UnmatchedPreflights.valueOf(unmatchedText.get());
      } catch (IllegalArgumentException e) {
        m.problem(
            m.value("unmatchedPreflights").orElseThrow(),
            m.child("unmatchedPreflights"),
            "\""
                + unmatchedText.get()
                + "\" (expected one of: "
                + Arrays.toString(UnmatchedPreflights.values())
                + ")");
      }
    }
    m.finish();
    return new CorsPolicy(
        origins, methods, allowHeaders, exposeHeaders, maxAge, credentials, unmatched);
  }

  /** {@code validateAllowOrigins}: an empty exact or prefix is no valid origin match. */
  private static Optional<StringMatch> nonEmpty(
      YamlMapping m, Node node, String path, StringMatch match) {
    if (match.value().isEmpty()) {
      m.problem(
          node,
          path,
          "'' is not a valid match type for CORS allow origins (expected: a non-empty exact,"
              + " prefix or regex)");
      return Optional.empty();
    }
    return Optional.of(match);
  }

  private static List<String> headerNames(YamlMapping m, String field) {
    return checked(
        m,
        field,
        name -> name.equals("*") || HEADER_NAME.matcher(name).matches(),
        "a header name (token characters) or *");
  }

  private static List<String> checked(
      YamlMapping m, String field, java.util.function.Predicate<String> valid, String expected) {
    return m.list(
        field,
        (node, path) ->
            m.scalar(node, path, "a string")
                .flatMap(
                    value -> {
                      if (!valid.test(value)) {
                        m.problem(
                            node,
                            path,
                            "\"" + value + "\" is not allowed here (expected: " + expected + ")");
                        return Optional.empty();
                      }
                      return Optional.of(value);
                    }));
  }
}
