package dev.meshproof.scenario.targets;

import dev.meshproof.fake.journal.JournalEntry;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.chaos.ChaosHandles;
import dev.meshproof.scenario.traffic.TrafficClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A scenario's topology running on one target: its services' instances, its client workloads and
 * the mesh they are in. It hands out interface handles only (the chaos module's instance, service
 * and config handles, a {@link TrafficClient} per client), so the {@link ScenarioOrchestrator}
 * drives an embedded mesh and a Kubernetes cluster alike. Closing it tears everything down.
 */
public interface Deployment extends ChaosHandles, AutoCloseable {

  /**
   * Applies Istio YAML as {@code kubectl apply} would.
   *
   * @throws ScenarioAbortedException when the YAML is invalid, with file:line:column for the user
   */
  void apply(IstioSource source);

  /**
   * Waits until every proxy ACKed the applied configuration.
   *
   * @throws ScenarioAbortedException on a NACK (with the proxy's own error detail) or a timeout,
   *     with the proxies' logs attached
   */
  void awaitSynced();

  /** The app of the client workload {@code client} (a name the scenario declared). */
  TrafficClient client(String client);

  /**
   * Every request the services' instances received so far, from their request journals: the
   * evidence of each upstream attempt, joined to the client's requests by {@code x-request-id}.
   */
  List<JournalEntry> journal();

  /**
   * The access-log lines of the sidecar of client workload {@code client}, oldest first, each as
   * its JSON keys and values ({@code request_id}, {@code route_name}, {@code upstream_cluster},
   * ...): the same keys and values on every target. Empty when the target keeps no access log.
   */
  default Optional<List<Map<String, String>>> accessLog(String client) {
    return Optional.empty();
  }

  /** A service instance: its service, version and instance (pod) name. */
  record Instance(String service, String version, String instance) {}

  /**
   * The instances whose app is the user's own server, by the upstream host a client's sidecar logs
   * for them ({@code 127.0.0.1:<port>} of their sidecar's inbound listener): such an app does not
   * name itself in its answers as the echo does, so its requests are attributed by this.
   */
  default Map<String, Instance> ownAppInstances() {
    return Map.of();
  }

  /**
   * The applied resources of kinds the target accepts but does not simulate (an EnvoyFilter, a
   * ConfigMap, ...), each as {@code apiVersion kind namespace/name (file:line)}.
   */
  default List<String> notSimulated() {
    return List.of();
  }

  /** Each client workload's proxy configuration dump, by workload name. */
  Map<String, String> configDumps();

  /**
   * Each proxy's statistics as its admin interface shows them now, by workload instance; empty on a
   * target whose proxies have no admin interface here.
   */
  default Map<String, dev.meshproof.scenario.traffic.ProxyMetrics> proxyMetrics() {
    return Map.of();
  }

  /**
   * Each proxy's requests in Envoy's default access-log format, by workload instance, where the
   * proxy keeps that in-memory sink (the embedded sidecar); proxies with none are left out.
   */
  default Map<String, String> accessLogTexts() {
    return Map.of();
  }

  /** Each proxy's log by workload name, for those that keep one and logged something. */
  Map<String, String> proxyLogs();

  /** Stops every instance and workload, and the mesh. */
  @Override
  void close();
}
