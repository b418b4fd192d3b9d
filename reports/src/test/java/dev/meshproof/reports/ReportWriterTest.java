package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  @TempDir Path dir;

  private ConformanceReport report;
  private ReportFiles files;

  @BeforeEach
  void writeSample() throws IOException {
    report = SampleReports.sample();
    files = ReportWriter.write(report, dir);
  }

  @Test
  void writesHtmlJsonYamlEvidenceSchemaAndOneFilePerAttachment() throws IOException {
    assertThat(files.html()).isEqualTo(dir.resolve("report.html")).isRegularFile();
    assertThat(files.json()).isEqualTo(dir.resolve("conformance-report.json")).isRegularFile();
    assertThat(files.yaml()).isEqualTo(dir.resolve("conformance-report.yaml")).isRegularFile();
    assertThat(files.evidence()).isEqualTo(dir.resolve("meshproof-report.json")).isRegularFile();
    assertThat(files.schema())
        .isEqualTo(dir.resolve("meshproof-report.schema.json"))
        .hasContent(ReportWriter.schema());
    assertThat(files.attachments())
        .containsExactly(
            dir.resolve("attachments/MeshHTTPRouteWeight-90-10/embedded/config_dump_client-0.json"),
            dir.resolve("attachments/MeshRetries-5xx/embedded/not_simulated.txt"));
    assertThat(Files.readString(files.attachments().get(0))).isEqualTo(SampleReports.CONFIG_DUMP);
    assertThat(files.all()).hasSize(7).allSatisfy(p -> assertThat(p).isRegularFile());
  }

  @Test
  void evidenceParsesBackWithPerTestResultsSeedsAndObservedCounts() throws IOException {
    JsonNode root = new ObjectMapper().readTree(files.evidence().toFile());
    JsonNode tests = root.get("tests");

    assertThat(tests).hasSize(3);
    assertThat(texts(tests, "id"))
        .containsExactly(
            "MeshHTTPRouteWeight-90-10", "MeshRetries-5xx", "MeshOutlierDetection-eject");
    assertThat(texts(tests, "result")).containsExactly("passed", "failed", "skipped");

    JsonNode split = tests.get(0).get("targets").get(0);
    assertThat(split.get("target").asText()).isEqualTo("embedded");
    assertThat(split.get("status").asText()).isEqualTo("passed");
    assertThat(split.get("seed").asLong()).isEqualTo(424242L);
    assertThat(split.get("replay").asText()).isEqualTo("-Dmeshproof.seed=424242");
    assertThat(split.get("started").asText()).isEqualTo("2025-06-01T11:58:00Z");
    assertThat(split.get("durationMillis").asLong()).isEqualTo(1834);
    assertThat(split.get("traffic").get("statusCounts").get("200").asLong()).isEqualTo(2000);
    assertThat(split.get("traffic").get("latencyMillis").get("p99").asDouble()).isEqualTo(7.75);
    JsonNode rows = split.get("expectations").get(0).get("distribution");
    assertThat(texts(rows, "category")).containsExactly("v1", "v2");
    assertThat(rows.get(0).get("observed").asLong()).isEqualTo(1795);
    assertThat(rows.get(1).get("observed").asLong()).isEqualTo(205);
    assertThat(rows.get(1).get("expectedFraction").asDouble()).isEqualTo(0.1);
    assertThat(split.get("expectations").get(0).get("statistics").get("p-value").asText())
        .isEqualTo("0.405");

    JsonNode retries = tests.get(1).get("targets").get(0);
    assertThat(retries.get("seed").asLong()).isEqualTo(77L);
    assertThat(retries.get("failure").asText())
        .startsWith("retry budget exceeded")
        .contains(SampleReports.INJECTION);
    assertThat(tests.get(1).get("targets").get(1).get("status").asText()).isEqualTo("skipped");
  }

  @Test
  void gatewayReportCarriesProfileCountsAndExtendedFeaturesWhereConsumersLook() throws IOException {
    JsonNode root = new ObjectMapper().readTree(files.json().toFile());

    assertThat(fieldNames(root))
        .containsExactly(
            "apiVersion",
            "kind",
            "implementation",
            "date",
            "gatewayAPIVersion",
            "mode",
            "gatewayAPIChannel",
            "profiles");
    assertThat(root.get("apiVersion").asText()).isEqualTo("gateway.networking.k8s.io/v1");
    assertThat(root.get("kind").asText()).isEqualTo("ConformanceReport");
    assertThat(root.get("date").asText()).isEqualTo("2025-06-01T12:00:00Z");
    assertThat(root.get("gatewayAPIVersion").asText()).isEqualTo("v1.6.3");
    assertThat(root.get("gatewayAPIChannel").asText()).isEqualTo("standard");
    assertThat(root.get("implementation").get("url").asText())
        .isEqualTo("https://example.org/meshproof");
    assertThat(root.get("implementation").get("contact").get(0).asText())
        .isEqualTo("@meshproof/maintainers");

    JsonNode profile = root.get("profiles").get(0);
    assertThat(profile.get("name").asText()).isEqualTo("MESHPROOF-ISTIO-HTTP");
    assertThat(profile.get("summary").asText())
        .startsWith("Istio 1.24 behaviour checked by Meshproof 0.1.0-SNAPSHOT on embedded, envoy:")
        .contains("1 passed, 1 failed, 1 skipped (failure)")
        .contains("meshproof-report.json");
    JsonNode core = profile.get("core");
    assertThat(core.get("result").asText()).isEqualTo("failure");
    assertThat(core.get("statistics").get("Passed").asInt()).isEqualTo(1);
    assertThat(core.get("statistics").get("Failed").asInt()).isEqualTo(1);
    assertThat(core.get("statistics").get("Skipped").asInt()).isEqualTo(0);
    assertThat(core.get("failedTests").get(0).asText()).isEqualTo("MeshRetries-5xx");
    assertThat(core.has("skippedTests")).as("empty lists are omitted, as Go's omitempty").isFalse();
    JsonNode extended = profile.get("extended");
    assertThat(extended.get("result").asText()).isEqualTo("partial");
    assertThat(extended.get("skippedTests").get(0).asText())
        .isEqualTo("MeshOutlierDetection-eject");
    assertThat(texts(extended.get("unsupportedFeatures"))).containsExactly("MeshOutlierDetection");
    assertThat(extended.has("supportedFeatures")).isFalse();
  }

  @Test
  void dateIsRfc3339WithoutFractions(@TempDir Path other) throws IOException {
    ConformanceReport withNanos =
        ConformanceReport.builder()
            .implementation(report.implementation())
            .meshproofVersion("0.1.0")
            .istioVersion("1.32")
            .date(java.time.Instant.parse("2026-12-01T22:36:28.123456789Z"))
            .tests(report.tests())
            .build();
    JsonNode root = new ObjectMapper().readTree(ReportWriter.toJson(withNanos));

    assertThat(root.get("date").asText()).isEqualTo("2026-12-01T22:36:28Z");
  }

  @Test
  void evidenceSummarisesEachTarget() throws IOException {
    JsonNode root = new ObjectMapper().readTree(files.evidence().toFile());

    assertThat(root.get("$schema").asText()).isEqualTo("meshproof-report.schema.json");
    assertThat(root.get("kind").asText()).isEqualTo("MeshproofReport");
    assertThat(root.get("istioVersion").asText()).isEqualTo("1.24");
    JsonNode targets = root.get("summary").get("targets");
    assertThat(texts(targets, "name")).containsExactly("embedded", "envoy");
    assertThat(targets.get(0).get("statistics").get("Passed").asInt()).isEqualTo(1);
    assertThat(targets.get(1).get("statistics").get("Skipped").asInt()).isEqualTo(3);
    assertThat(
            root.get("profiles")
                .get(0)
                .get("core")
                .get("targets")
                .get("envoy")
                .get("Skipped")
                .asInt())
        .isEqualTo(2);
    assertThat(root.has("changesSincePrevious"))
        .as("no previous run in a fresh directory")
        .isFalse();
  }

  @Test
  void emptyOptionalsAreLeftOutRatherThanWrittenAsNull() throws IOException {
    String json = Files.readString(files.evidence());
    JsonNode passingRun =
        new ObjectMapper().readTree(json).get("tests").get(0).get("targets").get(0);

    assertThat(passingRun.has("failure")).isFalse();
    assertThat(json).doesNotContain("null");
  }

  @Test
  void yamlCarriesTheSameTreeAsJson() throws IOException {
    JsonNode json = new ObjectMapper().readTree(files.json().toFile());
    JsonNode yaml = new YAMLMapper().readTree(files.yaml().toFile());

    assertThat(yaml).isEqualTo(json);
    // Quoted, so YAML 1.1 readers do not turn the date into a timestamp.
    assertThat(Files.readString(files.yaml()))
        .contains("date: \"2025-06-01T12:00:00Z\"")
        .contains("gatewayAPIVersion: \"v1.6.3\"");
  }

  @Test
  void attachmentsAreReferencedByRelativePathNotInlinedInJson() throws IOException {
    String json = Files.readString(files.evidence());
    JsonNode attachment =
        new ObjectMapper()
            .readTree(json)
            .get("tests")
            .get(0)
            .get("targets")
            .get(0)
            .get("attachments")
            .get(0);

    assertThat(attachment.get("name").asText()).isEqualTo("config_dump client-0");
    String path = attachment.get("path").asText();
    assertThat(path)
        .isEqualTo("attachments/MeshHTTPRouteWeight-90-10/embedded/config_dump_client-0.json");
    assertThat(dir.resolve(path)).isRegularFile();
    assertThat(json).doesNotContain("BootstrapConfigDump");
  }

  @Test
  void htmlShowsHeaderFeatureMatrixAndFigures() throws IOException {
    String html = Files.readString(files.html());

    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<h1>Conformance report: meshproof-embedded-mesh 0.1.0-SNAPSHOT</h1>")
        .contains("<dt>Istio version emulated</dt><dd>1.24</dd>")
        .contains("2025-06-01T12:00:00Z")
        .contains("1 passed", "1 failed", "1 skipped");
    assertThat(html)
        .contains("<h2 id=\"matrix\">Feature matrix</h2>")
        .contains("<th scope=\"col\">embedded</th><th scope=\"col\">envoy</th>")
        .containsPattern(
            "MeshHTTPRouteWeight</a></th><td>core</td>"
                + "<td class=\"passed\">PASSED <small>1/1 passed</small></td>"
                + "<td class=\"skipped\">SKIPPED <small>0/1 passed</small></td>")
        .contains("<td class=\"failed\">FAILED <small>0/1 passed</small></td>");
    // Per-target evidence: seed with replay hint, duration, traffic and the distribution.
    assertThat(html)
        .contains("<code>424242</code>", "<code>-Dmeshproof.seed=424242</code>", "1834 ms")
        .contains("<td class=\"num\">2000</td>", "<td class=\"num\">7.8</td>")
        .contains("<th scope=\"row\">v2</th><td class=\"num\">205</td>")
        .contains("10.25%", "10.00%", "<td class=\"num\">200.0</td>")
        .contains("<svg class=\"chart\" role=\"img\"")
        .contains("<th scope=\"row\">p-value</th><td>0.405</td>")
        .contains("<pre class=\"failure\">retry budget exceeded");
    assertThat(html)
        .contains("<details>\n<summary>config_dump client-0")
        .contains(
            "href=\"attachments/MeshHTTPRouteWeight-90-10/embedded/config_dump_client-0.json\"")
        .contains("&lt;/pre&gt;&lt;b&gt;not bold&lt;/b&gt;");
  }

  @Test
  void htmlEscapesMarkupFromDescriptionsFailuresAndMessages() throws IOException {
    String html = Files.readString(files.html());

    assertThat(html).doesNotContain("<script>alert").doesNotContain("</pre><b>");
    String escaped = "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;";
    assertThat(html)
        .contains("Retries on 5xx stop after attempts=2. " + escaped)
        .contains("at attempt 4: " + escaped)
        .contains("17 of 500 requests made 4 attempts " + escaped);
  }

  /**
   * The report must open offline: nothing is fetched. Spec references and the implementation URL
   * are rendered as plain {@code <a href>} links (followed only if the reader clicks), so every
   * other occurrence of a web URL is a leak.
   */
  @Test
  void htmlLoadsNoExternalResource() throws IOException {
    String html = Files.readString(files.html());

    // One inline script (the filters), allowed by hash in the page's Content-Security-Policy.
    assertThat(count(html, "<script")).isEqualTo(1);
    assertThat(html)
        .contains("<script>" + HtmlReport.SCRIPT + "</script>")
        .containsPattern(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
                + " style-src 'unsafe-inline'; img-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'\">");
    assertThat(html.toLowerCase())
        .doesNotContain("<link")
        .doesNotContain("<img")
        .doesNotContain("<iframe")
        .doesNotContain("<object")
        .doesNotContain("<embed")
        .doesNotContain(" src=")
        .doesNotContain("url(http")
        .doesNotContain("@import")
        .doesNotContain("xlink:href")
        .doesNotContain("xmlns=");
    List<String> allowedLinks = new ArrayList<>();
    allowedLinks.add("https://example.org/meshproof");
    report.tests().forEach(t -> allowedLinks.add(t.specReference().toString()));
    String withoutLinks = html;
    for (String url : allowedLinks) {
      withoutLinks = withoutLinks.replace(url, "");
    }
    // Request URLs of failed requests are shown as code (data, never fetched).
    for (ConformanceTestResult test : report.tests()) {
      for (var result : test.results()) {
        for (var failed : result.failedRequests()) {
          withoutLinks = withoutLinks.replace("<code>" + Html.escape(failed.url()) + "</code>", "");
        }
      }
    }
    assertThat(withoutLinks).doesNotContain("http://").doesNotContain("https://");
    // Every href is an in-page anchor, a relative attachment path or one of the allowed links.
    Matcher href = Pattern.compile("href=\"([^\"]*)\"").matcher(html);
    while (href.find()) {
      assertThat(href.group(1))
          .satisfiesAnyOf(
              h -> assertThat(h).startsWith("#"),
              h -> assertThat(h).startsWith("attachments/"),
              h -> assertThat(allowedLinks).contains(h));
    }
  }

  @Test
  void htmlStructureIsBalanced() throws IOException {
    String html = Files.readString(files.html());

    for (String tag :
        List.of(
            "html", "head", "body", "main", "section", "article", "table", "thead", "tbody", "tr",
            "details", "pre", "svg", "dl", "h1", "h2", "h3", "h4")) {
      assertThat(count(html, "<" + tag + "[ >]"))
          .as("<%s> opened and closed", tag)
          .isEqualTo(count(html, "</" + tag + ">"));
    }
    assertThat(count(html, "<h1>")).isEqualTo(1);
    assertThat(count(html, "<article class=\"test\"")).isEqualTo(3);
  }

  @Test
  void theSameReportGivesByteIdenticalFiles(@TempDir Path other) throws IOException {
    ReportFiles again = ReportWriter.write(SampleReports.sample(), other);

    assertThat(Files.readAllBytes(again.json())).isEqualTo(Files.readAllBytes(files.json()));
    assertThat(Files.readAllBytes(again.yaml())).isEqualTo(Files.readAllBytes(files.yaml()));
    assertThat(Files.readAllBytes(again.evidence()))
        .isEqualTo(Files.readAllBytes(files.evidence()));
    assertThat(Files.readAllBytes(again.html())).isEqualTo(Files.readAllBytes(files.html()));
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asText()));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void failedRequestsAreExplainedInHtmlAndJson(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    ReportFiles files = ReportWriter.write(SampleReports.sample(), dir);

    String html = java.nio.file.Files.readString(files.html());
    org.assertj.core.api.Assertions.assertThat(html)
        .contains(
            "First failed requests, explained",
            "<strong>Request #17</strong> (traffic-1) <code>http://ratings/</code> ended"
                + " <strong>503 RESPONSE</strong> after 12.5 ms, answered by no service instance.",
            // A route matched (its cluster is logged) but has no name: Envoy logs "-" for both.
            "<dt>Matched route</dt><dd><em>a route without a name</em> (<code>-</code>: its"
                + " VirtualService <code>http</code> entry sets no <code>name</code>)</dd>",
            "<dt>Cluster</dt><dd><code>outbound|9080|v2|ratings.default.svc.cluster.local</code>",
            "<dt>Response flags</dt><dd><code>UH</code> no healthy upstream host</dd>",
            "<dt>Body or error</dt><dd><code>no healthy upstream</code>",
            "ended <strong>TIMEOUT</strong> after 30000.0 ms",
            "<dt>Client sidecar</dt><dd>logged nothing for this request</dd>",
            "<caption>Upstream attempts, as the instances journaled them</caption>",
            "<tr class=\"error\"><td class=\"num\">2</td><td><code>ratings-v2-1</code></td>"
                + "<td class=\"num\">503</td><td class=\"num\">2</td><td class=\"num\">27.3</td>"
                + "<td class=\"num\">0.0</td><td><code>ratings:9080</code></td>"
                + "<td><code>spiffe://cluster.local/ns/default/sa/productpage</code></td></tr>",
            "<td class=\"num\">no answer</td><td class=\"num\">3</td>",
            "<caption>Mirror copies, as the mirror targets journaled them</caption>",
            "<code>ratings-shadow:9080</code>",
            "No upstream attempt reached a service instance.")
        .doesNotContain("<script>alert");
    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(files.evidence().toFile());
    com.fasterxml.jackson.databind.JsonNode failed =
        json.findValues("failedRequests").stream()
            .filter(n -> n.size() > 0)
            .findFirst()
            .orElseThrow();
    org.assertj.core.api.Assertions.assertThat(failed.get(0).get("index").asInt()).isEqualTo(17);
    org.assertj.core.api.Assertions.assertThat(failed.get(0).get("detail").asText())
        .isEqualTo("no healthy upstream");
    org.assertj.core.api.Assertions.assertThat(failed.get(0).get("requestId").asText())
        .isEqualTo("6f1c0b7e-0d1a-4b7e-9a51-3c2d8e4f5a60");
    org.assertj.core.api.Assertions.assertThat(
            failed.get(0).get("proxy").get("responseFlags").asText())
        .isEqualTo("UH");
    org.assertj.core.api.Assertions.assertThat(failed.get(1).has("proxy")).isFalse();
    com.fasterxml.jackson.databind.JsonNode attempts = failed.get(0).get("attempts");
    org.assertj.core.api.Assertions.assertThat(attempts).hasSize(3);
    org.assertj.core.api.Assertions.assertThat(attempts.get(1).get("instance").asText())
        .isEqualTo("ratings-v2-1");
    org.assertj.core.api.Assertions.assertThat(attempts.get(1).get("offsetMillis").asDouble())
        .isEqualTo(27.25);
    org.assertj.core.api.Assertions.assertThat(attempts.get(0).get("callerIdentity").asText())
        .isEqualTo("spiffe://cluster.local/ns/default/sa/productpage");
    org.assertj.core.api.Assertions.assertThat(attempts.get(2).get("status").asInt()).isZero();
    org.assertj.core.api.Assertions.assertThat(
            failed.get(0).get("mirrors").get(0).get("authority").asText())
        .isEqualTo("ratings-shadow:9080");
    org.assertj.core.api.Assertions.assertThat(failed.get(1).get("attempts")).isEmpty();
  }

  @Test
  void theTopologyShowsEveryInstanceAndEachClientsObservedShare() throws IOException {
    String html = Files.readString(files.html());
    JsonNode run = new ObjectMapper().readTree(files.evidence().toFile()).at("/tests/0/targets/0");

    assertThat(html)
        .contains("<h5>Topology and observed traffic</h5>")
        .contains("<svg class=\"chart topology\"")
        .contains("productpage (2000 sent)")
        .contains("reviews-v1-0 \u2014 900 (45.00%)")
        .contains("<title>productpage \u2192 reviews-v2-0: 205 of 2000</title>")
        .contains(">10.25%</text>")
        // Deployed but never answered: drawn without an edge, and said.
        .contains("reviews-v3-0 \u2014 answered nothing")
        .doesNotContain("\u2192 reviews-v3-0")
        // Requests no instance answered have a row of their own.
        .contains("local reply or no connection \u2014 10 (2.00%)")
        .contains("<title>productpage \u2192 no instance: 10 of 500</title>");
    assertThat(run.at("/topology/workloads/2/instances/0").asText()).isEqualTo("reviews-v3-0");
    assertThat(run.at("/topology/edges/2/requests").asLong()).isEqualTo(205);
  }

  @Test
  void aNoRouteAnswerIsStillCalledNoRoute() {
    var run =
        SampleReports.failingRetriesOnEmbedded().toBuilder()
            .failedRequests(
                List.of(
                    new dev.meshproof.scenario.result.FailedRequest(
                        3,
                        "t",
                        "http://nowhere/",
                        "RESPONSE",
                        404,
                        "",
                        1,
                        "",
                        "id",
                        java.util.Optional.of(
                            new dev.meshproof.scenario.result.ProxyEvidence("-", "-", "-", "NR")))))
            .build();

    assertThat(ReportWriter.runHtml(run))
        .contains("<dt>Matched route</dt><dd><em>no route</em> (<code>-</code>)</dd>")
        .contains("<code>NR</code> no route configured");
  }

  @Test
  void eachRunShowsItsTimelineWithFaultWindowsItsFindingsAndWhatWasNotSimulated()
      throws IOException {
    String html = Files.readString(files.html());
    JsonNode run = new ObjectMapper().readTree(files.evidence().toFile()).at("/tests/1/targets/0");

    assertThat(html)
        .contains("<h5>Traffic over time</h5>")
        .contains("<svg class=\"chart timeline\" role=\"img\"")
        .contains("20 buckets of 50.0 ms by send time")
        .contains("<rect class=\"fault\" x=\"243.0\" y=\"18\" width=\"165.0\"")
        .contains("in force from 300.0 to 600.0 ms</li>")
        .contains(
            "<tr><td class=\"num\">300.0</td><td class=\"num\">25</td>"
                + "<td class=\"num\">500.0</td><td class=\"num\">8</td>"
                + "<td class=\"num\">32.00%</td><td class=\"num\">9.5</td>"
                + "<td class=\"num\">41.0</td></tr>")
        .contains("<h5>Analyzer findings (istioctl analyze)</h5>")
        .contains("<li><code>IST0101</code> Warning VirtualService default/ratings ratings.yaml:3")
        .contains("<h5>Not simulated (accepted, without effect on this run)</h5>")
        .contains("<li><code>EnvoyFilter default/lua-filter (networking.istio.io/v1alpha3) at")
        .doesNotContain("<script>alert");
    // The p50 line breaks at the empty last bucket instead of drawing to zero.
    assertThat(html).contains("L586.8 ").doesNotContain("L614.3");
    assertThat(run.get("findings").get(0).asText()).startsWith("IST0101 Warning");
    assertThat(run.at("/timeline/bucketMillis").asDouble()).isEqualTo(50);
    assertThat(run.at("/timeline/buckets")).hasSize(20);
    assertThat(run.at("/timeline/buckets/6/errors").asInt()).isEqualTo(8);
    assertThat(run.at("/timeline/buckets/19").has("p50Millis")).isFalse();
    assertThat(run.at("/timeline/faults/0/fromMillis").asDouble()).isEqualTo(300);
  }

  @Test
  void oneRunsEvidenceStandsAloneAsJsonAndAsAPageWithItsCharts() throws IOException {
    var run = SampleReports.failingRetriesOnEmbedded();

    JsonNode json = new ObjectMapper().readTree(ReportWriter.runEvidenceJson(run));
    assertThat(json.get("target").asText()).isEqualTo("embedded");
    assertThat(json.get("failedRequests").get(0).get("proxy").get("responseFlags").asText())
        .isEqualTo("UH");
    assertThat(ReportWriter.runHtml(run))
        .startsWith("<!DOCTYPE html>")
        .contains("<h4>embedded: <span class=\"badge failed\">FAILED</span></h4>")
        .contains("<svg class=\"chart\"")
        .contains("<code>UH</code> no healthy upstream host")
        .doesNotContain("<script");
  }

  @Test
  void aKubernetesRunStandsBesideEmbeddedAndEnvoyWithItsComparison(@TempDir Path three)
      throws IOException {
    ScenarioResult embedded = SampleReports.weightedSplitOnEmbedded();
    ScenarioResult kubernetes =
        ScenarioResult.builder(embedded.scenario(), "kubernetes", embedded.seed())
            .status(Status.PASSED)
            .started(embedded.started())
            .traffic(embedded.traffic())
            .expectations(embedded.expectations())
            .build();
    ExpectationResult comparison =
        new ExpectationResult(
            "reviews split alike on embedded and kubernetes",
            true,
            "chi-square homogeneity p=0.91 >= alpha 1e-05",
            Map.of("test", "chi-square homogeneity"),
            List.of());
    ConformanceReport report =
        ConformanceReport.builder()
            .implementation(Implementation.of("meshproof", "meshproof", "0.1.0-SNAPSHOT"))
            .meshproofVersion("0.1.0-SNAPSHOT")
            .istioVersion("1.32")
            .date(SampleReports.DATE)
            .test(
                ConformanceTestResult.builder("MeshHTTPRouteWeight-90-10")
                    .feature("MeshHTTPRouteWeight")
                    .supportLevel(SupportLevel.CORE)
                    .description("90/10")
                    .specReference("https://istio.io/latest/docs/")
                    .result(embedded)
                    .result(SampleReports.skippedOnEnvoy("reviews 90/10 canary"))
                    .result(kubernetes)
                    .comparisons(List.of(comparison))
                    .build())
            .build();

    String html = Files.readString(ReportWriter.write(report, three).html());

    assertThat(report.targets()).containsExactly("embedded", "envoy", "kubernetes");
    assertThat(html)
        .contains(
            "<th scope=\"col\">embedded</th><th scope=\"col\">envoy</th>"
                + "<th scope=\"col\">kubernetes</th>")
        .contains("<h4>Across targets</h4>")
        .contains("reviews split alike on embedded and kubernetes");
  }
}
