package dev.meshproof.reports;

import static dev.meshproof.reports.Html.escape;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.FailedRequest;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.traffic.IstioMetricsTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The human-readable report: one self-contained HTML file (inline CSS, SVG and one inline script,
 * no external resource, enforced by a Content-Security-Policy) with a header, the failures at a
 * glance, the verdicts changed since the previous run, filters (feature, result, target, free text;
 * also read from the URL's query, e.g. {@code report.html?result=failed&target=envoy}), a feature ×
 * target matrix and one section per test holding every target's evidence, drawn by the {@link
 * EvidenceRenderer}s, and the targets' differences side by side.
 *
 * <p>Colour is never the only signal: every verdict is also written, error bars are hatched and a
 * difference across targets is marked with "≠". Keyboard: the filters are ordinary form controls;
 * {@code /} focuses the search box and {@code f} moves to the next visible failed test.
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
      [hidden]{display:none!important}
      form.filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center}
      form.filters select,form.filters input{font:inherit;padding:2px 4px}
      :focus-visible{outline:3px solid #0969da;outline-offset:2px}
      section.failures{border:2px solid #ff8182;border-radius:6px;padding:4px 16px 8px;      margin-top:16px;background:#fff8f7}
      section.failures h2{border:0;margin-top:8px}
      table.diff tr.differs td,table.diff tr.differs th{background:#fff8c5;font-weight:600}
      ol.requests{padding-left:20px}ol.requests li{margin:6px 0}
      ol.requests dl.meta{grid-template-columns:repeat(auto-fill,minmax(320px,1fr))}
      table.attempts tr.error td{background:var(--fail-bg)}
      svg .fault{fill:#bf8700;fill-opacity:.18;stroke:#9a6700;stroke-dasharray:4 3}
      svg .axis{stroke:#8c959f}svg .p50{stroke:#0969da;fill:none;stroke-width:2}
      svg .p99{stroke:#8250df;fill:none;stroke-width:2;stroke-dasharray:6 3}
      ul.findings{padding-left:20px}ul.findings li{margin:2px 0}
      figure{margin:4px 0}figcaption{color:var(--muted);font-size:12px}
      dl.meta dd{min-width:0;overflow-wrap:anywhere}
      kbd{border:1px solid var(--line);border-radius:3px;padding:0 4px;background:var(--bg2)}
      @media print{details{display:block}details>pre{display:block}}
      """;

  /**
   * Filters tests and matrix rows; reads and writes the filters in the URL's query; {@code /}
   * focuses the search, {@code f} jumps to the next visible failed test. Its hash is in the page's
   * Content-Security-Policy, so no other script can run.
   */
  static final String SCRIPT =
      """
      (function () {
        var form = document.getElementById('filters');
        var tests = Array.prototype.slice.call(document.querySelectorAll('article.test'));
        var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-feature]'));
        var shown = document.getElementById('shown');
        var text = tests.map(function (a) { return a.textContent.toLowerCase(); });
        var params = new URLSearchParams(window.location.search);
        ['feature', 'result', 'target', 'q'].forEach(function (name) {
          if (params.has(name)) { form.elements[name].value = params.get(name); }
        });
        function matches(a, i) {
          var f = form.elements.feature.value, r = form.elements.result.value;
          var t = form.elements.target.value, q = form.elements.q.value.trim().toLowerCase();
          var runs = ' ' + a.getAttribute('data-runs') + ' ';
          if (f && a.getAttribute('data-feature') !== f) { return false; }
          if (t && r && runs.indexOf(' ' + t + ':' + r + ' ') < 0) { return false; }
          if (t && !r && runs.indexOf(' ' + t + ':') < 0) { return false; }
          if (!t && r && a.getAttribute('data-result') !== r) { return false; }
          return !q || text[i].indexOf(q) >= 0;
        }
        function apply() {
          var visible = {}, count = 0;
          tests.forEach(function (a, i) {
            var ok = matches(a, i);
            a.hidden = !ok;
            if (ok) { count++; visible[a.getAttribute('data-feature')] = true; }
          });
          rows.forEach(function (row) { row.hidden = !visible[row.getAttribute('data-feature')]; });
          shown.textContent = count + ' of ' + tests.length + ' tests shown';
        }
        function remember() {
          var next = new URLSearchParams();
          ['feature', 'result', 'target', 'q'].forEach(function (name) {
            if (form.elements[name].value) { next.set(name, form.elements[name].value); }
          });
          var query = next.toString();
          history.replaceState(null, '', query ? '?' + query : window.location.pathname);
        }
        form.addEventListener('input', function () { apply(); remember(); });
        form.addEventListener('submit', function (e) { e.preventDefault(); });
        document.addEventListener('keydown', function (e) {
          var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName);
          if (typing || e.ctrlKey || e.metaKey || e.altKey) { return; }
          if (e.key === '/') { e.preventDefault(); form.elements.q.focus(); }
          if (e.key === 'f') {
            var failed = tests.filter(function (a) {
              return !a.hidden && a.getAttribute('data-result') === 'failed';
            });
            if (failed.length === 0) { return; }
            var next = failed.find(function (a) { return a.getBoundingClientRect().top > 1; });
            var target = next || failed[0];
            target.scrollIntoView();
            target.querySelector('h3').focus();
          }
        });
        apply();
      })();
      """;

  private static final String CSP =
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src '"
          + sha256(SCRIPT)
          + "'";

  private final ConformanceReport report;
  private final AttachmentLayout attachments;
  private final Optional<RunHistory> history;
  private final List<EvidenceRenderer> renderers = EvidenceRenderers.all();
  private final EvidenceHtml drawing = new EvidenceHtml();
  private final StringBuilder out = new StringBuilder(64 * 1024);

  private HtmlReport(
      ConformanceReport report, AttachmentLayout attachments, Optional<RunHistory> history) {
    this.report = report;
    this.attachments = attachments;
    this.history = history;
  }

  static String render(
      ConformanceReport report, AttachmentLayout attachments, Optional<RunHistory> history) {
    return new HtmlReport(report, attachments, history).render();
  }

  private static String sha256(String script) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256.
      throw new IllegalStateException("no SHA-256 on this Java platform", e);
    }
  }

  private String render() {
    Implementation impl = report.implementation();
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .append(CSP)
        .append("\">\n")
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
    failures();
    changes();
    filters();
    summary();
    matrix();
    tests();
    out.append("</main>\n<footer>Generated by Meshproof ")
        .append(escape(report.meshproofVersion()))
        .append(". Replay any run on its target with the seed shown, e.g. <code>mvn verify ")
        .append("-Dmeshproof.seed=&lt;seed&gt;</code>.</footer>\n<script>")
        .append(SCRIPT)
        .append("</script>\n</body>\n</html>\n");
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
    String date = GatewayReportDocument.rfc3339(report.date());
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
      out.append("<tr data-feature=\"")
          .append(escape(feature))
          .append("\"><th scope=\"row\"><a href=\"#")
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
    String runs =
        test.results().stream()
            .map(r -> r.target() + ":" + ReportDocument.status(r.status()))
            .collect(Collectors.joining(" "));
    out.append("<article class=\"test\" id=\"")
        .append(anchor(test))
        .append("\" data-feature=\"")
        .append(escape(test.feature()))
        .append("\" data-result=\"")
        .append(ReportDocument.status(test.result()))
        .append("\" data-runs=\"")
        .append(escape(runs))
        .append("\" aria-labelledby=\"")
        .append(anchor(test))
        .append("-h\">\n<h3 tabindex=\"-1\" id=\"")
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
    differences(test);
    if (!test.comparisons().isEmpty()) {
      out.append("<section class=\"run\">\n<h4>Across targets</h4>\n");
      test.comparisons().forEach(this::expectation);
      out.append("</section>\n");
    }
    out.append("</article>\n");
  }

  /**
   * One run's evidence as a page of its own (expectations, charts, failed requests explained), for
   * tools that attach evidence per test, such as Allure.
   */
  static String runPage(ScenarioResult result) {
    HtmlReport page = new HtmlReport(null, null, Optional.empty());
    page.out
        .append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>")
        .append(escape(result.scenario() + " on " + result.target()))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n<main>\n");
    page.runBody(result);
    page.out.append("</section>\n</main>\n</body>\n</html>\n");
    return page.out.toString();
  }

  private void run(ConformanceTestResult test, ScenarioResult result) {
    runBody(result);
    attachments(test, result);
    out.append("</section>\n");
  }

  /** Opens the run's section and writes everything but its attachments. */
  private void runBody(ScenarioResult result) {
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
    if (!result.expectations().isEmpty()) {
      out.append("<h5>Expectations</h5>\n");
      for (ExpectationResult e : result.expectations()) {
        expectation(e);
      }
    }
    for (EvidenceRenderer renderer : renderers) {
      out.append(renderer.drawRun(result, drawing));
    }
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
    for (EvidenceRenderer renderer : renderers) {
      out.append(renderer.drawExpectation(e, drawing));
    }
    out.append("</div>\n</div>\n");
  }

  /** Every failed test in a few lines, linked to its evidence: the first screen says why. */
  private void failures() {
    List<ConformanceTestResult> failed =
        report.tests().stream().filter(t -> t.result() == Status.FAILED).toList();
    if (failed.isEmpty()) {
      return;
    }
    out.append("<section aria-labelledby=\"failures\" class=\"failures\">\n")
        .append("<h2 id=\"failures\">Why tests failed</h2>\n<ul>\n");
    for (ConformanceTestResult test : failed) {
      out.append("<li>")
          .append(badge(Status.FAILED, label(Status.FAILED)))
          .append(" <a href=\"#")
          .append(anchor(test))
          .append("\"><strong>")
          .append(escape(test.id()))
          .append("</strong></a> (")
          .append(escape(test.feature()))
          .append(")\n<ul>\n");
      for (ScenarioResult run : test.results()) {
        if (run.status() != Status.FAILED) {
          continue;
        }
        List<ExpectationResult> wrong =
            run.expectations().stream().filter(e -> !e.passed()).toList();
        for (ExpectationResult e : wrong) {
          out.append("<li><strong>")
              .append(escape(run.target()))
              .append("</strong>: ")
              .append(escape(e.description()))
              .append(" \u2014 ")
              .append(escape(e.message()))
              .append("</li>\n");
        }
        if (!run.failedRequests().isEmpty()) {
          FailedRequest r = run.failedRequests().get(0);
          out.append("<li><strong>")
              .append(escape(run.target()))
              .append("</strong>: first failed request #")
              .append(r.index())
              .append(" ended ")
              .append(r.status() > 0 ? r.status() + " " : "")
              .append(escape(r.outcome()))
              .append(
                  r.proxy()
                      .map(
                          p ->
                              "; client sidecar: route <code>"
                                  + escape(p.route())
                                  + "</code>, cluster <code>"
                                  + escape(p.upstreamCluster())
                                  + "</code>, endpoint <code>"
                                  + escape(p.upstreamHost())
                                  + "</code>, flags "
                                  + FailedRequestEvidence.flags(p.responseFlags(), drawing))
                      .orElse(""))
              .append("</li>\n");
        }
        if (wrong.isEmpty()) {
          out.append("<li><strong>")
              .append(escape(run.target()))
              .append("</strong>: ")
              .append(
                  escape(
                      ReportDocument.failure(run)
                          .map(f -> f.lines().findFirst().orElse(""))
                          .orElse("failed without a failed expectation")))
              .append("</li>\n");
        }
      }
      for (ExpectationResult c : test.comparisons()) {
        if (!c.passed()) {
          out.append("<li><strong>across targets</strong>: ")
              .append(escape(c.description()))
              .append(" \u2014 ")
              .append(escape(c.message()))
              .append("</li>\n");
        }
      }
      out.append("</ul></li>\n");
    }
    out.append("</ul>\n</section>\n");
  }

  /** The verdicts that changed since the previous run, when one was found. */
  private void changes() {
    if (history.isEmpty()) {
      return;
    }
    RunHistory h = history.get();
    out.append("<section aria-labelledby=\"changes\">\n<h2 id=\"changes\">Changed since the")
        .append(" previous run</h2>\n<p>Previous run: <time>")
        .append(escape(h.previousDate()))
        .append("</time>. ");
    if (h.changes().isEmpty()) {
      out.append("No verdict changed.</p>\n</section>\n");
      return;
    }
    out.append(h.changes().size())
        .append(h.changes().size() == 1 ? " verdict changed." : " verdicts changed.")
        .append("</p>\n<table class=\"changes\">\n<thead><tr><th scope=\"col\">Test</th>")
        .append("<th scope=\"col\">Target</th><th scope=\"col\">Before</th>")
        .append("<th scope=\"col\">Now</th></tr></thead>\n<tbody>\n");
    for (RunHistory.Change c : h.changes()) {
      out.append("<tr><th scope=\"row\">")
          .append(escape(c.testId()))
          .append("</th><td>")
          .append(escape(c.target()))
          .append("</td><td class=\"")
          .append(escape(c.before()))
          .append("\">")
          .append(escape(c.before()))
          .append("</td><td class=\"")
          .append(escape(c.after()))
          .append("\">")
          .append(escape(c.after()))
          .append(" \u2190 was ")
          .append(escape(c.before()))
          .append("</td></tr>\n");
    }
    out.append("</tbody>\n</table>\n</section>\n");
  }

  /** Filters by feature, result, target and text; the script applies them, keyboard first. */
  private void filters() {
    out.append("<section aria-labelledby=\"filter\">\n<h2 id=\"filter\">Filter</h2>\n")
        .append("<form id=\"filters\" class=\"filters\" role=\"search\">\n");
    select("feature", "Feature", report.features());
    select("result", "Result", List.of("passed", "failed", "skipped"));
    select("target", "Target", report.targets());
    out.append("<label>Search <input type=\"search\" name=\"q\" placeholder=\"id, text,")
        .append(" status, flag\"></label>\n<output id=\"shown\" aria-live=\"polite\">")
        .append(report.tests().size())
        .append(" tests</output>\n</form>\n<p class=\"facts\">Keys: <kbd>/</kbd> search,")
        .append(" <kbd>f</kbd> next failed test. The filters are kept in the page's address,")
        .append(" e.g. <code>report.html?result=failed</code>.</p>\n</section>\n");
  }

  private void select(String name, String label, List<String> values) {
    out.append("<label>")
        .append(label)
        .append(" <select name=\"")
        .append(name)
        .append("\"><option value=\"\">all</option>");
    for (String v : values) {
      out.append("<option>").append(escape(v)).append("</option>");
    }
    out.append("</select></label>\n");
  }

  /**
   * The targets side by side: verdicts, status mix and latency, and each expectation's verdict. A
   * row whose verdicts (or whose statuses seen) differ is highlighted and marked "≠".
   */
  private void differences(ConformanceTestResult test) {
    List<ScenarioResult> ran =
        test.results().stream().filter(r -> r.status() != Status.SKIPPED).toList();
    if (ran.size() < 2) {
      return;
    }
    out.append("<section class=\"run\">\n<h4>Targets side by side</h4>\n<table class=\"diff\">\n")
        .append("<thead><tr><th scope=\"col\">Observation</th>");
    for (ScenarioResult r : ran) {
      out.append("<th scope=\"col\">").append(escape(r.target())).append("</th>");
    }
    out.append("<th scope=\"col\">Same?</th></tr></thead>\n<tbody>\n");
    diffRow("Verdict", ran.stream().map(r -> label(r.status())).toList(), true);
    diffRow("Requests sent", ran.stream().map(r -> Long.toString(sent(r))).toList(), false);
    Set<Integer> codes = new TreeSet<>();
    ran.forEach(
        r -> codes.addAll(r.traffic() == null ? Set.of() : r.traffic().statusCounts().keySet()));
    for (Integer code : codes) {
      List<String> shares =
          ran.stream()
              .map(
                  r -> {
                    Long n = r.traffic().statusCounts().get(code);
                    return n == null
                        ? "not seen"
                        : n + " (" + Html.percent((double) n / Math.max(1, sent(r))) + ")";
                  })
              .toList();
      // Whether a status was seen at all is categorical; the shares are left to the comparisons.
      diffRowCompared(
          "HTTP " + code,
          shares,
          ran.stream().map(r -> r.traffic().statusCounts().containsKey(code)).toList());
    }
    diffRow(
        "p99 latency ms",
        ran.stream()
            .map(r -> r.traffic() == null ? "\u2014" : Html.millis(r.traffic().p99Millis()))
            .toList(),
        false);
    Set<String> expectations = new java.util.LinkedHashSet<>();
    ran.forEach(r -> r.expectations().forEach(e -> expectations.add(e.description())));
    for (String description : expectations) {
      List<String> verdicts =
          ran.stream()
              .map(
                  r ->
                      r.expectations().stream()
                          .filter(e -> e.description().equals(description))
                          .findFirst()
                          .map(e -> e.passed() ? "PASSED" : "FAILED")
                          .orElse("not checked"))
              .toList();
      diffRow(description, verdicts, true);
    }
    out.append("</tbody>\n</table>\n</section>\n");
  }

  private static long sent(ScenarioResult r) {
    return r.traffic() == null ? 0 : r.traffic().sent();
  }

  private void diffRow(String observation, List<String> values, boolean compared) {
    diffRowCompared(observation, values, compared ? values : null);
  }

  private void diffRowCompared(String observation, List<String> values, List<?> comparedOn) {
    boolean differs = comparedOn != null && comparedOn.stream().distinct().count() > 1;
    out.append("<tr")
        .append(differs ? " class=\"differs\"" : "")
        .append("><th scope=\"row\">")
        .append(escape(observation))
        .append("</th>");
    for (String v : values) {
      out.append("<td>").append(escape(v)).append("</td>");
    }
    out.append("<td>")
        .append(comparedOn == null ? "\u2014" : differs ? "<strong>\u2260 differs</strong>" : "=")
        .append("</td></tr>\n");
  }

  private void attachments(ConformanceTestResult test, ScenarioResult result) {
    List<AttachmentLayout.Entry> entries = attachments.entries(test.id(), result.target());
    if (entries.isEmpty()) {
      return;
    }
    entries.stream()
        .filter(a -> a.name().equals(IstioMetricsTable.ATTACHMENT))
        .findFirst()
        .ifPresent(this::istioMetrics);
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

  /**
   * The run's Istio metrics ({@link IstioMetricsTable}) as a compact table, per proxy; on a target
   * whose proxies run no Istio stats filter (Envoy) the rows are the Envoy statistics compared in
   * their place, said so above the table.
   */
  private void istioMetrics(AttachmentLayout.Entry table) {
    List<List<String>> rows = IstioMetricsTable.parse(table.content());
    if (rows.size() < 2) {
      return;
    }
    out.append("<h5>Istio metrics</h5>\n");
    if (rows.stream().skip(1).anyMatch(r -> r.size() > 1 && r.get(1).equals("envoy"))) {
      out.append(
          "<p>Upstream Envoy has no Istio stats filter: its rows are the Envoy statistics"
              + " compared instead (docs/telemetry.md).</p>\n");
    }
    out.append("<table class=\"istio-metrics\">\n<thead><tr>");
    rows.get(0).forEach(h -> out.append("<th>").append(escape(h)).append("</th>"));
    out.append("</tr></thead>\n<tbody>\n");
    rows.stream()
        .skip(1)
        .forEach(
            row -> {
              out.append("<tr>");
              row.forEach(c -> out.append("<td>").append(escape(c)).append("</td>"));
              out.append("</tr>\n");
            });
    out.append("</tbody>\n</table>\n");
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
