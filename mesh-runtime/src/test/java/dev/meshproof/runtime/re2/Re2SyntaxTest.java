package dev.meshproof.runtime.re2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Re2SyntaxTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/(?=admin).*    | invalid perl operator: (?=",
        "/(?!admin).*    | invalid perl operator: (?!",
        "(?<=a)b         | invalid perl operator: (?<=",
        "(?>ab)          | invalid perl operator: (?>",
        "(a)\\1          | invalid escape sequence: \\1",
        "a*+             | bad repetition operator: *+",
      })
  void constructsRe2LacksAreRejectedInRe2Words(String regex, String reason) {
    assertThatThrownBy(() -> Re2Syntax.compile(regex, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("is not valid RE2: " + reason);
  }

  @ParameterizedTest
  @CsvSource({"^/beta/[0-9]+$, /beta/42", "/api/v[12]/.*, /api/v2/items", "(?i)/ADMIN, /admin"})
  void re2CompatibleRegexesMatchTheWholePath(String regex, String path) {
    assertThat(Re2Syntax.compile(regex, true).matcher(path).matches()).isTrue();
  }
}
