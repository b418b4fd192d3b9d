package dev.meshproof.reports;

import dev.meshproof.scenario.result.FailedRequest;
import dev.meshproof.scenario.result.ProxyEvidence;
import dev.meshproof.scenario.result.ScenarioResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The first failed requests, each explained in one paragraph: how it ended, then what the client's
 * sidecar did with it (matched route, upstream cluster, endpoint, response flags spelt out) and who
 * answered, so a failed expectation can be traced to the mesh's decisions.
 */
final class FailedRequestEvidence implements EvidenceRenderer {

  /**
   * Envoy's response flags as Envoy's access log documentation defines them.
   *
   * @see <a
   *     href="https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#config-access-log-format-response-flags">Envoy
   *     response flags</a>
   */
  static final Map<String, String> RESPONSE_FLAGS =
      Map.ofEntries(
          Map.entry("UH", "no healthy upstream host"),
          Map.entry("UF", "upstream connection failure"),
          Map.entry("UO", "upstream overflow (circuit breaker)"),
          Map.entry("NR", "no route configured"),
          Map.entry("URX", "upstream retry or connect-attempt limit reached"),
          Map.entry("NC", "no upstream cluster"),
          Map.entry("DT", "request or connection exceeded its max duration"),
          Map.entry("DC", "downstream connection terminated"),
          Map.entry("LH", "local health check failed"),
          Map.entry("UT", "upstream request timeout"),
          Map.entry("LR", "connection local reset"),
          Map.entry("UR", "upstream remote reset"),
          Map.entry("UC", "upstream connection termination"),
          Map.entry("DI", "delayed by fault injection"),
          Map.entry("FI", "aborted by fault injection"),
          Map.entry("RL", "rate limited locally"),
          Map.entry("UAEX", "denied by external authorization"),
          Map.entry("RLSE", "rate limit service error"),
          Map.entry("IH", "invalid Envoy request header"),
          Map.entry("SI", "stream idle timeout"),
          Map.entry("DPE", "downstream protocol error"),
          Map.entry("UPE", "upstream protocol error"),
          Map.entry("UMSDR", "upstream max stream duration reached"),
          Map.entry("OM", "overload manager"),
          Map.entry("DF", "DNS resolution failed"),
          Map.entry("DO", "drop overload"));

  @Override
  public String drawRun(ScenarioResult run, EvidenceHtml html) {
    if (run.failedRequests().isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    out.append("<h5>First failed requests, explained</h5>\n<ol class=\"requests\">\n");
    for (FailedRequest r : run.failedRequests()) {
      out.append("<li class=\"request\" id=\"")
          .append(html.newId("request"))
          .append("\"><p><strong>Request #")
          .append(r.index())
          .append("</strong> (")
          .append(html.escape(r.traffic()))
          .append(") <code>")
          .append(html.escape(r.url()))
          .append("</code> ended <strong>")
          .append(r.status() > 0 ? r.status() + " " : "")
          .append(html.escape(r.outcome()))
          .append("</strong> after ")
          .append(html.millis(r.latencyMillis()))
          .append(" ms")
          .append(
              r.servedBy().isEmpty()
                  ? ", answered by no service instance"
                  : ", answered by <code>" + html.escape(r.servedBy()) + "</code>")
          .append(".</p>\n<dl class=\"meta\">\n");
      if (!r.requestId().isEmpty()) {
        term(out, "x-request-id", "<code>" + html.escape(r.requestId()) + "</code>");
      }
      if (r.proxy().isPresent()) {
        ProxyEvidence p = r.proxy().get();
        term(out, "Matched route", value(p.route(), html, "no route"));
        term(out, "Cluster", value(p.upstreamCluster(), html, "none"));
        term(out, "Endpoint", value(p.upstreamHost(), html, "none picked"));
        term(out, "Response flags", flags(p.responseFlags(), html));
      } else {
        term(out, "Client sidecar", "logged nothing for this request");
      }
      if (!r.detail().isEmpty()) {
        term(out, "Body or error", "<code>" + html.escape(r.detail()) + "</code>");
      }
      out.append("</dl></li>\n");
    }
    out.append("</ol>\n");
    return out.toString();
  }

  private static String value(String value, EvidenceHtml html, String none) {
    return value == null || value.isEmpty() || value.equals("-")
        ? "<em>" + none + "</em> (<code>-</code>)"
        : "<code>" + html.escape(value) + "</code>";
  }

  /** {@code UF,URX} as each flag with its meaning, so nobody needs Envoy's table at hand. */
  static String flags(String flags, EvidenceHtml html) {
    if (flags == null || flags.isEmpty() || flags.equals("-")) {
      return "<em>none</em> (<code>-</code>)";
    }
    List<String> parts = new ArrayList<>();
    for (String flag : flags.split(",")) {
      String meaning = RESPONSE_FLAGS.get(flag.trim());
      parts.add(
          "<code>"
              + html.escape(flag.trim())
              + "</code>"
              + (meaning == null ? "" : " " + html.escape(meaning)));
    }
    return String.join("; ", parts);
  }

  private static void term(StringBuilder out, String term, String html) {
    out.append("<div><dt>").append(term).append("</dt><dd>").append(html).append("</dd></div>\n");
  }
}
