package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import dev.meshproof.scenario.traffic.StreamTiming;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Expects gRPC server streams to reach the client as they are sent: every successful call of a
 * traffic received its answers (at least two), and the first of them arrived before the gRPC echo
 * sent the last ({@link StreamTiming}), which the echo makes possible by pausing between answers
 * ({@code interval} in the call's EchoRequest). An order of two events, not a timing bound: a proxy
 * that collects the whole answer before forwarding it can never pass, one that forwards each
 * message as it arrives always does once the pause outlasts the path's delay. Exact, every call.
 */
public final class StreamedExpectation implements Expectation {
  private final String traffic;

  StreamedExpectation(String traffic) {
    this.traffic = traffic;
  }

  @Override
  public Map<String, Object> toYaml() {
    return Map.of("streamed", Map.of("traffic", traffic));
  }

  @Override
  public String description() {
    return "every successful gRPC call of traffic '"
        + traffic
        + "' gets its first stream answer before the service sent its last";
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> calls =
        observations.requests().stream()
            .filter(r -> r.traffic().equals(traffic) && r.succeeded())
            .toList();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("calls", String.valueOf(calls.size()));
    if (calls.isEmpty()) {
      return new ExpectationResult(
          description(),
          false,
          "no successful call of traffic '" + traffic + "'",
          statistics,
          List.of());
    }
    int untimed = 0;
    int single = 0;
    int streamed = 0;
    Optional<RequestObservation> firstLate = Optional.empty();
    for (RequestObservation call : calls) {
      if (call.stream().isEmpty()) {
        untimed++;
      } else if (call.stream().get().messages() < 2) {
        single++;
      } else if (call.stream().get().firstArrivedBeforeLastSent()) {
        streamed++;
      } else if (firstLate.isEmpty()) {
        firstLate = Optional.of(call);
      }
    }
    int late = calls.size() - untimed - single - streamed;
    statistics.put("streamed", String.valueOf(streamed));
    statistics.put("collected", String.valueOf(late));
    statistics.put("fewer than two answers", String.valueOf(single));
    statistics.put("no timing", String.valueOf(untimed));
    boolean passed = streamed == calls.size();
    StringBuilder message =
        new StringBuilder()
            .append(streamed)
            .append(" of ")
            .append(calls.size())
            .append(" calls got their first answer before the last was sent");
    if (late > 0) {
      StreamTiming timing = firstLate.get().stream().get();
      message
          .append("; ")
          .append(late)
          .append(" got it only after (e.g. ")
          .append(firstLate.get().requestId())
          .append(": first answer ")
          .append((timing.firstArrivedUnixNanos() - timing.lastSentUnixNanos()) / 1_000)
          .append(" µs after the last was sent)");
    }
    if (single > 0) {
      message.append("; ").append(single).append(" got fewer than two answers");
    }
    if (untimed > 0) {
      message.append("; ").append(untimed).append(" carried no timing (not a gRPC echo stream)");
    }
    return new ExpectationResult(description(), passed, message.toString(), statistics, List.of());
  }
}
