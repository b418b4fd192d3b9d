package dev.meshproof.scenario.yaml;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the MeshConfig {@code extensionProviders} of a scenario file's {@code security}. */
final class ExtensionProviderReader {
  private ExtensionProviderReader() {}

  /** A MeshConfig {@code extensionProviders} entry with an {@code envoyExtAuthzHttp} block. */
  static dev.meshproof.runtime.config.ExtensionProvider extensionProvider(Value item) {
    Value http = item.get("envoyExtAuthzHttp").orElseThrow();
    Optional<Integer> statusOnError =
        http.string("statusOnError")
            .map(
                code -> {
                  if (!code.matches("[0-9]{3}")) {
                    throw new IllegalArgumentException(
                        "envoyExtAuthzHttp.statusOnError: \""
                            + code
                            + "\" (expected: an HTTP status, e.g. \"503\")");
                  }
                  return Integer.parseInt(code);
                });
    return new dev.meshproof.runtime.config.ExtensionProvider(
        item.string("name").orElseThrow(),
        http.string("service").orElseThrow(),
        http.integer("port").orElseThrow().intValue(),
        http.duration("timeout"),
        http.string("pathPrefix").orElse(""),
        http.bool("failOpen").orElse(false),
        statusOnError,
        strings(http, "includeRequestHeadersInCheck"),
        http.get("includeAdditionalHeadersInCheck")
            .map(
                v -> {
                  Map<String, String> out = new java.util.LinkedHashMap<>();
                  v.fields().forEach((k, x) -> out.put(k, (String) x.value()));
                  return out;
                })
            .orElse(Map.of()),
        strings(http, "headersToUpstreamOnAllow"),
        strings(http, "headersToDownstreamOnDeny"),
        strings(http, "headersToDownstreamOnAllow"));
  }

  static List<String> strings(Value v, String field) {
    return v.get(field)
        .map(list -> list.items().stream().map(x -> (String) x.value()).toList())
        .orElse(List.of());
  }
}
