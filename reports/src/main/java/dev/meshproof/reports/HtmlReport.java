package dev.meshproof.reports;

import static dev.meshproof.reports.Html.escape;
import static dev.meshproof.reports.Html.millis;

import dev.meshproof.scenario.result.DistributionRow;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.FailedRequest;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.result.TrafficSummary;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The human-readable report: one self-contained HTML file (inline CSS and SVG, no script, no
 * external resource) with a header, a feature × target matrix and one section per test holding
 * every target's evidence.
 *
 * <p>Links: spec references and the implementation URL are rendered as ordinary {@code <a href>}
 * links the reader may follow; nothing is ever loaded from them. The only other links are in-page
 * anchors and relative links to attachment files.
 */
final class HtmlReport {

  /** Attachments larger than this are cut in the HTML; the separate file has them whole. */
  static final int MAX_INLINE_ATTACHMENT_CHARS = 256 * 1024;

  private static final String CSS =
      """
      :root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg2:#f6f8fa;\
      --pass:#116329;--pass-bg:#dafbe1;--fail:#a40e26;--fail-bg:#ffebe9;\
      --skip:#4d5761;--skip-bg:#eaeef2}
      *{box-sizing:border-box}
      body{margin:0;color:var(--fg);background:#fff;font:14px/1.45 system-ui,-apple-system,\
      "Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
      header.page,main,footer{max-width:1120px;margin:0 auto;padding:0 24px}
      header.page{padding-top:20px;padding-bottom:8px;border-bottom:1px solid var(--line)}
      h1{font-size:22px;margin:0 0 8px}
      h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
      h3{font-size:16px;margin:0 0 6px}
      h4{font-size:14px;margin:14px 0 6px}
      h5{font-size:13px;margin:12px 0 4px}
      a{color:#0550ae}
      code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
      pre{background:var(--bg2);border:1px solid var(--line);border-radius:4px;padding:8px;\
      margin:6px 0;overflow:auto;white-space:pre-wrap;word-break:break-word}
      pre.failure{background:var(--fail-bg);border-color:#ff8182;color:#5c0011}
      pre.reason{background:var(--skip-bg);border-color:#afb8c1}
      dl.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));\
      gap:2px 20px;margin:8px 0}
      dl.meta div{display:flex;gap:6px}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
      dl.meta dt::after{content:":"}
      .totals{margin:10px 0 12px;font-size:15px}
      table{border-collapse:collapse;margin:6px 0 10px}
      th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
      thead th{background:var(--bg2)}
      td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
      caption{text-align:left;color:var(--muted);padding:2px 0;caption-side:top}
      .badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;\
      font-weight:600;letter-spacing:.02em;border:1px solid transparent}
      .passed{color:var(--pass);background:var(--pass-bg);border-color:#4ac26b}
      .failed{color:var(--fail);background:var(--fail-bg);border-color:#ff8182}
      .skipped{color:var(--skip);background:var(--skip-bg);border-color:#afb8c1}
      td.passed,td.failed,td.skipped{font-weight:600}
      td small{font-weight:400}
      article.test{border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin:14px 0}
      article.test>p{margin:4px 0}
      .facts{color:var(--muted)}
      section.run{border-top:1px dashed var(--line);margin-top:12px}
      .expectation{margin:8px 0 8px 12px;padding-left:10px;border-left:3px solid var(--line)}
      .expectation.failed-exp{border-left-color:#ff8182}
      .expectation p{margin:2px 0}
      .figures{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:flex-start}
      svg.chart{max-width:100%;height:auto}
      svg .label,svg .value,svg .legend{font-size:12px;fill:#1f2328}
      svg .tick{font-size:10px;fill:#57606a}
      details{margin:4px 0}summary{cursor:pointer}
      footer{color:var(--muted);padding:16px 24px 32px}
      @media print{details{display:block}details>pre{display:block}}
      """;

  private final ConformanceReport report;
  private final AttachmentLayout attachments;
  private final StringBuilder out = new StringBuilder(64 * 1024);
  private int chartCount;

  private HtmlReport(ConformanceReport report, AttachmentLayout attachments) {
    this.report = report;
    this.attachments = attachments;
  }

