package dev.meshproof.scenario.yaml;

import static dev.meshproof.scenario.yaml.YamlSupport.putList;

import dev.meshproof.runtime.security.MeshSecurity;
import dev.meshproof.scenario.ScenarioSecurity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes a scenario's {@code security} block. */
final class SecurityWriter {
  private SecurityWriter() {}

  static Map<String, Object> security(ScenarioSecurity security) {
    Map<String, Object> out = new LinkedHashMap<>();
    MeshSecurity ca =
        security
            .ca()
            .orElseThrow(
                () ->
                    new UnsupportedOperationException(
                        "service accounts or clients without a sidecar in a mesh without a CA have"
                            + " no scenario-file form (expected: Scenario.Builder.security(..))"));
    MeshSecurity defaults = MeshSecurity.defaults();
    if (!ca.trustDomain().equals(defaults.trustDomain())) {
      out.put("trustDomain", ca.trustDomain());
    }
    if (!ca.workloadCertTtl().equals(defaults.workloadCertTtl())) {
      out.put("workloadCertTtl", ca.workloadCertTtl());
    }
    if (ca.cacerts().isPresent()) {
      throw new UnsupportedOperationException(
          "a plug-in cacerts directory has no scenario-file form yet (expected: a generated root)");
    }
    if (!ca.autoMtls()) {
      out.put("autoMtls", false);
    }
    if (!ca.extensionProviders().isEmpty()) {
      List<Map<String, Object>> providers = new ArrayList<>();
      for (var p : ca.extensionProviders()) {
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("service", p.service());
        http.put("port", (long) p.port());
        if (!p.pathPrefix().isEmpty()) {
          http.put("pathPrefix", p.pathPrefix());
        }
        p.timeout().ifPresent(t -> http.put("timeout", t));
        if (p.failOpen()) {
          http.put("failOpen", true);
        }
        p.statusOnError().ifPresent(c -> http.put("statusOnError", String.valueOf(c)));
        putList(http, "includeRequestHeadersInCheck", p.includeRequestHeadersInCheck());
        if (!p.includeAdditionalHeadersInCheck().isEmpty()) {
          http.put(
              "includeAdditionalHeadersInCheck",
              new TreeMap<>(p.includeAdditionalHeadersInCheck()));
        }
        putList(http, "headersToUpstreamOnAllow", p.headersToUpstreamOnAllow());
        putList(http, "headersToDownstreamOnDeny", p.headersToDownstreamOnDeny());
        putList(http, "headersToDownstreamOnAllow", p.headersToDownstreamOnAllow());
        Map<String, Object> provider = new LinkedHashMap<>();
        provider.put("name", p.name());
        provider.put("envoyExtAuthzHttp", http);
        providers.add(provider);
      }
      out.put("extensionProviders", providers);
    }
    if (!security.serviceAccounts().isEmpty()) {
      out.put("serviceAccounts", security.serviceAccounts());
    }
    if (!security.clientsWithoutSidecar().isEmpty()) {
      out.put("clientsWithoutSidecar", security.clientsWithoutSidecar());
    }
    return out;
  }
}
