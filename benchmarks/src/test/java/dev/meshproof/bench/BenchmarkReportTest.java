package dev.meshproof.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.load.HttpProtocol;
import dev.meshproof.scenario.load.LoadPhase;
import dev.meshproof.scenario.load.LoadResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchmarkReportTest {
  private static final LoadPhase OPEN = LoadPhase.openLoop(1000, Duration.ofSeconds(10));
  private static final LoadPhase CLOSED = LoadPhase.closedLoop(Duration.ofSeconds(5));

  /**
   * {@code ok} answers, all of {@code micros}; {@code lagMicros} of pacer lag at most, one send in
   * a hundred that late when it is over the late-send limit (a stall every few seconds).
   */
  private static LoadResult result(LoadPhase phase, long micros, long lagMicros, long ok) {
    long late = lagMicros * 1000 > LoadResult.LATE_SEND.toNanos() ? ok / 100 : 0;
    return result(phase, micros, lagMicros, ok, late);
  }

  /** {@code ok} answers, all of {@code micros}, {@code late} of them sent late. */
  private static LoadResult result(
      LoadPhase phase, long micros, long lagMicros, long ok, long late) {
    Histogram h = new Histogram(3);
    h.recordValueWithCount(micros, ok);
    return new LoadResult(
        phase, h, ok, ok, 0, 0, 0, Duration.ofSeconds(1), Duration.ofNanos(lagMicros * 1000), late);
  }

  private static void path(
      List<Measurement> out,
      int round,
      String plane,
      int hops,
      long openMicros,
      long closedOk,
      long lagMicros,
      double load) {
    path(
        out,
        round,
        plane,
        hops,
        openMicros,
        closedOk,
        result(OPEN, openMicros, lagMicros, 1000),
        load);
  }

  /** A path's closed loop ({@code closedOk} answers) and its open loop, {@code open}. */
  private static void path(
      List<Measurement> out,
      int round,
      String plane,
      int hops,
      long openMicros,
      long closedOk,
      LoadResult open,
      double load) {
    List<Measurement.ProxyCost> costs =
        hops == 0 ? List.of() : List.of(new Measurement.ProxyCost("server", 42, 0.5, 64L << 20));
    out.add(
        new Measurement(
            round,
            plane,
            hops,
            HttpProtocol.HTTP_1_1,
            LoadPhase.Kind.CLOSED_LOOP,
            Optional.of(result(CLOSED, openMicros, 0, closedOk)),
            costs,
            1,
            load,
            ""));
    out.add(
        new Measurement(
            round,
            plane,
            hops,
            HttpProtocol.HTTP_1_1,
            LoadPhase.Kind.OPEN_LOOP,
            Optional.of(open),
            costs,
            1,
            load,
            ""));
  }

  private static BenchmarkReport report(List<Measurement> m) {
    return new BenchmarkReport(
        new BenchmarkReport.Settings(
            1000,
            Duration.ofSeconds(3),
            Duration.ofSeconds(10),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            16,
            1024,
            "-Xmx256m",
            "--rounds=3"),
        m,
        List.of(HttpProtocol.HTTP_1_1),
        List.of("embedded", "envoy"),
        Duration.ofMinutes(5),
        2);
  }

  @Test
  void eachFigureIsTheMedianOverRoundsWithItsSpreadAndRatiosAreTakenWithinARound() {
    List<Measurement> m = new ArrayList<>();
    // Round 2 is slow for everyone (outside load): the within-round ratio stays 0.25.
    long[] direct = {100, 300, 110};
    for (int round = 1; round <= 3; round++) {
      long d = direct[round - 1];
      path(m, round, "direct", 0, d, 10_000, 10, 0.5);
      path(m, round, "embedded", 1, d + 50 * (d / 100), 6_000, 10, 0.5);
      path(m, round, "envoy", 1, d + 200 * (d / 100), 4_000, 10, 0.5);
    }

    String md = report(m).markdown();

    assertThat(md)
        .contains("3 round(s)")
        .contains("Direct (no proxy): p50 110 [100–300] µs")
        // Added p90 on 1 hop, ours: 50, 150, 50 -> median 50 [50-150]; Envoy 200 [200-600].
        .contains("| added p90 @ 1000 rps (µs) | 50 [50–150] | 200 [200–600] |")
        .contains("| max throughput, % of direct | 60 [60–60] % | 40 [40–40] % |")
        .contains("| added p90 | 0.25 [0.25–0.25] |")
        .contains("| max throughput | 1.50 [1.50–1.50] |")
        .contains("0 of 9 open-loop phases are flagged")
        .doesNotContain("†\u00a0");
    assertThat(md).doesNotContain("150 [50–150] †");
  }

  @Test
  void aPhaseWithPacerLagOrALoadAboveTheCpusIsFlaggedAndItsTailMarked() {
    List<Measurement> m = new ArrayList<>();
    path(m, 1, "direct", 0, 100, 10_000, 10, 0.5);
    path(m, 1, "embedded", 1, 150, 6_000, 5_000, 0.5); // the pacer fell 5 ms behind
    path(m, 1, "envoy", 1, 300, 4_000, 10, 3.5); // load 3.5 on 2 CPUs
    BenchmarkReport report = report(m);

    assertThat(m.stream().filter(report::unreliable).map(Measurement::dataPlane))
        .containsExactlyInAnyOrder("embedded", "envoy");
    String md = report.markdown();
    assertThat(md)
        .contains("2 of 3 open-loop phases are flagged")
        .contains("| added p99 @ 1000 rps (µs) | 50 † | 200 † |")
        .contains("| added p90 @ 1000 rps (µs) | 50 | 200 |");
  }

  /**
   * One pacer stall that made a few sends late (under 0.1 % of the phase) leaves the phase's p99
   * between the system's p99 and p99.1: not flagged, though the pacer's largest lag was 30 ms.
   */
  @Test
  void oneStallWithFewLateSendsIsNotFlagged() {
    List<Measurement> m = new ArrayList<>();
    path(m, 1, "direct", 0, 100, 10_000, 10, 0.5);
    BenchmarkReport report = report(m);

    assertThat(report.unreliable(openLoopWithLateSends(14))).isFalse();
    assertThat(report.unreliable(openLoopWithLateSends(16)))
        .as("16 late sends of 15,000: over 0.1 %")
        .isTrue();
  }

  /** A 15,000-request open-loop phase whose pacer stalled 30 ms once, {@code late} sends late. */
  private static Measurement openLoopWithLateSends(long late) {
    Histogram h = new Histogram(3);
    h.recordValueWithCount(150, 15_000);
    return new Measurement(
        1,
        "embedded",
        1,
        HttpProtocol.HTTP_1_1,
        LoadPhase.Kind.OPEN_LOOP,
        Optional.of(
            new LoadResult(
                OPEN,
                h,
                15_000,
                15_000,
                0,
                0,
                0,
                Duration.ofSeconds(15),
                Duration.ofMillis(30),
                late)),
        List.of(),
        1,
        0.5,
        "");
  }

  /**
   * A phase that sent more than 1 % of its requests late has the pacer's p90, not the proxy's: its
   * p90 figures are marked, and a ratio of ours to Envoy's is taken only in the rounds whose phases
   * are all reliable for the percentile (round 2's direct phase is not: its "added" figures are
   * negative, and their ratio would be a positive number about nothing).
   */
  @Test
  void aPhaseWithMoreThanOnePercentLateHasItsP90MarkedAndLeftOutOfTheRatios() {
    List<Measurement> m = new ArrayList<>();
    for (int round = 1; round <= 3; round++) {
      boolean starved = round == 2;
      openPath(m, round, "direct", 0, starved ? 1_000 : 100, starved ? 200 : 0);
      openPath(m, round, "embedded", 1, 150, 0);
      openPath(m, round, "envoy", 1, 300, 0);
    }
    BenchmarkReport report = report(m);

    assertThat(m.stream().filter(x -> report.unreliable(x, 90)).map(Measurement::round))
        .containsExactly(2);
    String md = report.markdown();
    assertThat(md)
        .contains("| added p90 @ 1000 rps (µs) | 50 [-850–50] † | 200 [-700–200] † | - | - |")
        // Rounds 1 and 3 only: 50 / 200 in each.
        .contains("| added p90 | 0.25 [0.25–0.25] (2 of 3 rounds) |")
        .contains("| added p99 | 0.25 [0.25–0.25] (2 of 3 rounds) |")
        .contains(" - (no round with every phase reliable) |");
  }

  /** 10 late sends of 1,000 (1 %) leave the p90 reliable, 11 do not; 51 make the p50 unreliable. */
  @Test
  void theLateShareAPercentileToleratesIsATenthOfTheRequestsAboveIt() {
    BenchmarkReport report = report(List.of());
    List<Measurement> m = new ArrayList<>();
    openPath(m, 1, "embedded", 1, 150, 10);
    openPath(m, 1, "embedded", 1, 150, 11);
    openPath(m, 1, "embedded", 1, 150, 50);
    openPath(m, 1, "embedded", 1, 150, 51);
    List<Measurement> open = m.stream().filter(x -> x.kind() == LoadPhase.Kind.OPEN_LOOP).toList();

    assertThat(BenchmarkReport.maxLateShare(99)).isEqualTo(BenchmarkReport.MAX_LATE_SHARE);
    assertThat(open.stream().map(x -> report.unreliable(x, 90)))
        .containsExactly(false, true, true, true);
    assertThat(open.stream().map(x -> report.unreliable(x, 50)))
        .containsExactly(false, false, false, true);
  }

  /** A path's closed loop and its 1,000-request open loop, {@code late} of them sent late. */
  private static void openPath(
      List<Measurement> out, int round, String plane, int hops, long micros, long late) {
    path(
        out,
        round,
        plane,
        hops,
        micros,
        10_000,
        result(OPEN, micros, late > 0 ? 30_000 : 0, 1000, late),
        0.5);
  }

  @Test
  void spreadIsTheMedianWithMinAndMax() {
    assertThat(BenchmarkReport.spread(new double[] {3, 1, 2}, "%.0f")).isEqualTo("2 [1–3]");
    assertThat(BenchmarkReport.spread(new double[] {1, 4}, "%.1f")).isEqualTo("2.5 [1.0–4.0]");
    assertThat(BenchmarkReport.spread(new double[] {7}, "%.0f")).isEqualTo("7");
    assertThat(BenchmarkReport.spread(new double[] {}, "%.0f")).isEqualTo("-");
  }
}
