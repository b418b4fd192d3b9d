package dev.meshproof.bench;

import dev.meshproof.scenario.load.HttpProtocol;
import dev.meshproof.scenario.load.LoadPhase;
import dev.meshproof.scenario.load.LoadResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns the measurements of one benchmark run into Markdown: per protocol, our sidecar and Envoy
 * side by side (latency added over the direct path, throughput as a share of direct, CPU and RSS
 * per proxy), each figure the median over the rounds with its spread (min-max), the ratios of ours
 * to Envoy's taken within each round before the median; then every phase's raw figures. Added
 * latency subtracts the same round's direct percentile from the proxied path's percentile: a
 * difference of percentiles, not a percentile of differences. An open-loop phase's percentile is
 * unreliable when the phase sent too many of its requests late ({@link #maxLateShare}), and its p99
 * also when the phase ended with a 1-minute load average above the CPU count: a figure built from
 * an unreliable percentile is marked, and the ratios of ours to Envoy's are taken only in the
 * rounds whose phases are all reliable for that percentile.
 */
final class BenchmarkReport {
  private static final double MIB = 1024.0 * 1024.0;

  /**
   * The share of late sends ({@link LoadResult#lateShare}) up to which an open-loop phase's p99 is
   * still the system's: latency counts from the intended start, so a late send only raises its own
   * request's latency, and with at most this share raised beyond {@link LoadResult#LATE_SEND} the
   * measured p99 lies between the system's p99 and its p99.1 (plus up to that 1 ms). One pacer
   * stall on a shared machine (a 20-50 ms descheduling makes 20-50 sends late at 1,000 rps) no
   * longer condemns a 15,000-request phase, a stall every few seconds still does.
   */
  static final double MAX_LATE_SHARE = 0.001;

  /**
   * The share of late sends up to which an open-loop phase's {@code percentile} is still the
   * system's, by {@link #MAX_LATE_SHARE}'s argument: at most a tenth of the requests above the
   * percentile, so the measured value lies between the system's and the one {@code (100 -
   * percentile) / 10} points above it. 0.1 % for p99, 1 % for p90, 5 % for p50. A phase whose pacer
   * fell behind for a tenth of its sends says nothing about the proxy's p90: the late sends' own
   * delay is the figure.
   */
  static double maxLateShare(double percentile) {
    return (100 - percentile) / 1000;
  }

  private static final String UNRELIABLE = " †";

  /** The knobs of the run, echoed in the report. */
  record Settings(
      double rate,
      Duration openWarmup,
      Duration openDuration,
      Duration closedWarmup,
      Duration closedDuration,
      int connections,
      int bodyBytes,
      String sidecarJvmOptions,
      String arguments) {}

  private final Settings settings;
  private final List<Measurement> measurements;
  private final List<HttpProtocol> protocols;
  private final List<String> dataPlanes;
  private final Duration total;
  private final int cpus;
  private final List<Integer> rounds;

  BenchmarkReport(
      Settings settings,
      List<Measurement> measurements,
      List<HttpProtocol> protocols,
      List<String> dataPlanes,
      Duration total,
      int cpus) {
    this.settings = settings;
    this.measurements = List.copyOf(measurements);
    this.protocols = List.copyOf(protocols);
    this.dataPlanes = List.copyOf(dataPlanes);
    this.total = total;
    this.cpus = cpus;
    this.rounds = measurements.stream().map(Measurement::round).distinct().sorted().toList();
  }

  /**
   * Whether the phase's tail latencies are unreliable: the pacer lagged or the machine was busy.
   */
  boolean unreliable(Measurement m) {
    return unreliable(m, 99);
  }

  /**
   * Whether the phase's {@code percentile} is unreliable: more of its sends late than {@link
   * #maxLateShare} allows, or, for a tail percentile (p99 and above), a load above the CPU count.
   */
  boolean unreliable(Measurement m, double percentile) {
    if (m.kind() != LoadPhase.Kind.OPEN_LOOP || m.result().isEmpty()) {
      return false;
    }
    return m.result().get().lateShare() > maxLateShare(percentile)
        || (percentile >= 99 && m.loadAverage() > cpus);
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Data-plane benchmark: raw results\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Arguments: `%s`; embedded sidecar JVM options: `%s`; run took %d s.%n%n",
            settings.arguments(),
            settings.sidecarJvmOptions(),
            total.toSeconds()));
    md.append(
        String.format(
            Locale.ROOT,
            "%d round(s); in each, every path of every data plane once (the planes' order"
                + " alternating between rounds). Open loop %.0f rps (warm-up %ds, measured %ds),"
                + " closed loop (warm-up %ds, measured %ds), %d connections, %d-byte POST bodies."
                + " Latency in µs from the intended start (open loop) or the send (closed loop)."
                + " \"Added\" = proxied percentile minus the same round's direct percentile of the"
                + " same protocol and phase; \"per hop\" divides the two-hop figure by two. Each"
                + " cell: median over rounds [min–max].%n%n",
            rounds.size(),
            settings.rate(),
            settings.openWarmup().toSeconds(),
            settings.openDuration().toSeconds(),
            settings.closedWarmup().toSeconds(),
            settings.closedDuration().toSeconds(),
            settings.connections(),
            settings.bodyBytes()));
    reliability(md);
    for (HttpProtocol protocol : protocols) {
      summary(md, protocol);
    }
    raw(md);
    return md.toString();
  }

  private void reliability(StringBuilder md) {
    List<Measurement> open =
        measurements.stream()
            .filter(m -> m.kind() == LoadPhase.Kind.OPEN_LOOP && m.result().isPresent())
            .toList();
    double[] loads =
        measurements.stream().mapToDouble(Measurement::loadAverage).filter(l -> l >= 0).toArray();
    long maxLag =
        open.stream()
            .mapToLong(m -> m.result().get().maxSendLag().toNanos() / 1000)
            .max()
            .orElse(0);
    long flagged = open.stream().filter(this::unreliable).count();
    long flaggedP90 = open.stream().filter(m -> unreliable(m, 90)).count();
    md.append(
        String.format(
            Locale.ROOT,
            "Machine: %d CPUs; 1-minute load average at the end of the phases %s; the open-loop"
                + " pacer's largest lag %d µs, late sends (over %d µs behind) %s %% of a phase's"
                + " requests. %d of %d open-loop phases are flagged (more than %.1f %% of their"
                + " requests sent late, or load above the CPU count): the tail figures (p99) built"
                + " from them are marked%s and are the machine's as much as the proxy's. %d of"
                + " them sent more than %.0f %% late, which makes their p90 the pacer's too: those"
                + " p90 figures are marked as well. Ratios of ours to Envoy's are taken only in"
                + " the rounds whose phases are all reliable for the percentile.%n%n",
            cpus,
            loads.length == 0 ? "not readable" : spread(loads, "%.1f"),
            maxLag,
            LoadResult.LATE_SEND.toNanos() / 1000,
            open.isEmpty()
                ? "-"
                : spread(
                    open.stream().mapToDouble(m -> 100 * m.result().get().lateShare()).toArray(),
                    "%.2f"),
            flagged,
            open.size(),
            100 * MAX_LATE_SHARE,
            UNRELIABLE,
            flaggedP90,
            100 * maxLateShare(90)));
  }

  private void summary(StringBuilder md, HttpProtocol protocol) {
    md.append("## ").append(protocol.label()).append("\n\n");
    double[] directP50 = perRound(r -> micros("direct", 0, protocol, r, 50));
    double[] directP90 = perRound(r -> micros("direct", 0, protocol, r, 90));
    double[] directP99 = perRound(r -> micros("direct", 0, protocol, r, 99));
    double[] directMax =
        perRound(
            r ->
                result("direct", 0, protocol, LoadPhase.Kind.CLOSED_LOOP, r)
                    .map(LoadResult::okPerSecond)
                    .orElse(Double.NaN));
    if (directP50.length > 0) {
      Column direct = new Column("direct", 0);
      md.append(
          String.format(
              Locale.ROOT,
              "Direct (no proxy): p50 %s µs, p90 %s µs, p99 %s µs at %.0f rps;"
                  + " max throughput %s rps.%n%n",
              spread(directP50, "%.0f") + (unreliable(direct, protocol, 50) ? UNRELIABLE : ""),
              spread(directP90, "%.0f") + (unreliable(direct, protocol, 90) ? UNRELIABLE : ""),
              spread(directP99, "%.0f") + (unreliable(direct, protocol, 99) ? UNRELIABLE : ""),
              settings.rate(),
              spread(directMax, "%.0f")));
    }
    List<Column> columns = new ArrayList<>();
    for (int hops = 1; hops <= 2; hops++) {
      for (String plane : dataPlanes) {
        columns.add(new Column(plane, hops));
      }
    }
    md.append("| ").append(protocol.label()).append(" |");
    columns.forEach(c -> md.append(' ').append(c.title()).append(" |"));
    md.append("\n|---|");
    columns.forEach(c -> md.append("---:|"));
    md.append('\n');
    for (double p : new double[] {50, 90, 99}) {
      latencyRow(
          md,
          String.format(Locale.ROOT, "added p%.0f @ %.0f rps (µs)", p, settings.rate()),
          columns,
          protocol,
          p,
          false);
    }
    for (double p : new double[] {50, 90, 99}) {
      latencyRow(
          md,
          String.format(Locale.ROOT, "added p%.0f per hop (µs)", p),
          columns,
          protocol,
          p,
          true);
    }
    row(
        md,
        "max throughput (rps)",
        columns,
        c -> spread(perRound(r -> throughput(c.plane(), c.hops(), protocol, r)), "%.0f"));
    row(
        md,
        "max throughput, % of direct",
        columns,
        c ->
            spread(
                    perRound(
                        r ->
                            100
                                * throughput(c.plane(), c.hops(), protocol, r)
                                / throughput("direct", 0, protocol, r)),
                    "%.0f")
                + " %");
    proxyRow(
        md,
        String.format(Locale.ROOT, "CPU µs per request per proxy @ %.0f rps", settings.rate()),
        columns,
        protocol,
        LoadPhase.Kind.OPEN_LOOP,
        (m, cost) -> cpuPerRequest(cost, m),
        "%.0f");
    proxyRow(
        md,
        "CPU µs per request per proxy, max throughput",
        columns,
        protocol,
        LoadPhase.Kind.CLOSED_LOOP,
        (m, cost) -> cpuPerRequest(cost, m),
        "%.0f");
    proxyRow(
        md,
        "RSS per proxy after max throughput (MiB)",
        columns,
        protocol,
        LoadPhase.Kind.CLOSED_LOOP,
        (m, cost) -> cost.rssBytes() / MIB,
        "%.0f");
    row(md, "errors (non-2xx / conn / timeout), all phases", columns, c -> errors(c, protocol));
    md.append('\n');
    if (dataPlanes.contains("embedded") && dataPlanes.contains("envoy")) {
      ratios(md, protocol);
    }
    measurements.stream()
        .filter(m -> m.protocol() == protocol && m.result().isEmpty())
        .map(m -> "round " + m.round() + ", " + m.dataPlane() + ": " + m.note())
        .distinct()
        .forEach(note -> md.append("\\* ").append(note).append("\n\n"));
  }

  /**
   * Ours over Envoy's, within each round, then the median over rounds; a latency ratio only over
   * the rounds whose direct, our and Envoy's phases are all reliable for the percentile (a ratio of
   * figures the pacer made is no comparison, and two negative "added" figures make a positive ratio
   * of nothing).
   */
  private void ratios(StringBuilder md, HttpProtocol protocol) {
    md.append("| our sidecar ÷ Envoy, within a round | 1 hop | 2 hops |\n|---|---:|---:|\n");
    for (double p : new double[] {90, 99}) {
      md.append(String.format(Locale.ROOT, "| added p%.0f |", p));
      for (int hops = 1; hops <= 2; hops++) {
        int h = hops;
        List<Integer> reliable =
            rounds.stream()
                .filter(
                    r ->
                        reliable("direct", 0, protocol, r, p)
                            && reliable("embedded", h, protocol, r, p)
                            && reliable("envoy", h, protocol, r, p))
                .toList();
        double[] ratio =
            reliable.stream()
                .mapToDouble(
                    r -> added("embedded", h, protocol, r, p) / added("envoy", h, protocol, r, p))
                .filter(v -> !Double.isNaN(v) && !Double.isInfinite(v))
                .toArray();
        md.append(' ').append(spread(ratio, "%.2f"));
        if (reliable.isEmpty()) {
          md.append(" (no round with every phase reliable)");
        } else if (reliable.size() < rounds.size()) {
          md.append(
              String.format(Locale.ROOT, " (%d of %d rounds)", reliable.size(), rounds.size()));
        }
        md.append(" |");
      }
      md.append('\n');
    }
    md.append("| max throughput |");
    for (int hops = 1; hops <= 2; hops++) {
      int h = hops;
      md.append(' ')
          .append(
              spread(
                  perRound(
                      r ->
                          throughput("embedded", h, protocol, r)
                              / throughput("envoy", h, protocol, r)),
                  "%.2f"))
          .append(" |");
    }
    md.append("\n\n");
  }

  private record Column(String plane, int hops) {
    String title() {
      return (plane.equals("envoy") ? "Envoy" : "our sidecar")
          + ", "
          + hops
          + (hops == 1 ? " hop" : " hops");
    }
  }

  private void latencyRow(
      StringBuilder md,
      String label,
      List<Column> columns,
      HttpProtocol protocol,
      double percentile,
      boolean perHop) {
    row(
        md,
        label,
        columns,
        c -> {
          double[] added =
              perRound(
                  r ->
                      added(c.plane(), c.hops(), protocol, r, percentile)
                          / (perHop ? c.hops() : 1));
          return spread(added, "%.0f")
              + (added.length > 0 && unreliable(c, protocol, percentile) ? UNRELIABLE : "");
        });
  }

  private boolean unreliable(Column c, HttpProtocol protocol, double percentile) {
    return measurements.stream()
        .filter(m -> m.protocol() == protocol && m.kind() == LoadPhase.Kind.OPEN_LOOP)
        .filter(
            m ->
                (m.dataPlane().equals(c.plane()) && m.hops() == c.hops())
                    || m.dataPlane().equals("direct"))
        .anyMatch(m -> unreliable(m, percentile));
  }

  /** Whether the round has the path's open-loop phase and its {@code percentile} is reliable. */
  private boolean reliable(String plane, int hops, HttpProtocol protocol, int round, double p) {
    return find(plane, hops, protocol, LoadPhase.Kind.OPEN_LOOP, round)
        .filter(m -> m.result().isPresent())
        .map(m -> !unreliable(m, p))
        .orElse(false);
  }

  private void row(
      StringBuilder md, String label, List<Column> columns, Function<Column, String> cell) {
    md.append("| ").append(label).append(" |");
    for (Column c : columns) {
      md.append(' ').append(cell.apply(c)).append(" |");
    }
    md.append('\n');
  }

  private interface ProxyValue {
    double of(Measurement m, Measurement.ProxyCost cost);
  }

  private void proxyRow(
      StringBuilder md,
      String label,
      List<Column> columns,
      HttpProtocol protocol,
      LoadPhase.Kind kind,
      ProxyValue value,
      String format) {
    row(
        md,
        label,
        columns,
        c -> {
          List<String> roles =
              measurements.stream()
                  .filter(m -> m.dataPlane().equals(c.plane()) && m.hops() == c.hops())
                  .filter(m -> m.protocol() == protocol && m.kind() == kind)
                  .flatMap(m -> m.proxies().stream().map(Measurement.ProxyCost::role))
                  .distinct()
                  .toList();
          if (roles.isEmpty()) {
            return "-";
          }
          List<String> parts = new ArrayList<>();
          for (String role : roles) {
            double[] values =
                perRound(
                    r ->
                        find(c.plane(), c.hops(), protocol, kind, r)
                            .filter(m -> m.result().isPresent())
                            .flatMap(
                                m ->
                                    m.proxies().stream()
                                        .filter(cost -> cost.role().equals(role))
                                        .findFirst()
                                        .map(cost -> value.of(m, cost)))
                            .orElse(Double.NaN));
            parts.add((roles.size() > 1 ? role + " " : "") + spread(values, format));
          }
          return String.join(" / ", parts);
        });
  }

  private static double cpuPerRequest(Measurement.ProxyCost cost, Measurement m) {
    long ok = m.result().orElseThrow().ok();
    return ok == 0 ? Double.NaN : cost.cpuSeconds() * 1e6 / ok;
  }

  private String errors(Column c, HttpProtocol protocol) {
    long status = 0;
    long conn = 0;
    long timeouts = 0;
    for (Measurement m : measurements) {
      if (m.dataPlane().equals(c.plane())
          && m.hops() == c.hops()
          && m.protocol() == protocol
          && m.result().isPresent()) {
        status += m.result().get().errorStatus();
        conn += m.result().get().connectionErrors();
        timeouts += m.result().get().timeouts();
      }
    }
    return status + " / " + conn + " / " + timeouts;
  }

  /** The value of every round where it exists (NaN where the round has no figure), in order. */
  private double[] perRound(java.util.function.IntToDoubleFunction value) {
    return rounds.stream()
        .mapToDouble(r -> value.applyAsDouble(r))
        .filter(v -> !Double.isNaN(v) && !Double.isInfinite(v))
        .toArray();
  }

  /** {@code median [min–max]}, just the value for one round, {@code -} for none. */
  static String spread(double[] values, String format) {
    if (values.length == 0) {
      return "-";
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    String m = String.format(Locale.ROOT, format, median);
    return n == 1
        ? m
        : m
            + " ["
            + String.format(Locale.ROOT, format, sorted[0])
            + "–"
            + String.format(Locale.ROOT, format, sorted[n - 1])
            + "]";
  }

  private double added(String plane, int hops, HttpProtocol protocol, int round, double p) {
    return micros(plane, hops, protocol, round, p) - micros("direct", 0, protocol, round, p);
  }

  private double micros(String plane, int hops, HttpProtocol protocol, int round, double p) {
    return result(plane, hops, protocol, LoadPhase.Kind.OPEN_LOOP, round)
        .map(r -> (double) r.micros(p))
        .orElse(Double.NaN);
  }

  private double throughput(String plane, int hops, HttpProtocol protocol, int round) {
    return result(plane, hops, protocol, LoadPhase.Kind.CLOSED_LOOP, round)
        .map(LoadResult::okPerSecond)
        .orElse(Double.NaN);
  }

  private void raw(StringBuilder md) {
    md.append("## Every measured phase\n\n");
    md.append(
        "| round | data plane | hops | protocol | phase | issued | ok | non-2xx | conn err"
            + " | timeouts | ok rps | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | max pacer lag µs | late sends"
            + " | load avg | proxy CPU s | proxy RSS MiB | bench JVM CPU s |\n");
    md.append(
        "|---:|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|\n");
    for (Measurement m : measurements) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %d | %s | %s |",
              m.round(),
              m.dataPlane(),
              m.hops(),
              m.protocol().label(),
              m.kind() == LoadPhase.Kind.OPEN_LOOP ? "open " + (long) settings.rate() : "closed"));
      if (m.result().isEmpty()) {
        md.append(" ").append(m.note()).append(" |").append(" |".repeat(16)).append('\n');
        continue;
      }
      LoadResult r = m.result().get();
      md.append(
          String.format(
              Locale.ROOT,
              " %d | %d | %d | %d | %d | %.0f | %d%s | %d%s | %d%s | %d | %d | %d | %d | %.1f | %s |"
                  + " %s | %.2f |%n",
              r.issued(),
              r.ok(),
              r.errorStatus(),
              r.connectionErrors(),
              r.timeouts(),
              r.okPerSecond(),
              r.micros(50),
              unreliable(m, 50) ? UNRELIABLE : "",
              r.micros(90),
              unreliable(m, 90) ? UNRELIABLE : "",
              r.micros(99),
              unreliable(m) ? UNRELIABLE : "",
              r.micros(99.9),
              r.latencies().getMaxValue(),
              r.maxSendLag().toNanos() / 1000,
              r.lateSends(),
              m.loadAverage(),
              m.proxies().isEmpty() ? "-" : perProxy(m, c -> c.cpuSeconds(), "%.2f"),
              m.proxies().isEmpty() ? "-" : perProxy(m, c -> c.rssBytes() / MIB, "%.0f"),
              m.benchJvmCpuSeconds()));
    }
    md.append('\n');
  }

  private static String perProxy(
      Measurement m, java.util.function.ToDoubleFunction<Measurement.ProxyCost> value, String f) {
    List<String> parts = new ArrayList<>();
    for (Measurement.ProxyCost cost : m.proxies()) {
      parts.add(
          (m.proxies().size() > 1 ? cost.role() + " " : "")
              + String.format(Locale.ROOT, f, value.applyAsDouble(cost)));
    }
    return String.join(" / ", parts);
  }

  /** HdrHistogram percentile distributions (µs) of every measured phase. */
  String percentileDistributions() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      for (Measurement m : measurements) {
        if (m.result().isEmpty()) {
          continue;
        }
        out.printf(
            Locale.ROOT,
            "### round %d, %s, %d hop(s), %s, %s (values in microseconds)%n",
            m.round(),
            m.dataPlane(),
            m.hops(),
            m.protocol().label(),
            m.result().get().phase().describe());
        m.result().get().latencies().outputPercentileDistribution(out, 2, 1.0);
        out.println();
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private Optional<Measurement> find(
      String plane, int hops, HttpProtocol protocol, LoadPhase.Kind kind, int round) {
    return measurements.stream().filter(m -> m.is(round, plane, hops, protocol, kind)).findFirst();
  }

  private Optional<LoadResult> result(
      String plane, int hops, HttpProtocol protocol, LoadPhase.Kind kind, int round) {
    return find(plane, hops, protocol, kind, round).flatMap(Measurement::result);
  }
}
