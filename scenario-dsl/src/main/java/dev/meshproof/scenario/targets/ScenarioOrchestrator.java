package dev.meshproof.scenario.targets;

import dev.meshproof.chaos.ChaosEvent;
import dev.meshproof.chaos.ChaosRun;
import dev.meshproof.chaos.ChaosTimeline;
import dev.meshproof.fake.journal.JournalEntry;
import dev.meshproof.runtime.analyze.Analyzer;
import dev.meshproof.runtime.analyze.Finding;
import dev.meshproof.runtime.analyze.MessageCode;
import dev.meshproof.runtime.analyze.RegistryPod;
import dev.meshproof.runtime.analyze.RegistryService;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.Seeds;
import dev.meshproof.scenario.chaos.ChaosPlan;
import dev.meshproof.scenario.chaos.Rollback;
import dev.meshproof.scenario.chaos.SteadyState;
import dev.meshproof.scenario.expect.MirrorExpectation;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ProxyEvidence;
import dev.meshproof.scenario.result.RollbackResult;
import dev.meshproof.scenario.result.TrafficTimeline;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import dev.meshproof.scenario.traffic.TrafficRunner;
import dev.meshproof.scenario.traffic.TrafficSpec;
import dev.meshproof.scenario.traffic.UpstreamAttemptObservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * What running a scenario means on any target: deploy the topology, apply the Istio configuration,
 * wait until every proxy ACKed it, start the chaos plan, send the traffic, stop the chaos (every
 * fault reverted) and collect the evidence. The {@link Deployment} is closed and every fault
 * reverted also when a step fails; a fault that cannot be applied or reverted fails the run. A
 * chaos experiment ({@link ChaosPlan#isExperiment()}) checks its steady-state hypothesis before and
 * after that method and always runs its rollbacks (see {@link ExperimentRun}).
 */
public final class ScenarioOrchestrator {
  private ScenarioOrchestrator() {}

  /**
   * Runs {@code scenario} on what {@code deployer} deploys.
   *
   * @throws ScenarioAbortedException when the scenario cannot reach its traffic
   */
  public static TargetRun run(Scenario scenario, Deployer deployer) {
    List<String> findings = analyze(scenario);
    try (Deployment deployment = deployer.deploy(scenario, Seeds.of(scenario))) {
      for (IstioSource source : scenario.istio()) {
        deployment.apply(source);
      }
      deployment.awaitSynced();

      ChaosPlan plan = scenario.chaos();
      List<RequestObservation> observations;
      List<ChaosEvent> chaosEvents;
      Optional<ExperimentRun> experiment = Optional.empty();
      if (plan.isExperiment()) {
        Experiment ran = runExperiment(scenario, deployment);
        observations = ran.method().observations();
        chaosEvents = ran.method().events();
        experiment = Optional.of(ran.run());
      } else {
        Method method = runMethod(scenario, deployment);
        observations = method.observations();
        chaosEvents = method.events();
        Optional<String> failure = method.failure();
        if (failure.isPresent()) {
          // A fault that could not be applied (or undone) makes the run meaningless: loudly.
          Map<String, String> evidence = new LinkedHashMap<>(proxyLogAttachments(deployment));
          evidence.put("chaos_events", eventLog(chaosEvents));
          throw new ScenarioAbortedException("chaos: " + failure.get(), evidence, null);
        }
      }

      if (scenario.expectations().stream().anyMatch(MirrorExpectation.class::isInstance)) {
        awaitMirrorCopies(deployment);
      }
      // Joined by x-request-id: the client sidecar's access-log line, then the services' journal.
      observations =
          joinAttempts(withProxyEvidence(observations, deployment), deployment.journal());
      Map<String, String> attachments = new LinkedHashMap<>();
      if (!chaosEvents.isEmpty()) {
        attachments.put("chaos_events", eventLog(chaosEvents));
      }
      List<String> notSimulated = new ArrayList<>(scenario.notSimulated());
      notSimulated.addAll(deployment.notSimulated());
      if (!notSimulated.isEmpty()) {
        // Accepted but without effect on the run: listed, never silently dropped.
        attachments.put("not_simulated", String.join("\n", notSimulated));
      }
      deployment
          .configDumps()
          .forEach((workload, dump) -> attachments.put("config_dump " + workload, dump));
      if (!observations.stream()
          .allMatch(r -> r.kind() == HttpOutcome.Kind.RESPONSE && r.status() < 500)) {
        // Failed requests are explained by the proxies' own words, when they keep a log.
        attachments.putAll(proxyLogAttachments(deployment));
        // And by each proxy's requests in Envoy's default access-log format, response flags
        // included, where the proxy keeps that sink.
        deployment
            .accessLogTexts()
            .forEach((workload, text) -> attachments.put("access_log " + workload, text));
      }
      // Proxy statistics judged by an expectation must be read; otherwise they are read for the
      // report's Istio metrics table, and a proxy that cannot answer (stopped by chaos) only
      // leaves the table out.
      boolean judged =
          scenario.expectations().stream()
              .anyMatch(
                  e ->
                      e instanceof dev.meshproof.scenario.expect.MetricExpectation
                          || e instanceof dev.meshproof.scenario.expect.StatExpectation);
      Map<String, dev.meshproof.scenario.traffic.ProxyMetrics> read;
      if (judged) {
        read = deployment.proxyMetrics();
      } else {
        try {
          read = deployment.proxyMetrics();
        } catch (RuntimeException unreadable) {
          read = Map.of();
        }
      }
      String table = dev.meshproof.scenario.traffic.IstioMetricsTable.of(read);
      if (!table.isEmpty()) {
        attachments.put(dev.meshproof.scenario.traffic.IstioMetricsTable.ATTACHMENT, table);
      }
      Map<String, dev.meshproof.scenario.traffic.ProxyMetrics> proxyMetrics =
          judged ? read : Map.of();
      return new TargetRun(
          new Observations(observations, proxyMetrics),
          attachments,
          findings,
          experiment,
          faultWindows(chaosEvents));
    }
  }

  /** The method's traffic and what its faults did. */
  private record Method(List<RequestObservation> observations, List<ChaosEvent> events) {
    /** The faults that could not be injected or reverted, with why. */
    Optional<String> failure() {
      List<String> failed =
          events.stream()
              .filter(e -> e.kind() == ChaosEvent.Kind.FAILED)
              .map(ChaosEvent::toString)
              .toList();
      return failed.isEmpty()
          ? Optional.empty()
          : Optional.of("a fault failed: " + String.join("; ", failed));
    }
  }

  private record Experiment(Method method, ExperimentRun run) {}

  /**
   * The chaos timeline while every traffic block runs; faults at offset zero are in force before
   * the first request, and every fault is reverted before this returns.
   */
  private static Method runMethod(Scenario scenario, Deployment deployment) {
    ChaosTimeline timeline = scenario.chaos().resolve(deployment);
    List<RequestObservation> observations = new ArrayList<>();
    try (ChaosRun chaos = ChaosRun.onSystemClock(timeline).start()) {
      for (TrafficSpec traffic : scenario.traffic()) {
        observations.addAll(
            TrafficRunner.run(
                counted(deployment.client(traffic.from()), chaos), traffic, scenario.seed()));
      }
      // Reverting before collecting the events puts the REVERTED entries in the log.
      chaos.close();
      return new Method(observations, chaos.events());
    }
  }

  /**
   * {@code client} telling {@code chaos} of each request it completed, for faults that start after
   * a number of requests (closed-loop HTTP1 traffic sends through {@link TrafficClient#send}; the
   * scenario refuses the others with such a fault).
   */
  private static dev.meshproof.scenario.traffic.TrafficClient counted(
      dev.meshproof.scenario.traffic.TrafficClient client, ChaosRun chaos) {
    return new dev.meshproof.scenario.traffic.TrafficClient() {
      @Override
      public java.util.concurrent.CompletableFuture<HttpOutcome> send(
          dev.meshproof.runtime.client.HttpRequestSpec request) {
        // The request counts as answered once the faults its completion triggers are armed, so
        // the next one-at-a-time request meets them; the arming runs on the chaos scheduler, never
        // on this (event-loop) thread.
        java.util.concurrent.CompletableFuture<HttpOutcome> sent = client.send(request);
        return sent.handle((outcome, error) -> chaos.requestCompleted())
            .thenCompose(armed -> armed)
            // A fault that failed to arm is an event of the run; the request's outcome stands.
            .handle((armed, armError) -> (Void) null)
            .thenCompose(ignored -> sent);
      }

      @Override
      public java.net.InetSocketAddress outbound(int port) {
        return client.outbound(port);
      }
    };
  }

  /**
   * A chaos experiment (Chaos Toolkit's order): the steady-state hypothesis over a probe window,
   * the method only if it held, the hypothesis again, and the rollbacks in a {@code finally}, so
   * they run also when a step throws or the thread is interrupted.
   */
  private static Experiment runExperiment(Scenario scenario, Deployment deployment) {
    ChaosPlan plan = scenario.chaos();
    List<ExpectationResult> before = List.of();
    List<ExpectationResult> after = List.of();
    boolean methodRan = false;
    Optional<String> methodFailure = Optional.empty();
    Method method = new Method(List.of(), List.of());
    List<RollbackResult> rollbacks;
    try {
      if (plan.steadyState().isPresent()) {
        before = checkHypothesis(plan.steadyState().get(), true, deployment, scenario.seed());
      }
      if (before.stream().allMatch(ExpectationResult::passed)) {
        methodRan = true;
        try {
          method = runMethod(scenario, deployment);
          methodFailure = method.failure();
        } catch (RuntimeException e) {
          methodFailure = Optional.of("the method threw " + e);
        }
        if (plan.steadyState().isPresent()) {
          after = checkHypothesis(plan.steadyState().get(), false, deployment, scenario.seed());
        }
      }
    } finally {
      rollbacks = runRollbacks(plan.rollbacks(), deployment);
    }
    return new Experiment(
        method, new ExperimentRun(before, methodRan, methodFailure, after, rollbacks));
  }

  /** The hypothesis judged over one probe window; a probe that throws fails the hypothesis. */
  private static List<ExpectationResult> checkHypothesis(
      SteadyState hypothesis, boolean before, Deployment deployment, long seed) {
    TrafficSpec probe = hypothesis.probe(before);
    List<RequestObservation> window;
    try {
      window =
          joinAttempts(
              withProxyEvidence(
                  TrafficRunner.run(deployment.client(probe.from()), probe, seed), deployment),
              deployment.journal());
    } catch (RuntimeException e) {
      return List.of(
          new ExpectationResult(
              "steady-state probe " + probe.name(),
              false,
              "the probe threw " + e,
              Map.of(),
              List.of()));
    }
    Observations observed = new Observations(window);
    return hypothesis.expectations().stream().map(e -> e.evaluate(observed)).toList();
  }

  /** Every rollback in order; one failing does not stop the others. */
  private static List<RollbackResult> runRollbacks(
      List<Rollback> rollbacks, Deployment deployment) {
    List<RollbackResult> results = new ArrayList<>();
    for (Rollback rollback : rollbacks) {
      Optional<String> failure = Optional.empty();
      try {
        rollback.run(deployment);
      } catch (RuntimeException e) {
        failure = Optional.of(e.toString());
      }
      results.add(new RollbackResult(rollback.description(), failure));
    }
    return results;
  }

  private static String eventLog(List<ChaosEvent> events) {
    return events.stream().map(ChaosEvent::toString).collect(Collectors.joining("\n"));
  }

  /**
   * When each fault was in force, by the chaos run's log: from INJECTED to the next REVERTED of the
   * same fault (the log always reverts at the end, so every injection has one).
   */
  static List<TrafficTimeline.FaultWindow> faultWindows(List<ChaosEvent> events) {
    List<TrafficTimeline.FaultWindow> windows = new ArrayList<>();
    Map<String, ChaosEvent> open = new LinkedHashMap<>();
    for (ChaosEvent e : events) {
      switch (e.kind()) {
        case INJECTED -> open.put(e.fault(), e);
        case REVERTED -> {
          ChaosEvent injected = open.remove(e.fault());
          if (injected != null) {
            windows.add(
                new TrafficTimeline.FaultWindow(
                    e.fault(), injected.at().toNanos() / 1e6, e.at().toNanos() / 1e6));
          }
        }
        case FAILED -> {
          // Listed in the chaos_events attachment; a fault that failed to apply has no window.
        }
      }
    }
    return windows;
  }

  /**
   * Runs the analyzer ({@code istioctl analyze}) on the scenario's Istio YAML, with the topology's
   * services as the registry: an error aborts the scenario before anything is deployed, with every
   * finding in the message; warnings and infos are returned for the result.
   */
  static List<String> analyze(Scenario scenario) {
    List<Analyzer.Source> sources =
        scenario.istio().stream()
            .map(IstioSource::withStandInAppPorts)
            .map(s -> new Analyzer.Source(s.source(), s.yaml()))
            .toList();
    List<RegistryService> registry =
        scenario.services().stream()
            .map(
                s ->
                    new RegistryService(
                        s.name(),
                        "default",
                        s.ports().stream()
                            .map(dev.meshproof.scenario.ServiceSpec.Port::port)
                            .toList()))
            .toList();
    // The topology's pods, as the deployment labels them, for Sidecar selectors and subsets.
    List<RegistryPod> pods = new java.util.ArrayList<>();
    for (var service : scenario.services()) {
      for (String version : service.replicasByVersion().keySet()) {
        for (String instance : service.instanceNames(version)) {
          pods.add(
              new RegistryPod(
                  instance, "default", Map.of("app", service.name(), "version", version)));
        }
      }
    }
    for (String client : scenario.clients()) {
      pods.add(
          client.equals(Scenario.INGRESS_GATEWAY)
              ? new RegistryPod(
                  client,
                  "istio-system",
                  dev.meshproof.runtime.WorkloadSpec.ingressGateway().build().labels())
              : new RegistryPod(client + "-0", "default", Map.of("app", client)));
    }
    // A document the analyzer cannot read is left to the parser, which names its file:line:column
    // and field path when the configuration is applied.
    List<Finding> findings =
        Analyzer.analyze(sources, registry, pods).stream()
            .filter(f -> f.code() != MessageCode.INVALID_DOCUMENT)
            .toList();
    List<String> lines = findings.stream().map(Finding::toString).toList();
    // IST0173 (a subset selecting no pod) is an Error in Istio but does not stop a scenario:
    // Bookinfo's destination-rule-all.yaml names versions the sample does not deploy, and traffic
    // routed to such a subset is itself evidence (503 UH). It stays among the findings.
    if (findings.stream()
        .anyMatch(
            f ->
                f.level() == MessageCode.Level.ERROR
                    && f.code() != MessageCode.DESTINATION_RULE_SUBSET_NOT_SELECT_PODS)) {
      throw new ScenarioAbortedException(
          "Istio configuration analysis found errors (istioctl analyze):\n"
              + String.join("\n", lines),
          Map.of("analysis", String.join("\n", lines)),
          null);
    }
    return lines;
  }

  /**
   * Each request with the upstream attempts the services journaled under its {@code x-request-id},
   * in arrival order: the per-attempt evidence, the same on every target. Mirror copies (shadow
   * requests, {@link JournalEntry#mirrored()}) share the request id but are not attempts: they are
   * joined as the request's mirrors.
   */
  static List<RequestObservation> joinAttempts(
      List<RequestObservation> observations, List<JournalEntry> journal) {
    Map<String, List<UpstreamAttemptObservation>> byId = new HashMap<>();
    Map<String, List<UpstreamAttemptObservation>> mirrorsById = new HashMap<>();
    journal.stream()
        .filter(e -> e.requestId() != null)
        .sorted(java.util.Comparator.comparing(JournalEntry::timestamp))
        .forEach(
            e ->
                (e.mirrored() ? mirrorsById : byId)
                    .computeIfAbsent(e.requestId(), id -> new ArrayList<>())
                    .add(
                        new UpstreamAttemptObservation(
                            e.instance(),
                            e.status(),
                            e.timestamp(),
                            e.serviceTime(),
                            e.envoyAttemptCount(),
                            e.authority() == null ? "" : e.authority(),
                            e.callerIdentity() == null ? "" : e.callerIdentity())));
    return observations.stream()
        .map(
            o ->
                o.withAttempts(
                    byId.getOrDefault(o.requestId(), List.of()),
                    mirrorsById.getOrDefault(o.requestId(), List.of())))
        .toList();
  }

  /** How long mirror copies still in flight after the traffic may take to arrive. */
  private static final Duration MIRROR_WAIT = Duration.ofSeconds(5);

  /**
   * Mirror copies are fire and forget: the last requests' copies can arrive after their primary
   * answered. Waits until the number of journaled copies has not changed for 250 ms (at most {@link
   * #MIRROR_WAIT}), so a mirror expectation counts every copy the proxies sent.
   */
  private static void awaitMirrorCopies(Deployment deployment) {
    long deadline = System.nanoTime() + MIRROR_WAIT.toNanos();
    long last = -1;
    int stablePolls = 0;
    while (stablePolls < 5 && System.nanoTime() < deadline) {
      long copies = deployment.journal().stream().filter(JournalEntry::mirrored).count();
      stablePolls = copies == last ? stablePolls + 1 : 0;
      last = copies;
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }

  /** How long to wait for a proxy to write the access-log lines of answered requests. */
  private static final Duration ACCESS_LOG_WAIT = Duration.ofSeconds(5);

  /**
   * Joins each request to what its client's sidecar logged for it, by {@code x-request-id}. Envoy
   * writes its access log after the response and flushes it on a timer, so the lines of answered
   * requests are awaited (at most {@link #ACCESS_LOG_WAIT}); a request that ended without a
   * response is joined when its line is there, never awaited.
   */
  static List<RequestObservation> withProxyEvidence(
      List<RequestObservation> observations, Deployment deployment) {
    Map<String, Map<String, Map<String, String>>> byClient = new LinkedHashMap<>();
    for (String client : observations.stream().map(RequestObservation::from).distinct().toList()) {
      Set<String> answered =
          observations.stream()
              .filter(r -> r.from().equals(client) && r.kind() == HttpOutcome.Kind.RESPONSE)
              .map(RequestObservation::requestId)
              .collect(Collectors.toSet());
      if (deployment.accessLog(client).isEmpty()) {
        byClient.put(client, Map.of());
        continue;
      }
      long deadline = System.nanoTime() + ACCESS_LOG_WAIT.toNanos();
      Map<String, Map<String, String>> lines = accessLogById(deployment, client);
      while (!lines.keySet().containsAll(answered) && System.nanoTime() < deadline) {
        LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        lines = accessLogById(deployment, client);
      }
      byClient.put(client, lines);
    }
    Map<String, Deployment.Instance> own = deployment.ownAppInstances();
    List<RequestObservation> joined = new ArrayList<>(observations.size());
    for (RequestObservation r : observations) {
      Map<String, String> line = byClient.get(r.from()).get(r.requestId());
      if (line == null) {
        joined.add(r);
        continue;
      }
      ProxyEvidence evidence = ProxyEvidence.fromAccessLog(line);
      RequestObservation withProxy = r.withProxy(evidence);
      Deployment.Instance served = own.get(evidence.upstreamHost());
      // The user's own app does not name itself: its upstream host does, when the answer came
      // from it (no response flag: not a local reply of a proxy).
      if (served != null
          && r.instance().isEmpty()
          && r.kind() == HttpOutcome.Kind.RESPONSE
          && evidence.responseFlags().equals("-")) {
        withProxy = withProxy.withServedBy(served.service(), served.version(), served.instance());
      }
      joined.add(withProxy);
    }
    return joined;
  }

  private static Map<String, Map<String, String>> accessLogById(
      Deployment deployment, String client) {
    Map<String, Map<String, String>> byId = new HashMap<>();
    for (Map<String, String> line : deployment.accessLog(client).orElse(List.of())) {
      String id = line.get("request_id");
      if (id != null && !id.equals("-")) {
        byId.putIfAbsent(id, line);
      }
    }
    return byId;
  }

  /** The proxies' logs as attachments ({@code proxy_log <workload>}), for any abort or failure. */
  static Map<String, String> proxyLogAttachments(Deployment deployment) {
    Map<String, String> logs = new LinkedHashMap<>();
    deployment.proxyLogs().forEach((workload, log) -> logs.put("proxy_log " + workload, log));
    return logs;
  }
}
