package dev.meshproof.runtime.policy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link PathNormalization} against the paths Envoy 1.40 forwarded upstream with istiod's settings
 * ({@code normalize_path: true}, {@code path_with_escaped_slashes_action: KEEP_UNCHANGED}, no slash
 * merging), measured with a static Envoy and an upstream that echoes the path it got.
 */
class PathNormalizationTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/a/../b|/b",
        "/a/./b/c|/a/b/c",
        "/a//b|/a//b",
        "/b//c|/b//c",
        "/b/%2e%2e/x|/x",
        "/b/%2E/c|/b/c",
        "/x/%2e%2e/b|/b",
        "/a%2Fb|/a%2Fb",
        "/b/%2F/c|/b/%2F/c",
        "/b/%2f|/b/%2f",
        "/%62/c|/b/c",
        "/b/%7Euser|/b/~user",
        "/b/%7euser|/b/~user",
        "/b?x=/../y|/b?x=/../y",
        "/b/c/..|/b/",
        "/..|/",
        "/../b|/b",
        "/b\\c|/b/c",
        "/a\\..\\b|/b",
        "/b/%41|/b/A",
        "/b/a%20b|/b/a%20b",
        "/b/c/%2e|/b/c/",
        "/b/.%2e/..|/",
        "/b;a=1|/b;a=1",
        "/b/%25|/b/%25",
        "/b/%zz|/b/%zz",
        "/b/./|/b/",
        "/b/\"|/b/%22",
        "/b/<>|/b/%3C%3E",
        "/b/`|/b/%60",
        "/b/{}|/b/%7B%7D",
        "/b/^|/b/%5E",
        "/b/[]|/b/[]",
        "/b/'|/b/'",
        "/b/a%2eb|/b/a.b",
        "/b/%2E%2E|/",
        "/b/%3a%3A|/b/%3a%3A",
        "/b/%40|/b/%40",
        "/b/%2e%2e%2fc|/b/..%2fc",
        "/b/.../c|/b/.../c",
        "/b/..c|/b/..c",
        "/b/c/..%2f|/b/c/..%2f",
        "/b/%5c|/b/%5c",
        "/b/%7f|/b/%7f",
        "/b/%80|/b/%80",
        "/b//../c|/b/c",
        "/b/c/../../d|/d",
        "/b/%E9|/b/%E9",
        "/b/c/.?x|/b/c/?x",
        "//b|//b",
        "/b/c/./../|/b/",
      })
  void canonicalizesAsEnvoy(String path, String expected) {
    assertThat(PathNormalization.normalize(path, true, false)).contains(expected);
  }

  @Test
  void aNulEscapeMakesThePathInvalid() {
    assertThat(PathNormalization.normalize("/b/%00", true, false)).isEmpty();
  }

  @Test
  void aTargetThatIsNotAnAbsolutePathIsInvalid() {
    assertThat(PathNormalization.normalize("b", true, false)).isEmpty();
    assertThat(PathNormalization.normalize("*", true, false)).isEmpty();
  }

  @Test
  void mergeSlashesRunsAfterCanonicalization() {
    assertThat(PathNormalization.normalize("//a//./b?x=//", true, true)).contains("/a/b?x=//");
  }

  @Test
  void withoutNormalizationThePathIsUnchanged() {
    assertThat(PathNormalization.normalize("/a/../b", false, false))
        .isEqualTo(Optional.of("/a/../b"));
  }
}
