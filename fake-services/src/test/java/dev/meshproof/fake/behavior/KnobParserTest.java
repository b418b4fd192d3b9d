package dev.meshproof.fake.behavior;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KnobParserTest {

  private static KnobParser.Result parse(String uri, Map<String, List<String>> headers) {
    return KnobParser.parse(RequestView.of("GET", uri, headers));
  }

  private static RequestKnobs knobs(String uri, Map<String, List<String>> headers) {
    KnobParser.Result r = parse(uri, headers);
    assertThat(r).isInstanceOf(KnobParser.Parsed.class);
    return ((KnobParser.Parsed) r).knobs();
  }

  private static KnobError error(String uri, Map<String, List<String>> headers) {
    KnobParser.Result r = parse(uri, headers);
    assertThat(r).isInstanceOf(KnobParser.Rejected.class);
    return ((KnobParser.Rejected) r).error();
  }

  @Test
  void noKnobsMeansNone() {
    assertThat(knobs("/reviews/1", Map.of())).isEqualTo(RequestKnobs.NONE);
  }

  @Test
  void readsEveryKnobFromQueryAndPath() {
    RequestKnobs k =
        knobs(
            "/status/418?delay=1.5s&codes=500:90,200:10&size=7",
            Map.of("X-Echo-Set-Header", List.of("X-A:1, X-B: two")));
    assertThat(k.delay()).hasValue(Duration.ofMillis(1500));
    assertThat(k.codes().orElseThrow().spec()).isEqualTo("500:90,200:10");
    assertThat(k.status()).hasValue(418);
    assertThat(k.size()).hasValue(7);
    assertThat(k.setHeaders())
        .containsExactly(
            new RequestKnobs.Header("X-A", "1"), new RequestKnobs.Header("X-B", "two"));
  }

  @Test
  void headerTwinsApplyWhenTheQueryIsSilentAndQueryWins() {
    RequestKnobs k =
        knobs("/?delay=5ms", Map.of("x-echo-delay", List.of("9s"), "x-echo-codes", List.of("503")));
    assertThat(k.delay()).hasValue(Duration.ofMillis(5));
    assertThat(k.codes().orElseThrow().spec()).isEqualTo("503:1");
  }

  @Test
  void retryDefaultsTo503() {
    assertThat(knobs("/retry?succeedAfter=3", Map.of()).retry())
        .hasValue(new RequestKnobs.Retry(3, 503));
    assertThat(knobs("/retry?succeedAfter=0&responseCode=500", Map.of()).retry())
        .hasValue(new RequestKnobs.Retry(0, 500));
  }

  @Test
  void malformedCodesMessageNamesTheKnobAndTheExpectedForm() {
    assertThat(error("/?codes=500:abc", Map.of()).message())
        .isEqualTo(
            "codes: \"500:abc\" \u2014 expected status:weight pairs like 500:90,200:10"
                + " (statuses 100-599, total weight > 0)");
  }

  @ParameterizedTest
  @CsvSource({
    "/?delay=fast, delay",
    "/?delay=-1s, delay",
    "/?delay=11m, delay",
    "/?delay=, delay",
    "/?codes=700:1, codes",
    "/?codes=500:0, codes",
    "/?codes=500:1:2, codes",
    "/?size=-1, size",
    "/?size=abc, size",
    "/status/99, status",
    "/status/abc, status",
    "/retry, succeedAfter",
    "/retry?succeedAfter=x, succeedAfter",
    "/retry?succeedAfter=1&responseCode=600, responseCode"
  })
  void rejectsMalformedKnobs(String uri, String knob) {
    assertThat(error(uri, Map.of()).knob()).isEqualTo(knob);
  }

  @Test
  void rejectsSetHeaderWithoutNameOrWithBadCharacters() {
    assertThat(error("/", Map.of("x-echo-set-header", List.of("novalue"))).knob())
        .isEqualTo("x-echo-set-header");
    assertThat(error("/", Map.of("x-echo-set-header", List.of("a b:c"))).knob())
        .isEqualTo("x-echo-set-header");
  }
}
