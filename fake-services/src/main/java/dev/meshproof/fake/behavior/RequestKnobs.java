package dev.meshproof.fake.behavior;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The per-request overrides a caller put in the query or headers, already validated.
 *
 * @param delay {@code ?delay=} / {@code x-echo-delay}: service time for this request
 * @param codes {@code ?codes=} / {@code x-echo-codes}: a weighted status mix for this request
 * @param status {@code /status/{code}}: a fixed status
 * @param retry {@code /retry?succeedAfter=N&responseCode=503}
 * @param setHeaders {@code x-echo-set-header: name:value}: headers to add to the response
 * @param size {@code ?size=} / {@code x-echo-size}: response body size in bytes
 */
public record RequestKnobs(
    Optional<Duration> delay,
    Optional<StatusMix> codes,
    OptionalInt status,
    Optional<Retry> retry,
    List<Header> setHeaders,
    OptionalInt size) {

  /** No knob set. */
  public static final RequestKnobs NONE =
      new RequestKnobs(
          Optional.empty(),
          Optional.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          List.of(),
          OptionalInt.empty());

  /** Copies the header list. */
  public RequestKnobs {
    setHeaders = List.copyOf(setHeaders);
  }

  /**
   * Istio-style retry probe: the first {@code succeedAfter} attempts of one {@code x-request-id}
   * answer {@code responseCode}, later ones 200.
   */
  public record Retry(int succeedAfter, int responseCode) {}

  /** A response header to set. */
  public record Header(String name, String value) {}
}