  static String render(ConformanceReport report, AttachmentLayout attachments) {
    return new HtmlReport(report, attachments).render();
  }

  private String render() {
    Implementation impl = report.implementation();
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta name=\"generator\" content=\"Meshproof ")
        .append(escape(report.meshproofVersion()))
        .append("\">\n<title>Conformance report: ")
        .append(escape(impl.project()))
        .append(' ')
        .append(escape(impl.version()))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n");
    header();
    out.append("<main>\n");
    summary();
    matrix();
    tests();
    out.append("</main>\n<footer>Generated by Meshproof ")
        .append(escape(report.meshproofVersion()))
        .append(". Replay any run on its target with the seed shown, e.g. <code>mvn verify ")
        .append("-Dmeshproof.seed=&lt;seed&gt;</code>.</footer>\n</body>\n</html>\n");
    return out.toString();
  }

  private void header() {
    Implementation impl = report.implementation();
    Statistics totals = report.statistics();
    out.append("<header class=\"page\">\n<h1>Conformance report: ")
        .append(escape(impl.project()))
        .append(' ')
        .append(escape(impl.version()))
        .append("</h1>\n<dl class=\"meta\">\n");
    meta("Organization", escape(impl.organization()));
    meta("Implementation", escape(impl.project()) + " " + escape(impl.version()));
    meta("Istio version emulated", escape(report.istioVersion()));
    meta("Meshproof", escape(report.meshproofVersion()));
    String date = ReportDocument.iso(report.date());
    meta("Date", "<time datetime=\"" + escape(date) + "\">" + escape(date) + "</time>");
    meta("Profile", escape(report.conformanceProfile()) + " (mode " + escape(report.mode()) + ")");
    impl.url().ifPresent(u -> meta("URL", link(u.toString())));
    if (!impl.contact().isEmpty()) {
      meta("Contact", escape(String.join(", ", impl.contact())));
    }
    out.append("</dl>\n<p class=\"totals\"><strong>")
        .append(totals.total())
        .append(totals.total() == 1 ? " test" : " tests")
        .append(":</strong> ")
        .append(badge(Status.PASSED, totals.passed() + " passed"))
        .append(' ')
        .append(badge(Status.FAILED, totals.failed() + " failed"))
        .append(' ')
        .append(badge(Status.SKIPPED, totals.skipped() + " skipped"))
        .append(" \u2014 overall result <strong>")
        .append(totals.result())
        .append("</strong></p>\n</header>\n");
  }

  private void meta(String term, String html) {
    out.append("<div><dt>").append(term).append("</dt><dd>").append(html).append("</dd></div>\n");
  }

  private void summary() {
    out.append("<section aria-labelledby=\"summary\">\n<h2 id=\"summary\">Summary</h2>\n")
        .append("<table>\n<caption>Runs per target and support level; a test counts as failed")
        .append(" when any target failed it.</caption>\n<thead><tr><th scope=\"col\">Target</th>")
        .append("<th scope=\"col\">Level</th><th scope=\"col\" class=\"num\">Passed</th>")
        .append("<th scope=\"col\" class=\"num\">Failed</th>")
        .append("<th scope=\"col\" class=\"num\">Skipped</th><th scope=\"col\">Result</th>")
        .append("<th scope=\"col\">Supported features</th></tr></thead>\n<tbody>\n");
    for (String target : report.targets()) {
      summaryRow(
          escape(target), "all", report.statistics(target), report.supportedFeatures(target));
      for (SupportLevel level : SupportLevel.values()) {
        if (!report.tests(level).isEmpty()) {
          summaryRow("", level.id(), report.statistics(target, level), null);
        }
      }
    }
    summaryRow(
        "<em>all targets (per test)</em>", "all", report.statistics(), report.supportedFeatures());
    out.append("</tbody>\n</table>\n</section>\n");
  }

  private void summaryRow(
      String targetHtml, String level, Statistics stats, List<String> supported) {
    out.append("<tr><th scope=\"row\">")
        .append(targetHtml)
        .append("</th><td>")
        .append(level)
        .append("</td><td class=\"num\">")
        .append(stats.passed())
        .append("</td><td class=\"num\">")
        .append(stats.failed())
        .append("</td><td class=\"num\">")
        .append(stats.skipped())
        .append("</td><td>")
        .append(stats.result())
        .append("</td><td>")
        .append(supported == null ? "" : escape(String.join(", ", supported)))
        .append("</td></tr>\n");
  }

  private void matrix() {
    List<String> targets = report.targets();
    out.append("<section aria-labelledby=\"matrix\">\n<h2 id=\"matrix\">Feature matrix</h2>\n")
        .append("<table class=\"matrix\">\n<caption>Each cell: the feature's verdict on the")
        .append(" target and how many of its tests passed there.</caption>\n<thead><tr>")
        .append("<th scope=\"col\">Feature</th><th scope=\"col\">Level</th>");
    for (String target : targets) {
      out.append("<th scope=\"col\">").append(escape(target)).append("</th>");
    }
    out.append("</tr></thead>\n<tbody>\n");
    for (String feature : report.features()) {
      List<ConformanceTestResult> tests = report.tests(feature);
      String levels =
          tests.stream()
              .map(t -> t.supportLevel().id())
              .distinct()
              .collect(Collectors.joining(", "));
      out.append("<tr><th scope=\"row\"><a href=\"#")
          .append(anchor(tests.get(0)))
          .append("\">")
          .append(escape(feature))
          .append("</a></th><td>")
          .append(levels)
          .append("</td>");
      for (String target : targets) {
        Status status = report.featureStatus(feature, target);
        Statistics stats = report.featureStatistics(feature, target);
        out.append("<td class=\"").append(cssClass(status)).append("\">").append(label(status));
        if (stats.total() == 0) {
          out.append(" <small>(not run)</small>");
        } else {
          out.append(" <small>")
              .append(stats.passed())
              .append('/')
              .append(stats.total())
              .append(" passed</small>");
        }
        out.append("</td>");
      }
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table>\n</section>\n");
  }

  private void tests() {
    out.append("<section aria-labelledby=\"tests\">\n<h2 id=\"tests\">Tests</h2>\n");
    for (ConformanceTestResult test : report.tests()) {
      test(test);
    }
    out.append("</section>\n");
  }

  private void test(ConformanceTestResult test) {
    out.append("<article class=\"test\" id=\"")
        .append(anchor(test))
        .append("\" aria-labelledby=\"")
        .append(anchor(test))
        .append("-h\">\n<h3 id=\"")
        .append(anchor(test))
        .append("-h\">")
        .append(badge(test.result(), label(test.result())))
        .append(' ')
        .append(escape(test.id()))
        .append("</h3>\n<p class=\"facts\">Feature <strong>")
        .append(escape(test.feature()))
        .append("</strong> \u00b7 ")
        .append(test.supportLevel().id())
        .append(" \u00b7 spec: ")
        .append(link(test.specReference().toString()))
        .append("</p>\n<p>")
        .append(escape(test.description()))
        .append("</p>\n");
    for (ScenarioResult result : test.results()) {
      run(test, result);
    }
    if (!test.comparisons().isEmpty()) {
      out.append("<section class=\"run\">\n<h4>Across targets</h4>\n");
      test.comparisons().forEach(this::expectation);
      out.append("</section>\n");
    }
    out.append("</article>\n");
  }

  private void run(ConformanceTestResult test, ScenarioResult result) {
    out.append("<section class=\"run\">\n<h4>")
        .append(escape(result.target()))
        .append(": ")
        .append(badge(result.status(), label(result.status())))
        .append("</h4>\n<dl class=\"meta\">\n");
    if (result.scenario() != null) {
      meta("Scenario", escape(result.scenario()));
    }
    meta("Seed", "<code>" + result.seed() + "</code>");
    meta("Replay", "<code>" + escape(ReportDocument.replayHint(result.seed())) + "</code>");
    if (result.duration() != null) {
      meta("Duration", result.duration().toMillis() + " ms");
    }
    if (result.started() != null) {
      String started = ReportDocument.iso(result.started());
      meta("Started", "<time datetime=\"" + started + "\">" + started + "</time>");
    }
    out.append("</dl>\n");
    ReportDocument.failure(result)
        .ifPresent(
            f ->
                out.append("<p><strong>")
                    .append(result.status() == Status.SKIPPED ? "Skipped because" : "Failure")
                    .append(":</strong></p>\n<pre class=\"")
                    .append(result.status() == Status.SKIPPED ? "reason" : "failure")
                    .append("\">")
                    .append(escape(f))
                    .append("</pre>\n"));
    if (result.traffic() != null && result.traffic().sent() > 0) {
      traffic(result.traffic());
    }
    if (!result.expectations().isEmpty()) {
      out.append("<h5>Expectations</h5>\n");
      for (ExpectationResult e : result.expectations()) {
        expectation(e);
      }
    }
    failedRequests(result);
    attachments(test, result);
    out.append("</section>\n");
  }

  private void traffic(TrafficSummary t) {
    out.append("<div class=\"figures\">\n<table>\n<caption>Traffic</caption>\n<thead><tr>");
    for (String h :
        List.of(
            "Sent",
            "Responses",
            "Connect failures",
            "Resets",
            "Timeouts",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms")) {
      out.append("<th scope=\"col\" class=\"num\">").append(h).append("</th>");
    }
    out.append("</tr></thead>\n<tbody><tr>");
    for (String v :
        List.of(
            Long.toString(t.sent()),
            Long.toString(t.responses()),
            Long.toString(t.connectFailures()),
            Long.toString(t.resets()),
            Long.toString(t.timeouts()),
            Html.millis(t.p50Millis()),
            Html.millis(t.p90Millis()),
            Html.millis(t.p99Millis()),
            Html.millis(t.maxMillis()))) {
      out.append("<td class=\"num\">").append(v).append("</td>");
    }
    out.append("</tr></tbody>\n</table>\n");
    Map<Integer, Long> statuses = ReportDocument.sortedStatusCounts(t);
    if (!statuses.isEmpty()) {
      out.append("<table>\n<caption>HTTP status</caption>\n<thead><tr>")
          .append("<th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">Responses</th>")
          .append("<th scope=\"col\" class=\"num\">Share</th></tr></thead>\n<tbody>\n");
      statuses.forEach(
          (code, count) ->
              out.append("<tr><th scope=\"row\">")
                  .append(code)
                  .append("</th><td class=\"num\">")
                  .append(count)
                  .append("</td><td class=\"num\">")
                  .append(
                      Html.percent(
                          t.responses() == 0 ? Double.NaN : (double) count / t.responses()))
                  .append("</td></tr>\n"));
      out.append("</tbody>\n</table>\n");
    }
    out.append("</div>\n");
  }

  private void expectation(ExpectationResult e) {
    Status verdict = e.passed() ? Status.PASSED : Status.FAILED;
    out.append("<div class=\"expectation")
        .append(e.passed() ? "" : " failed-exp")
        .append("\">\n<p>")
        .append(badge(verdict, label(verdict)))
        .append(" <strong>")
        .append(escape(e.description()))
        .append("</strong></p>\n");
    if (e.message() != null && !e.message().isEmpty()) {
      out.append("<p>").append(escape(e.message())).append("</p>\n");
    }
    out.append("<div class=\"figures\">\n");
    if (!e.statistics().isEmpty()) {
      out.append("<table>\n<caption>Statistics</caption>\n<tbody>\n");
      e.statistics()
          .forEach(
              (k, v) ->
                  out.append("<tr><th scope=\"row\">")
                      .append(escape(k))
                      .append("</th><td>")
                      .append(escape(v))
                      .append("</td></tr>\n"));
      out.append("</tbody>\n</table>\n");
    }
    if (!e.distribution().isEmpty()) {
      distribution(e);
    }
    out.append("</div>\n</div>\n");
  }

  private void distribution(ExpectationResult e) {
    List<DistributionRow> rows = e.distribution();
    out.append("<table>\n<caption>Observed against expected</caption>\n<thead><tr>")
        .append("<th scope=\"col\">Category</th><th scope=\"col\" class=\"num\">Observed</th>")
        .append("<th scope=\"col\" class=\"num\">Observed %</th>")
        .append("<th scope=\"col\" class=\"num\">Expected %</th>")
        .append("<th scope=\"col\" class=\"num\">Expected count</th></tr></thead>\n<tbody>\n");
    for (DistributionRow row : rows) {
      out.append("<tr><th scope=\"row\">")
          .append(escape(row.category()))
          .append("</th><td class=\"num\">")
          .append(row.observed())
          .append("</td><td class=\"num\">")
          .append(Html.percent(row.observedFraction()))
          .append("</td><td class=\"num\">")
          .append(Html.percent(row.expectedFraction()))
          .append("</td><td class=\"num\">")
          .append(Html.decimal(row.expectedCount()))
          .append("</td></tr>\n");
    }
    out.append("</tbody>\n</table>\n");
    String id = "chart" + (++chartCount);
    out.append(
            DistributionChart.svg(
                "Observed against expected share per category: " + e.description(), rows, id))
        .append('\n');
  }

  /** The first failed requests, so a failed expectation can be traced to what the mesh did. */
  private void failedRequests(ScenarioResult result) {
    if (result.failedRequests().isEmpty()) {
      return;
    }
    out.append("<h5>First failed requests</h5>\n<table>\n<thead><tr>")
        .append("<th scope=\"col\">#</th><th scope=\"col\">Traffic</th><th scope=\"col\">URL</th>")
        .append("<th scope=\"col\">Outcome</th><th scope=\"col\">Status</th>")
        .append(
            "<th scope=\"col\">Served by</th><th scope=\"col\">ms</th><th scope=\"col\">Detail</th>")
        .append("<th scope=\"col\">Proxy access log</th>")
        .append("</tr></thead>\n<tbody>\n");
    for (FailedRequest r : result.failedRequests()) {
      out.append("<tr><td>")
          .append(r.index())
          .append("</td><td>")
          .append(escape(r.traffic()))
          .append("</td><td>")
          .append(escape(r.url()))
          .append("</td><td>")
          .append(escape(r.outcome()))
          .append("</td><td>")
          .append(r.status() > 0 ? String.valueOf(r.status()) : "-")
          .append("</td><td>")
          .append(r.servedBy().isEmpty() ? "-" : escape(r.servedBy()))
          .append("</td><td>")
          .append(millis(r.latencyMillis()))
          .append("</td><td><code>")
          .append(escape(r.detail()))
          .append("</code></td><td><code>")
          .append(r.proxy().map(p -> escape(p.toString())).orElse("-"))
          .append("</code></td></tr>\n");
    }
    out.append("</tbody>\n</table>\n");
  }

  private void attachments(ConformanceTestResult test, ScenarioResult result) {
    List<AttachmentLayout.Entry> entries = attachments.entries(test.id(), result.target());
    if (entries.isEmpty()) {
      return;
    }
    out.append("<h5>Attachments</h5>\n");
    for (AttachmentLayout.Entry a : entries) {
      String content = a.content();
      long size = content.getBytes(StandardCharsets.UTF_8).length;
      boolean cut = content.length() > MAX_INLINE_ATTACHMENT_CHARS;
      out.append("<details>\n<summary>")
          .append(escape(a.name()))
          .append(" (")
          .append(Html.bytes(size))
          .append(") \u2014 <a href=\"")
          .append(escape(a.relativePath()))
          .append("\">")
          .append(escape(a.relativePath()))
          .append("</a></summary>\n<pre>")
          .append(escape(cut ? content.substring(0, MAX_INLINE_ATTACHMENT_CHARS) : content))
          .append("</pre>\n");
      if (cut) {
        out.append("<p>Cut at ")
            .append(MAX_INLINE_ATTACHMENT_CHARS / 1024)
            .append(" KiB; the file above holds all of it.</p>\n");
      }
      out.append("</details>\n");
    }
  }

  private static String anchor(ConformanceTestResult test) {
    // Test ids are restricted to [A-Za-z0-9._-], which is already a valid fragment.
    return "test-" + test.id();
  }

  private static String link(String url) {
    return "<a href=\"" + escape(url) + "\" rel=\"noopener noreferrer\">" + escape(url) + "</a>";
  }

  private static String badge(Status status, String text) {
    return "<span class=\"badge " + cssClass(status) + "\">" + text + "</span>";
  }

  private static String cssClass(Status status) {
    return status.name().toLowerCase(Locale.ROOT);
  }

  private static String label(Status status) {
    return status.name();
  }
}
