package dev.meshproof.bench;

import dev.meshproof.scenario.load.HttpProtocol;
import dev.meshproof.scenario.load.LoadPhase;
import dev.meshproof.scenario.load.LoadResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns the measurements of one benchmark run into Markdown: per protocol, our sidecar and Envoy
 * side by side (latency added over the direct path, throughput as a share of direct, CPU and RSS
 * per proxy), then every phase's raw figures. Added latency subtracts the direct path's percentile
 * from the proxied path's percentile: a difference of percentiles, not a percentile of differences.
 */
final class BenchmarkReport {
  private static final double MIB = 1024.0 * 1024.0;

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

  BenchmarkReport(
      Settings settings,
      List<Measurement> measurements,
      List<HttpProtocol> protocols,
      List<String> dataPlanes,
      Duration total) {
    this.settings = settings;
    this.measurements = List.copyOf(measurements);
    this.protocols = List.copyOf(protocols);
    this.dataPlanes = List.copyOf(dataPlanes);
    this.total = total;
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
            "Open loop %.0f rps (warm-up %ds, measured %ds), closed loop (warm-up %ds, measured"
                + " %ds), %d connections, %d-byte POST bodies. Latency in µs from the intended"
                + " start (open loop) or the send (closed loop). \"Added\" = proxied percentile"
                + " minus direct percentile of the same protocol and phase; \"per hop\" divides"
                + " the two-hop figure by two.%n%n",
            settings.rate(),
            settings.openWarmup().toSeconds(),
            settings.openDuration().toSeconds(),
            settings.closedWarmup().toSeconds(),
            settings.closedDuration().toSeconds(),
            settings.connections(),
            settings.bodyBytes()));
    for (HttpProtocol protocol : protocols) {
      summary(md, protocol);
    }
    raw(md);
    return md.toString();
  }

  private void summary(StringBuilder md, HttpProtocol protocol) {
    Optional<LoadResult> directOpen = result("direct", 0, protocol, LoadPhase.Kind.OPEN_LOOP);
    Optional<LoadResult> directClosed = result("direct", 0, protocol, LoadPhase.Kind.CLOSED_LOOP);
    md.append("## ").append(protocol.label()).append("\n\n");
    directOpen.ifPresent(
        d ->
            md.append(
                String.format(
                    Locale.ROOT,
                    "Direct (no proxy): p50 %d µs, p90 %d µs, p99 %d µs at %.0f rps;"
                        + " max throughput %.0f rps.%n%n",
                    d.micros(50),
                    d.micros(90),
                    d.micros(99),
                    settings.rate(),
                    directClosed.map(LoadResult::okPerSecond).orElse(0.0))));
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
      row(
          md,
          String.format(Locale.ROOT, "added p%.0f @ %.0f rps (µs)", p, settings.rate()),
          columns,
          protocol,
          LoadPhase.Kind.OPEN_LOOP,
          (c, m) -> added(m, directOpen, p, 1));
    }
    for (double p : new double[] {50, 90, 99}) {
      row(
          md,
          String.format(Locale.ROOT, "added p%.0f per hop (µs)", p),
          columns,
          protocol,
          LoadPhase.Kind.OPEN_LOOP,
          (c, m) -> added(m, directOpen, p, c.hops()));
    }
    row(
        md,
        "max throughput (rps)",
        columns,
        protocol,
        LoadPhase.Kind.CLOSED_LOOP,
        (c, m) -> String.format(Locale.ROOT, "%.0f", m.result().orElseThrow().okPerSecond()));
    row(
        md,
        "max throughput, % of direct",
        columns,
        protocol,
        LoadPhase.Kind.CLOSED_LOOP,
        (c, m) ->
            directClosed
                .map(
                    d ->
                        String.format(
                            Locale.ROOT,
                            "%.0f %%",
                            100 * m.result().orElseThrow().okPerSecond() / d.okPerSecond()))
                .orElse("-"));
    row(
        md,
        String.format(Locale.ROOT, "CPU s per proxy @ %.0f rps", settings.rate()),
        columns,
        protocol,
        LoadPhase.Kind.OPEN_LOOP,
        (c, m) -> perProxy(m, cost -> String.format(Locale.ROOT, "%.2f", cost.cpuSeconds())));
    row(
        md,
        String.format(Locale.ROOT, "CPU µs per request per proxy @ %.0f rps", settings.rate()),
        columns,
        protocol,
        LoadPhase.Kind.OPEN_LOOP,
        (c, m) -> perProxy(m, cost -> cpuPerRequest(cost, m)));
    row(
        md,
        "CPU s per proxy, max throughput",
        columns,
        protocol,
        LoadPhase.Kind.CLOSED_LOOP,
        (c, m) -> perProxy(m, cost -> String.format(Locale.ROOT, "%.2f", cost.cpuSeconds())));
    row(
        md,
        "CPU µs per request per proxy, max throughput",
        columns,
        protocol,
        LoadPhase.Kind.CLOSED_LOOP,
        (c, m) -> perProxy(m, cost -> cpuPerRequest(cost, m)));
    row(
        md,
        "RSS per proxy after max throughput (MiB)",
        columns,
        protocol,
        LoadPhase.Kind.CLOSED_LOOP,
        (c, m) -> perProxy(m, cost -> String.format(Locale.ROOT, "%.0f", cost.rssBytes() / MIB)));
    row(
        md,
        "errors (non-2xx / conn / timeout), both phases",
        columns,
        protocol,
        LoadPhase.Kind.OPEN_LOOP,
        (c, m) -> errors(c, protocol));
    measurements.stream()
        .filter(m -> m.protocol() == protocol && m.result().isEmpty())
        .map(Measurement::note)
        .distinct()
        .forEach(note -> md.append("\n\\* ").append(note).append('\n'));
    md.append('\n');
  }

  private record Column(String plane, int hops) {
    String title() {
      return (plane.equals("envoy") ? "Envoy" : "our sidecar")
          + ", "
          + hops
          + (hops == 1 ? " hop" : " hops");
    }
  }

  private interface Cell {
    String render(Column column, Measurement measurement);
  }

  private void row(
      StringBuilder md,
      String label,
      List<Column> columns,
      HttpProtocol protocol,
      LoadPhase.Kind kind,
      Cell cell) {
    md.append("| ").append(label).append(" |");
    for (Column c : columns) {
      Optional<Measurement> m = find(c.plane(), c.hops(), protocol, kind);
      String text;
      if (m.isEmpty()) {
        text = "-";
      } else if (m.get().result().isEmpty()) {
        text = "n/a*";
      } else {
        text = cell.render(c, m.get());
      }
      md.append(' ').append(text).append(" |");
    }
    md.append('\n');
  }

  private static String added(
      Measurement m, Optional<LoadResult> direct, double percentile, int divideBy) {
    if (direct.isEmpty()) {
      return "-";
    }
    long added = m.result().orElseThrow().micros(percentile) - direct.get().micros(percentile);
    return divideBy == 1
        ? Long.toString(added)
        : String.format(Locale.ROOT, "%.0f", added / (double) divideBy);
  }

  private static String perProxy(Measurement m, Function<Measurement.ProxyCost, String> value) {
    List<String> parts = new ArrayList<>();
    for (Measurement.ProxyCost cost : m.proxies()) {
      parts.add((m.proxies().size() > 1 ? cost.role() + " " : "") + value.apply(cost));
    }
    return String.join(" / ", parts);
  }

  private static String cpuPerRequest(Measurement.ProxyCost cost, Measurement m) {
    long ok = m.result().orElseThrow().ok();
    return ok == 0 ? "-" : String.format(Locale.ROOT, "%.0f", cost.cpuSeconds() * 1e6 / ok);
  }

  private String errors(Column c, HttpProtocol protocol) {
    long status = 0;
    long conn = 0;
    long timeouts = 0;
    for (LoadPhase.Kind kind : LoadPhase.Kind.values()) {
      Optional<LoadResult> r = result(c.plane(), c.hops(), protocol, kind);
      if (r.isPresent()) {
        status += r.get().errorStatus();
        conn += r.get().connectionErrors();
        timeouts += r.get().timeouts();
      }
    }
    return status + " / " + conn + " / " + timeouts;
  }

  private void raw(StringBuilder md) {
    md.append("## Every measured phase\n\n");
    md.append(
        "| data plane | hops | protocol | phase | issued | ok | non-2xx | conn err | timeouts"
            + " | ok rps | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | max pacer lag µs"
            + " | proxy CPU s | proxy RSS MiB | bench JVM CPU s |\n");
    md.append(
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|\n");
    for (Measurement m : measurements) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s |",
              m.dataPlane(),
              m.hops(),
              m.protocol().label(),
              m.kind() == LoadPhase.Kind.OPEN_LOOP ? "open " + (long) settings.rate() : "closed"));
      if (m.result().isEmpty()) {
        md.append(" ").append(m.note()).append(" |").append(" |".repeat(14)).append('\n');
        continue;
      }
      LoadResult r = m.result().get();
      md.append(
          String.format(
              Locale.ROOT,
              " %d | %d | %d | %d | %d | %.0f | %d | %d | %d | %d | %d | %d | %s | %s | %.2f |%n",
              r.issued(),
              r.ok(),
              r.errorStatus(),
              r.connectionErrors(),
              r.timeouts(),
              r.okPerSecond(),
              r.micros(50),
              r.micros(90),
              r.micros(99),
              r.micros(99.9),
              r.latencies().getMaxValue(),
              r.maxSendLag().toNanos() / 1000,
              m.proxies().isEmpty()
                  ? "-"
                  : perProxy(m, c -> String.format(Locale.ROOT, "%.2f", c.cpuSeconds())),
              m.proxies().isEmpty()
                  ? "-"
                  : perProxy(m, c -> String.format(Locale.ROOT, "%.0f", c.rssBytes() / MIB)),
              m.benchJvmCpuSeconds()));
    }
    md.append('\n');
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
            "### %s, %d hop(s), %s, %s (values in microseconds)%n",
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
      String plane, int hops, HttpProtocol protocol, LoadPhase.Kind kind) {
    return measurements.stream().filter(m -> m.is(plane, hops, protocol, kind)).findFirst();
  }

  private Optional<LoadResult> result(
      String plane, int hops, HttpProtocol protocol, LoadPhase.Kind kind) {
    return find(plane, hops, protocol, kind).flatMap(Measurement::result);
  }
}
