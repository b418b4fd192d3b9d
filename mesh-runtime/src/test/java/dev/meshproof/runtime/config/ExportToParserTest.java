package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** VirtualService {@code exportTo}, validated as Istio's webhook ({@code validateExportTo}). */
class ExportToParserTest {

  private static VirtualService parse(String exportTo) {
    return (VirtualService)
        IstioYamlParser.parse(
                """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: catalog, namespace: shop}
                spec:
                  hosts: [catalog]
                  exportTo: %s
                  http:
                  - route:
                    - destination: {host: catalog}
                """
                    .formatted(exportTo),
                "vs.yaml",
                "default")
            .get(0);
  }

  private static String rejection(String exportTo) {
    try {
      parse(exportTo);
    } catch (InvalidConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + exportTo);
  }

  @Test
  void validEntriesAreKeptAsWritten() {
    assertThat(parse("[\".\", other]").exportTo()).containsExactly(".", "other");
    assertThat(parse("[\"*\"]").exportTo()).containsExactly("*");
  }

  @Test
  void whatTheWebhookRejectsIsRejectedWithItsLocation() {
    assertThat(rejection("[\".\", shop]"))
        .contains("vs.yaml:6:")
        .contains("spec.exportTo[1]")
        .contains("duplicate entries in exportTo: . and current namespace shop");
    assertThat(rejection("[a, a]")).contains("spec.exportTo[1]").contains("duplicate entries");
    assertThat(rejection("[\"~\"]")).contains("spec.exportTo[0]").contains("exportTo ~ (none)");
    assertThat(rejection("[Bad_NS]")).contains("spec.exportTo[0]").contains("valid DNS 1123 label");
    assertThat(rejection("[\"*\", other]")).contains("cannot have both public (*)");
  }
}
