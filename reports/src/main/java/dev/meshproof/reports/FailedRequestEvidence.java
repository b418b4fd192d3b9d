package dev.meshproof.reports;

import dev.meshproof.scenario.result.FailedRequest;
import dev.meshproof.scenario.result.ProxyEvidence;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.UpstreamAttempt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The first failed requests, each explained in one paragraph: how it ended, then what the client's
 * sidecar did with it (matched route, upstream cluster, endpoint, response flags spelt out) and who
 * answered, then every upstream attempt and mirror copy the services journaled for it (instance,
 * status, attempt count, timing, Host and the caller identity the callee saw), so a failed
 * expectation can be traced to the mesh's decisions.
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
        term(out, "Matched route", route(p, html));
        term(out, "Cluster", value(p.upstreamCluster(), html, "none"));
        term(out, "Endpoint", value(p.upstreamHost(), html, "none picked"));
        term(out, "Response flags", flags(p.responseFlags(), html));
      } else {
        term(out, "Client sidecar", "logged nothing for this request");
      }
      if (!r.detail().isEmpty()) {
        term(out, "Body or error", "<code>" + html.escape(r.detail()) + "</code>");
      }
      out.append("</dl>\n");
      if (r.attempts().isEmpty()) {
        out.append("<p class=\"attempts\">No upstream attempt reached a service instance.</p>\n");
      } else {
        attempts(out, "Upstream attempts, as the instances journaled them", r.attempts(), html);
      }
      if (!r.mirrors().isEmpty()) {
        attempts(out, "Mirror copies, as the mirror targets journaled them", r.mirrors(), html);
      }
      out.append("</li>\n");
    }
    out.append("</ol>\n");
    return out.toString();
  }

  /**
   * Envoy logs {@code %ROUTE_NAME%} as {@code -} both when no route matched and when the matched
   * route has no name, which is every VirtualService {@code http} entry without {@code name}
   * (istiod's {@code TranslateRoute} copies the name, empty when unset); the cluster and the flags
   * tell the two apart.
   */
  private static String route(ProxyEvidence p, EvidenceHtml html) {
    boolean unnamed = p.route() == null || p.route().isEmpty() || p.route().equals("-");
    if (!unnamed) {
      return "<code>" + html.escape(p.route()) + "</code>";
    }
    boolean noRoute =
        List.of(p.responseFlags().split(",")).contains("NR")
            || p.upstreamCluster().isEmpty()
            || p.upstreamCluster().equals("-");
    return noRoute
        ? "<em>no route</em> (<code>-</code>)"
        : "<em>a route without a name</em> (<code>-</code>: its VirtualService <code>http</code>"
            + " entry sets no <code>name</code>)";
  }

  private static void attempts(
      StringBuilder out, String caption, List<UpstreamAttempt> attempts, EvidenceHtml html) {
    boolean identities = attempts.stream().anyMatch(a -> !a.callerIdentity().isEmpty());
    out.append("<table class=\"attempts\">\n<caption>")
        .append(caption)
        .append("</caption>\n<thead><tr><th scope=\"col\" class=\"num\">#</th>")
        .append("<th scope=\"col\">Instance</th><th scope=\"col\" class=\"num\">Status</th>")
        .append("<th scope=\"col\" class=\"num\">x-envoy-attempt-count</th>")
        .append("<th scope=\"col\" class=\"num\">Arrived after first, ms</th>")
        .append("<th scope=\"col\" class=\"num\">Service time, ms</th>")
        .append("<th scope=\"col\">Host received</th>");
    if (identities) {
      out.append("<th scope=\"col\">Caller identity seen</th>");
    }
    out.append("</tr></thead>\n<tbody>\n");
    int n = 0;
    for (UpstreamAttempt a : attempts) {
      out.append("<tr")
          .append(a.status() == 0 || a.status() >= 500 ? " class=\"error\"" : "")
          .append("><td class=\"num\">")
          .append(++n)
          .append("</td><td><code>")
          .append(html.escape(a.instance()))
          .append("</code></td><td class=\"num\">")
          .append(a.status() == 0 ? "no answer" : Integer.toString(a.status()))
          .append("</td><td class=\"num\">")
          .append(a.envoyAttemptCount() == 0 ? "\u2014" : Integer.toString(a.envoyAttemptCount()))
          .append("</td><td class=\"num\">")
          .append(html.millis(a.offsetMillis()))
          .append("</td><td class=\"num\">")
          .append(html.millis(a.serviceMillis()))
          .append("</td><td><code>")
          .append(html.escape(a.authority()))
          .append("</code></td>");
      if (identities) {
        out.append("<td>")
            .append(
                a.callerIdentity().isEmpty()
                    ? "<em>none</em>"
                    : "<code>" + html.escape(a.callerIdentity()) + "</code>")
            .append("</td>");
      }
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table>\n");
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
