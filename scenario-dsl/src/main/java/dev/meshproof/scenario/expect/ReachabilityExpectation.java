package dev.meshproof.scenario.expect;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who can call whom: per caller (a client) and callee (a service), every request either reached the
 * callee's app ({@code allowed}) or none did and each was refused the stated way ({@code reset}:
 * the connection closed before any answer, as a plaintext caller to a STRICT workload; {@code 401},
 * {@code 403}, {@code 503}: the proxies' local reply). Judged exactly, request by request: security
 * decisions are not random, so no alpha is spent. The evidence is the matrix, each cell with what
 * was observed and the identity the callee's app saw ({@code x-forwarded-client-cert} URI).
 */
public final class ReachabilityExpectation implements Expectation {
  /** The ways a call is expected to end. */
  public static final List<String> OUTCOMES = List.of("allowed", "reset", "401", "403", "503");

  /** The statistics key prefix of a matrix cell: {@code reach <from> → <to>}. */
  public static final String CELL_PREFIX = "reach ";

  /** The separator between a cell's caller and callee in its statistics key. */
  public static final String ARROW = " → ";

  /** One cell: calls from {@code from} to service {@code to} end as {@code expected}. */
  public record Cell(String from, String to, String expected) {
    public Cell {
      if (!OUTCOMES.contains(expected)) {
        throw new IllegalArgumentException(
            "reachability."
                + from
                + "->"
                + to
                + ": "
                + expected
                + " (expected one of "
                + OUTCOMES
                + ")");
      }
    }
  }

  private final List<Cell> cells;

  private ReachabilityExpectation(List<Cell> cells) {
    this.cells = List.copyOf(cells);
  }

  public List<Cell> cells() {
    return cells;
  }

  @Override
  public String description() {
    return "reachability: "
        + String.join(
            ", ", cells.stream().map(c -> c.from() + ARROW + c.to() + " " + c.expected()).toList());
  }

  @Override
  public Map<String, Object> toYaml() {
    List<Object> out = new ArrayList<>();
    for (Cell cell : cells) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("from", cell.from());
      c.put("to", cell.to());
      c.put("expect", cell.expected());
      out.add(c);
    }
    return Map.of("reachability", out);
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact: every request of a cell ends as expected");
    List<String> wrong = new ArrayList<>();
    for (Cell cell : cells) {
      List<RequestObservation> calls =
          observations.requests().stream()
              .filter(r -> r.from().equals(cell.from()) && serviceOf(r.url()).equals(cell.to()))
              .toList();
      long reached = calls.stream().filter(ReachabilityExpectation::reachedApp).count();
      Map<String, Integer> endings = new TreeMap<>();
      TreeSet<String> peers = new TreeSet<>();
      for (RequestObservation r : calls) {
        endings.merge(ending(r), 1, Integer::sum);
        if (reachedApp(r)) {
          peers.add(peer(r));
        }
      }
      String observed = observed(calls, reached, endings);
      boolean ok = !calls.isEmpty() && observed.equals(cell.expected());
      if (!ok) {
        wrong.add(
            cell.from()
                + ARROW
                + cell.to()
                + " "
                + observed
                + " (expected "
                + cell.expected()
                + ")");
      }
      statistics.put(
          CELL_PREFIX + cell.from() + ARROW + cell.to(),
          "expected "
              + cell.expected()
              + "; observed "
              + observed
              + "; "
              + reached
              + "/"
              + calls.size()
              + " reached the app, endings "
              + endings
              + (peers.isEmpty() ? "" : ", peer " + String.join(" ", peers))
              + "; "
              + (ok ? "ok" : "failed"));
    }
    boolean passed = wrong.isEmpty();
    return new ExpectationResult(
        description(),
        passed,
        passed
            ? cells.size() + " caller/callee pair(s) as expected"
            : "not as expected: " + String.join("; ", wrong),
        statistics,
        List.of());
  }

  /**
   * What the cell's calls did, in the words of {@link #OUTCOMES} (or {@code none}, {@code mixed}).
   */
  private static String observed(
      List<RequestObservation> calls, long reached, Map<String, Integer> endings) {
    if (calls.isEmpty()) {
      return "none sent";
    }
    if (reached == calls.size() && calls.stream().allMatch(RequestObservation::succeeded)) {
      return "allowed";
    }
    if (reached == 0 && endings.size() == 1) {
      return endings.keySet().iterator().next();
    }
    return "mixed";
  }

  /** The request reached the callee's app: the echo answered it, or journaled an attempt. */
  static boolean reachedApp(RequestObservation r) {
    return r.instance().isPresent() || !r.attempts().isEmpty();
  }

  /** How a request ended: {@code reset} without an answer, else its status. */
  private static String ending(RequestObservation r) {
    return r.kind() == HttpOutcome.Kind.RESPONSE ? String.valueOf(r.status()) : "reset";
  }

  /** The caller identity the callee's app saw: the URI of its XFCC, or {@code none}. */
  static String peer(RequestObservation r) {
    return r.responseHeader("x-echo-request-x-forwarded-client-cert")
        .map(ReachabilityExpectation::uriOf)
        .orElse("none");
  }

  static String uriOf(String xfcc) {
    // The last element is the hop next to the app (APPEND_FORWARD); its URI is the caller's.
    String last = xfcc.substring(xfcc.lastIndexOf(',') + 1);
    for (String part : last.split(";")) {
      if (part.startsWith("URI=")) {
        return part.substring(4);
      }
    }
    return "none";
  }

  /** The service a URL names: the first label of its host ({@code catalog.default...}). */
  static String serviceOf(String url) {
    String host = URI.create(url).getHost();
    return host == null ? "" : host.contains(".") ? host.substring(0, host.indexOf('.')) : host;
  }

  /** Configures a {@link ReachabilityExpectation}, one cell per call. */
  public static final class Builder implements ExpectationSpec {
    private final List<Cell> cells = new ArrayList<>();

    Builder() {}

    /** Every request from {@code from} to {@code to} reaches the app with a 2xx. */
    public Builder allowed(String from, String to) {
      return cell(from, to, "allowed");
    }

    /**
     * No request from {@code from} to {@code to} reaches the app; each ends as {@code how}: {@code
     * reset}, {@code 401}, {@code 403} or {@code 503}.
     */
    public Builder denied(String from, String to, String how) {
      if (how.equals("allowed")) {
        throw new IllegalArgumentException(
            "denied: allowed (expected one of " + OUTCOMES.subList(1, OUTCOMES.size()) + ")");
      }
      return cell(from, to, how);
    }

    public Builder cell(String from, String to, String expected) {
      if (cells.stream().anyMatch(c -> c.from().equals(from) && c.to().equals(to))) {
        throw new IllegalArgumentException(
            "reachability: "
                + from
                + ARROW
                + to
                + " is stated twice (expected: one cell per pair)");
      }
      cells.add(new Cell(from, to, expected));
      return this;
    }

    @Override
    public ReachabilityExpectation build() {
      if (cells.isEmpty()) {
        throw new IllegalArgumentException("reachability: no cell (expected: at least one)");
      }
      return new ReachabilityExpectation(cells);
    }
  }
}
