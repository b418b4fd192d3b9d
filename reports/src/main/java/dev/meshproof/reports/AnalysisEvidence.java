package dev.meshproof.reports;

import dev.meshproof.scenario.result.ScenarioResult;
import java.util.List;

/**
 * What the run's verdicts do not cover: the analyzer's warnings and infos on the Istio YAML
 * (Istio's {@code istioctl analyze} codes) and the resources accepted but not simulated (the {@code
 * not_simulated} attachment: EnvoyFilter, Telemetry, ...), which had no effect on the run.
 *
 * @see <a href="https://istio.io/latest/docs/reference/config/analysis/">Istio configuration
 *     analysis messages</a>
 */
final class AnalysisEvidence implements EvidenceRenderer {

  /** The attachment under which a run lists the resources it did not simulate. */
  static final String NOT_SIMULATED = "not_simulated";

  @Override
  public String drawRun(ScenarioResult run, EvidenceHtml html) {
    StringBuilder out = new StringBuilder();
    List<String> findings = run.findings() == null ? List.of() : run.findings();
    if (!findings.isEmpty()) {
      out.append("<h5>Analyzer findings (istioctl analyze)</h5>\n<ul class=\"findings\">\n");
      for (String finding : findings) {
        out.append("<li>").append(code(finding, html)).append("</li>\n");
      }
      out.append("</ul>\n");
    }
    String notSimulated = run.attachments() == null ? null : run.attachments().get(NOT_SIMULATED);
    if (notSimulated != null && !notSimulated.isBlank()) {
      out.append("<h5>Not simulated (accepted, without effect on this run)</h5>\n")
          .append("<ul class=\"findings not-simulated\">\n");
      notSimulated
          .lines()
          .filter(l -> !l.isBlank())
          .forEach(l -> out.append("<li><code>").append(html.escape(l)).append("</code></li>\n"));
      out.append("</ul>\n");
    }
    return out.toString();
  }

  /**
   * {@code IST0101 Warning ...}: the code set apart (Istio documents each under {@code
   * istio.io/latest/docs/reference/config/analysis/ist0101/}), the rest as text.
   */
  private static String code(String finding, EvidenceHtml html) {
    int space = finding.indexOf(' ');
    String code = space < 0 ? finding : finding.substring(0, space);
    if (!code.matches("IST[0-9]{4}")) {
      return html.escape(finding);
    }
    return "<code>" + code + "</code>" + html.escape(finding.substring(code.length()));
  }
}
