package dev.meshproof.scenario.yaml;

import static dev.meshproof.scenario.yaml.ChaosWriter.fault;
import static dev.meshproof.scenario.yaml.ChaosWriter.rollback;
import static dev.meshproof.scenario.yaml.SecurityWriter.security;
import static dev.meshproof.scenario.yaml.TrafficWriter.trafficBlock;
import static dev.meshproof.scenario.yaml.YamlSupport.dumper;
import static dev.meshproof.scenario.yaml.YamlSupport.putNonEmpty;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.scenario.AppSpec;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ServiceSpec;
import dev.meshproof.scenario.chaos.PlannedFault;
import dev.meshproof.scenario.chaos.Rollback;
import dev.meshproof.scenario.chaos.StartOn;
import dev.meshproof.scenario.expect.Expectation;
import dev.meshproof.scenario.traffic.TrafficSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a {@link Scenario} as a scenario file; see {@link ScenarioYaml#write}. */
final class ScenarioWriter {
  private ScenarioWriter() {}

  /** As {@link ScenarioYaml#write}. */
  static String write(Scenario scenario, Map<String, String> metadata, boolean istioAsFiles) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", scenario.name());
    if (!metadata.isEmpty()) {
      out.put("metadata", metadata);
    }
    if (!scenario.istioVersion().equals(IstioVersion.CURRENT)) {
      out.put("istioVersion", scenario.istioVersion().toString());
    }
    if (!scenario.compatibilityVersion().equals(scenario.istioVersion())) {
      out.put("compatibilityVersion", scenario.compatibilityVersion().toString());
    }
    out.put("seed", scenario.seed());
    if (scenario.outboundTrafficPolicy()
        != dev.meshproof.runtime.config.OutboundTrafficPolicy.ALLOW_ANY) {
      out.put("outboundTrafficPolicy", Map.of("mode", scenario.outboundTrafficPolicy().name()));
    }
    Scenario.Manifests manifests = scenario.manifests();
    if (!manifests.sources().isEmpty()) {
      // The manifests stand for the services and clients they declare: not written twice.
      out.put("topology", Map.of("manifests", manifests.sources()));
    }
    List<Object> services = new ArrayList<>();
    for (ServiceSpec service : scenario.services()) {
      if (manifests.services().contains(service.name())) {
        continue;
      }
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("name", service.name());
      if (service.port() != 80) {
        s.put("port", service.port());
      }
      if (!service.portName().equals("http")) {
        s.put("portName", service.portName());
      }
      if (!service.morePorts().isEmpty()) {
        List<Object> more = new ArrayList<>();
        for (ServiceSpec.Port port : service.morePorts()) {
          Map<String, Object> p = new LinkedHashMap<>();
          p.put("name", port.name());
          p.put("port", port.port());
          more.add(p);
        }
        s.put("morePorts", more);
      }
      s.put("versions", service.replicasByVersion());
      if (!service.apps().isEmpty()) {
        Map<String, Object> apps = new LinkedHashMap<>();
        service
            .apps()
            .forEach(
                (version, app) -> {
                  Map<String, Object> a = new LinkedHashMap<>();
                  if (app instanceof AppSpec.Listening listening) {
                    a.put("address", listening.toString());
                  } else if (app instanceof AppSpec.Command command) {
                    a.put("command", command.command());
                    if (!command.env().isEmpty()) {
                      a.put("env", new LinkedHashMap<>(command.env()));
                    }
                    if (!command.startTimeout().equals(AppSpec.Command.DEFAULT_START_TIMEOUT)) {
                      a.put("startTimeout", command.startTimeout());
                    }
                  }
                  apps.put(version, a);
                });
        s.put("apps", apps);
      }
      scenario
          .security()
          .tlsOf(service.name())
          .ifPresent(
              tls -> {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put(
                    "certificate", fileSource(scenario, "tls/" + service.name() + "/certificate"));
                t.put("privateKey", fileSource(scenario, "tls/" + service.name() + "/privateKey"));
                if (tls.clientCaPem().isPresent()) {
                  t.put(
                      "clientCaCertificates",
                      fileSource(scenario, "tls/" + service.name() + "/clientCaCertificates"));
                }
                s.put("tls", t);
              });
      services.add(s);
    }
    putNonEmpty(out, "services", services);
    List<String> clients =
        scenario.clients().stream().filter(c -> !manifests.clients().contains(c)).toList();
    if (manifests.sources().isEmpty()) {
      out.put("clients", clients);
    } else {
      putNonEmpty(out, "clients", new ArrayList<>(clients));
    }
    if (!scenario.security().isMeshSecurityNone()) {
      out.put("security", security(scenario.security()));
    }
    if (!scenario.security().proxyFiles().isEmpty()) {
      Map<String, Object> files = new LinkedHashMap<>();
      scenario
          .security()
          .proxyFiles()
          .keySet()
          .forEach(p -> files.put(p, fileSource(scenario, "proxyFiles/" + p)));
      out.put("proxyFiles", files);
    }
    if (!scenario.localities().isEmpty()) {
      out.put("localities", new LinkedHashMap<>(scenario.localities()));
    }
    List<Object> istio = new ArrayList<>();
    for (IstioSource source : scenario.istio()) {
      istio.add(
          istioAsFiles
              ? Map.of("file", source.source())
              : new LinkedHashMap<>(Map.of("source", source.source(), "inline", source.yaml())));
    }
    putNonEmpty(out, "istio", istio);
    List<Object> traffic = new ArrayList<>();
    for (TrafficSpec t : scenario.traffic()) {
      traffic.add(trafficBlock(t));
    }
    out.put("traffic", traffic);
    List<Object> chaos = new ArrayList<>();
    for (PlannedFault planned : scenario.chaos().faults()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("at", planned.at());
      planned.duration().ifPresent(d -> entry.put("duration", d));
      planned
          .after()
          .ifPresent(
              after ->
                  entry.put(
                      "after",
                      after instanceof StartOn.Requests r
                          ? Map.of("requests", r.count())
                          : Map.of("faultEnds", ((StartOn.FaultEnds) after).entry())));
      entry.putAll(fault(planned.fault()));
      chaos.add(entry);
    }
    putNonEmpty(out, "chaos", chaos);
    scenario
        .chaos()
        .steadyState()
        .ifPresent(
            hypothesis -> {
              Map<String, Object> h = new LinkedHashMap<>();
              h.put("probe", trafficBlock(hypothesis.probe()));
              h.put(
                  "expect",
                  new ArrayList<>(
                      hypothesis.expectations().stream().map(Expectation::toYaml).toList()));
              out.put("steadyState", h);
            });
    List<Object> rollbacks = new ArrayList<>();
    for (Rollback rollback : scenario.chaos().rollbacks()) {
      rollbacks.add(rollback(rollback, istioAsFiles));
    }
    putNonEmpty(out, "rollbacks", rollbacks);
    putNonEmpty(
        out,
        "expect",
        new ArrayList<>(scenario.expectations().stream().map(Expectation::toYaml).toList()));
    return dumper().dump(out);
  }

  /** The file a scenario file read for {@code key}; a scenario built in Java has none. */
  static String fileSource(Scenario scenario, String key) {
    String file = scenario.security().fileSources().get(key);
    if (file == null) {
      throw new UnsupportedOperationException(
          key
              + " was given as content in Java and has no file to name (expected: a scenario read"
              + " from a file)");
    }
    return file;
  }
}
