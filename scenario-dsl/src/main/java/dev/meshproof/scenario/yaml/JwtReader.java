package dev.meshproof.scenario.yaml;

import static dev.meshproof.scenario.yaml.YamlSupport.attempt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a scenario file's {@code jwt} block: mints its tokens and fills {@code ${jwt.<token>}} in
 * header values, each problem at its own entry.
 */
final class JwtReader {
  private final ShapeReader reader;
  private final Function<String, Optional<String>> istioFiles;

  JwtReader(ShapeReader reader, Function<String, Optional<String>> istioFiles) {
    this.reader = reader;
    this.istioFiles = istioFiles;
  }

  /** The tokens of the scenario's {@code jwt} block, by name. */
  private final Map<String, String> tokens = new LinkedHashMap<>();

  private static final java.util.regex.Pattern TOKEN =
      java.util.regex.Pattern.compile("\\$\\{jwt\\.([^}]*)\\}");

  /** A header value with each {@code ${jwt.<token>}} replaced; an unknown token is a problem. */
  String withTokens(Value value) {
    String text = (String) value.value();
    java.util.regex.Matcher m = TOKEN.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String token = tokens.get(m.group(1));
      if (token == null && !unusable.contains("token:" + m.group(1))) {
        reader.problem(
            value.line(),
            value.column(),
            value.path(),
            "${jwt."
                + m.group(1)
                + "} names no token (expected one of "
                + tokens.keySet()
                + ", declared under jwt.tokens)");
        token = "";
      }
      m.appendReplacement(
          out, java.util.regex.Matcher.quoteReplacement(token == null ? "" : token));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Reads the issuers' keys and mints the tokens, each refusal at its own entry. */
  void jwt(Value jwt) {
    Map<String, dev.meshproof.scenario.ScenarioJwt.Issuer> issuers = new LinkedHashMap<>();
    for (Value issuer : jwt.get("issuers").map(Value::items).orElse(List.of())) {
      Value key = issuer.get("key").orElseThrow();
      // reported once, at the key: its tokens and their uses are not reported again
      unusable.add(issuer.string("name").orElseThrow());
      Optional<String> jwk = istioFiles.apply((String) key.value());
      if (jwk.isEmpty()) {
        reader.problem(
            key.line(),
            key.column(),
            key.path(),
            "no such file: " + key.value() + " (expected: a path relative to the scenario file)");
        continue;
      }
      attempt(
          reader,
          key,
          () ->
              putIssuer(
                  issuers,
                  issuer.string("name").orElseThrow(),
                  dev.meshproof.scenario.ScenarioJwt.issuer(
                      issuer.string("issuer").orElseThrow(), jwk.get())));
    }
    java.time.Instant now = java.time.Instant.now();
    for (Value token : jwt.get("tokens").map(Value::items).orElse(List.of())) {
      boolean broken =
          java.util.stream.Stream.of("issuer", "signedBy")
              .flatMap(f -> token.string(f).stream())
              .anyMatch(n -> unusable.contains(n) && !issuers.containsKey(n));
      if (broken) {
        unusable.add("token:" + token.string("name").orElseThrow());
        continue;
      }
      Optional<dev.meshproof.scenario.ScenarioJwt.Issuer> issuer =
          declaredIssuer(token.get("issuer").orElseThrow(), issuers);
      Optional<dev.meshproof.scenario.ScenarioJwt.Issuer> signer =
          token.get("signedBy").isPresent()
              ? declaredIssuer(token.get("signedBy").orElseThrow(), issuers)
              : issuer;
      if (issuer.isEmpty() || signer.isEmpty()) {
        continue;
      }
      Map<String, String> claims = new LinkedHashMap<>();
      token
          .get("claims")
          .ifPresent(c -> c.fields().forEach((k, v) -> claims.put(k, (String) v.value())));
      List<String> audiences = new ArrayList<>();
      token
          .get("audiences")
          .ifPresent(a -> a.items().forEach(v -> audiences.add((String) v.value())));
      attempt(
          reader,
          token,
          () ->
              tokens.put(
                  token.string("name").orElseThrow(),
                  dev.meshproof.scenario.ScenarioJwt.mint(
                      new dev.meshproof.scenario.ScenarioJwt.Token(
                          issuer.get(),
                          signer.get(),
                          token.string("subject"),
                          audiences,
                          claims,
                          token.duration("expiresIn").orElse(java.time.Duration.ofHours(1)),
                          token.bool("expired").orElse(false)),
                      now)));
    }
  }

  /** Issuers whose key could not be read and their tokens ({@code token:<name>}). */
  private final java.util.Set<String> unusable = new java.util.HashSet<>();

  private void putIssuer(
      Map<String, dev.meshproof.scenario.ScenarioJwt.Issuer> issuers,
      String name,
      dev.meshproof.scenario.ScenarioJwt.Issuer issuer) {
    issuers.put(name, issuer);
  }

  private Optional<dev.meshproof.scenario.ScenarioJwt.Issuer> declaredIssuer(
      Value name, Map<String, dev.meshproof.scenario.ScenarioJwt.Issuer> issuers) {
    var issuer = issuers.get((String) name.value());
    if (issuer == null) {
      reader.problem(
          name.line(),
          name.column(),
          name.path(),
          "\""
              + name.value()
              + "\" is not a declared issuer (expected one of "
              + issuers.keySet()
              + ")");
    }
    return Optional.ofNullable(issuer);
  }
}
