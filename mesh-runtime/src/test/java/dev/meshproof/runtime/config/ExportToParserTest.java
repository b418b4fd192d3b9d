package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * VirtualService {@code exportTo} ({@code validateExportTo}) and wildcard hosts ({@code
 * validateVirtualService}), validated as Istio's webhook.
 */
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
    assertThat(rejection("[shop, \".\"]"))
        .contains("vs.yaml:6:")
        .contains("spec.exportTo[1]")
        .contains("duplicate entries in exportTo: . and current namespace shop");
    assertThat(rejection("[a, a]")).contains("spec.exportTo[1]").contains("duplicate entries");
    assertThat(rejection("[\"~\"]")).contains("spec.exportTo[0]").contains("exportTo ~ (none)");
    assertThat(rejection("[Bad_NS]")).contains("spec.exportTo[0]").contains("valid DNS 1123 label");
    assertThat(rejection("[\"*\", other]")).contains("cannot have both public (*)");
  }

  @Test
  void wildcardHostsAreCheckedAsTheWebhookChecksThem() {
    String base =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog}
        spec:
          hosts: [%s]
          http:
          - route:
            - destination: {host: catalog}
        """;
    assertThat(
            ((VirtualService)
                    IstioYamlParser.parse(
                            base.formatted("\"*.default.svc.cluster.local\""), "vs.yaml", "default")
                        .get(0))
                .hosts())
        .containsExactly("*.default.svc.cluster.local");
    for (String[] c :
        new String[][] {
          {"\"*\"", "wildcard host * is not allowed for virtual services bound to the mesh"},
          {"\"foo.*.com\"", "domain name \"foo.*.com\" invalid"},
          {"\"*foo.com\"", "domain name \"*foo.com\" invalid"}
        }) {
      try {
        IstioYamlParser.parse(base.formatted(c[0]), "vs.yaml", "default");
        throw new AssertionError("accepted: " + c[0]);
      } catch (InvalidConfigException e) {
        assertThat(e.getMessage()).contains("spec.hosts[0]").contains(c[1]).contains("vs.yaml:5:");
      }
    }
  }
}
