package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code conformance-report.yaml} parses strictly (unknown fields rejected) into a mirror of
 * Gateway API's Go types {@code sigs.k8s.io/gateway-api/conformance/apis/v1} ({@code
 * ConformanceReport}, {@code Implementation}, {@code ProfileReport}, {@code Status}, {@code
 * ExtendedStatus}, {@code Statistics}) at v1.6.3, field for field and with their JSON names, and
 * passes the checks of {@code Implementation.Validate} and {@code ProfileReport.IsConformant} that
 * concern the layout.
 */
class GatewayConformanceReportStrictTest {

  /** {@code metav1.TypeMeta} inline, then {@code ConformanceReport}'s own fields. */
  record GoConformanceReport(
      @JsonProperty("apiVersion") String apiVersion,
      @JsonProperty("kind") String kind,
      @JsonProperty("implementation") GoImplementation implementation,
      @JsonProperty("date") String date,
      @JsonProperty("gatewayAPIVersion") String gatewayAPIVersion,
      @JsonProperty("mode") String mode,
      @JsonProperty("gatewayAPIChannel") String gatewayAPIChannel,
      @JsonProperty("profiles") List<GoProfileReport> profiles,
      @JsonProperty("succeededProvisionalTests") List<String> succeededProvisionalTests) {}

  record GoImplementation(
      @JsonProperty("organization") String organization,
      @JsonProperty("project") String project,
      @JsonProperty("url") String url,
      @JsonProperty("version") String version,
      @JsonProperty("contact") List<String> contact) {}

  record GoProfileReport(
      @JsonProperty("name") String name,
      @JsonProperty("summary") String summary,
      @JsonProperty("core") GoStatus core,
      @JsonProperty("extended") GoExtendedStatus extended) {}

  /** {@code Status}: {@code Result} and {@code Statistics} are embedded under their tags. */
  record GoStatus(
      @JsonProperty("result") String result,
      @JsonProperty("statistics") GoStatistics statistics,
      @JsonProperty("skippedTests") List<String> skippedTests,
      @JsonProperty("failedTests") List<String> failedTests) {}

  /** {@code ExtendedStatus}: {@code Status} inline plus the feature lists. */
  record GoExtendedStatus(
      @JsonProperty("result") String result,
      @JsonProperty("statistics") GoStatistics statistics,
      @JsonProperty("skippedTests") List<String> skippedTests,
      @JsonProperty("failedTests") List<String> failedTests,
      @JsonProperty("supportedFeatures") List<String> supportedFeatures,
      @JsonProperty("unsupportedFeatures") List<String> unsupportedFeatures) {}

  /** Untagged Go fields: encoding/json uses the Go names. */
  record GoStatistics(
      @JsonProperty("Passed") long passed,
      @JsonProperty("Skipped") long skipped,
      @JsonProperty("Failed") long failed) {}

  private static final ObjectMapper STRICT =
      new YAMLMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final List<String> RESULTS = List.of("success", "partial", "failure");

  @Test
  void yamlParsesStrictlyIntoGatewayApisGoTypes() throws Exception {
    GoConformanceReport parsed =
        STRICT.readValue(ReportWriter.toYaml(SampleReports.sample()), GoConformanceReport.class);

    assertThat(parsed.apiVersion()).isEqualTo("gateway.networking.k8s.io/v1");
    assertThat(parsed.kind()).isEqualTo("ConformanceReport");
    // Implementation.Validate: every field non-empty.
    GoImplementation impl = parsed.implementation();
    assertThat(List.of(impl.organization(), impl.project(), impl.url(), impl.version()))
        .allSatisfy(v -> assertThat(v).isNotBlank());
    assertThat(impl.contact()).isNotEmpty();
    // time.RFC3339, as Gateway API's reporter writes it: seconds, no fraction.
    assertThat(parsed.date()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    OffsetDateTime.parse(parsed.date(), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    assertThat(parsed.gatewayAPIVersion()).isEqualTo("v1.6.3");
    assertThat(parsed.gatewayAPIChannel()).isEqualTo("standard");
    assertThat(parsed.mode()).isEqualTo("default");

    // ProfileReport.IsConformant: a name and a summary; results from the Result constants.
    GoProfileReport profile = parsed.profiles().get(0);
    assertThat(parsed.profiles()).hasSize(1);
    assertThat(profile.name()).isEqualTo(ConformanceReport.PROFILE).doesNotStartWith("MESH-");
    assertThat(profile.summary()).isNotBlank();
    assertThat(profile.core().result()).isIn(RESULTS);
    assertThat(profile.core().statistics()).isEqualTo(new GoStatistics(1, 0, 1));
    assertThat(profile.extended().result()).isIn(RESULTS);
    assertThat(profile.extended().unsupportedFeatures()).containsExactly("MeshOutlierDetection");
  }

  @Test
  void jsonIsTheSameStrictReport() throws Exception {
    String json = ReportWriter.toJson(SampleReports.sample());

    GoConformanceReport fromJson =
        new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .readValue(json, GoConformanceReport.class);
    assertThat(fromJson)
        .isEqualTo(
            STRICT.readValue(
                ReportWriter.toYaml(SampleReports.sample()), GoConformanceReport.class));
  }

  /** The strict parse can fail: a field the Go type lacks, as the old layout had, is rejected. */
  @Test
  void aFieldOutsideTheGoTypesIsRejected() throws Exception {
    ObjectNode tree = (ObjectNode) STRICT.readTree(ReportWriter.toYaml(SampleReports.sample()));
    tree.put("istioVersion", "1.32");

    assertThatThrownBy(
            () -> STRICT.readValue(STRICT.writeValueAsString(tree), GoConformanceReport.class))
        .isInstanceOf(UnrecognizedPropertyException.class)
        .hasMessageContaining("istioVersion");
  }
}
