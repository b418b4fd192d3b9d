package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.result.ScenarioResult;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttachmentLayoutTest {

  @Test
  void namesAreReducedToSafeFileNameCharacters() {
    assertThat(AttachmentLayout.sanitise("config_dump client-0")).isEqualTo("config_dump_client-0");
    assertThat(AttachmentLayout.sanitise("../../etc/passwd")).isEqualTo("_._.._etc_passwd");
    assertThat(AttachmentLayout.sanitise("envoy (1.31)")).isEqualTo("envoy_1.31_");
    assertThat(AttachmentLayout.sanitise("")).isEqualTo("attachment");
    assertThat(AttachmentLayout.sanitise("x".repeat(500))).hasSize(80);
  }

  @Test
  void namesThatSanitiseAlikeGetDistinctFilesAndTextKeepsTxt() {
    Map<String, String> attachments = new LinkedHashMap<>();
    attachments.put("config dump", "{}");
    attachments.put("config/dump", "[]");
    attachments.put("CONFIG DUMP", "{}");
    attachments.put("proxy log", "started\n");
    ScenarioResult base = SampleReports.weightedSplitOnEmbedded();
    ScenarioResult run =
        ScenarioResult.builder(base.scenario(), "envoy 1.31/linux", base.seed())
            .status(base.status())
            .started(base.started())
            .duration(base.duration())
            .traffic(base.traffic())
            .expectations(base.expectations())
            .failure(base.failure())
            .attachments(attachments)
            .build();
    ConformanceReport report =
        ConformanceReport.builder()
            .implementation(Implementation.of("o", "p", "1"))
            .meshproofVersion("0.1")
            .istioVersion("1.24")
            .date(SampleReports.DATE)
            .test(
                ConformanceTestResult.builder("T-1")
                    .feature("F")
                    .description("d")
                    .specReference("https://istio.io/")
                    .result(run)
                    .build())
            .build();

    assertThat(new AttachmentLayout(report).entries("T-1", "envoy 1.31/linux"))
        .extracting(AttachmentLayout.Entry::relativePath)
        .containsExactly(
            "attachments/T-1/envoy_1.31_linux/config_dump.json",
            "attachments/T-1/envoy_1.31_linux/config_dump-2.json",
            "attachments/T-1/envoy_1.31_linux/CONFIG_DUMP-3.json",
            "attachments/T-1/envoy_1.31_linux/proxy_log.txt");
  }
}
