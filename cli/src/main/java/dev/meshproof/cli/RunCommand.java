package dev.meshproof.cli;

import dev.meshproof.conformance.MeshproofVersion;
import dev.meshproof.k8s.k3s.K3sKubernetesTarget;
import dev.meshproof.k8s.k3s.K3sThrowawayCluster;
import dev.meshproof.k8s.snapshot.ClusterSnapshot;
import dev.meshproof.k8s.target.KubernetesTarget;
import dev.meshproof.k8s.target.KubernetesTargetOptions;
import dev.meshproof.reports.ConformanceReport;
import dev.meshproof.reports.ConformanceTestResult;
import dev.meshproof.reports.Implementation;
import dev.meshproof.reports.ReportFiles;
import dev.meshproof.reports.ReportWriter;
import dev.meshproof.reports.SupportLevel;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.ServiceSpec;
import dev.meshproof.scenario.compare.TargetComparison;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.traffic.TrafficRunner;
import dev.meshproof.scenario.traffic.TrafficSpec;
import dev.meshproof.scenario.yaml.ScenarioFile;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meshproof run <file|dir>...}: reads every scenario first (a bad file stops the run before
 * anything starts), runs each on each target with progress, prints a summary table and exits 0, 1
 * or 3.
 */
@Command(name = "run", description = "Runs scenario files and judges their expectations.")
final class RunCommand implements Callable<Integer> {
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  /**
   * The alpha of each cross-target comparison of a run on several targets: the DSL's default
   * significance level (expectations state theirs; a comparison has no place to).
   */
  static final double COMPARISON_ALPHA = 0.001;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "<file|dir>",
      description = "scenario files or directories")
  List<Path> files;

  @Option(
      names = "--target",
      defaultValue = "embedded",
      description = "embedded, envoy, all or kubernetes (default: ${DEFAULT-VALUE})")
  TargetChoice target;

  @Option(
      names = "--kubeconfig",
      paramLabel = "PATH",
      description =
          "--target kubernetes: the cluster's kubeconfig (default: $KUBECONFIG, else"
              + " ~/.kube/config)")
  Path kubeconfig;

  @Option(
      names = "--config-from-cluster",
      description =
          "adds the Istio configuration of the cluster (--kubeconfig/--context, --namespace) to"
              + " each scenario before its own, and its Services and Deployments beside the"
              + " scenario's own workloads, to check a change against another team's routing")
  boolean configFromCluster;

  @Option(
      names = "--k3s",
      description =
          "--target kubernetes or all: on a throwaway k3s cluster in Docker (Testcontainers), with"
              + " Istio installed by istioctl ($ISTIOCTL or -Dmeshproof.istioctl) and the images"
              + " Jib wrote to k8s-envs/target imported; removed afterwards")
  boolean k3s;

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      description = "--config-from-cluster: a namespace to read (repeatable; default: default)")
  List<String> namespaces;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "--target kubernetes: the kubeconfig context (default: its current one)")
  String context;

  @Option(names = "--seed", description = "overrides every scenario's seed, to replay a run")
  Long seed;

  @Option(
      names = "--istio",
      paramLabel = "VERSION",
      description = "the Istio release to emulate, e.g. 1.28")
  String istio;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description = "writes the HTML/JSON/YAML report here")
  Path report;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<IstioVersion> version = Options.istioVersion(istio, err);
    if (istio != null && version.isEmpty()) {
      return ExitCodes.BAD_INPUT;
    }
    Optional<List<ScenarioFile>> read = ScenarioInputs.readAll(files, err);
    if (read.isEmpty()) {
      return ExitCodes.BAD_INPUT;
    }
    List<Target> targets =
        target == TargetChoice.kubernetes ? List.of(kubernetesTarget()) : target.targets();
    if (target == TargetChoice.all
        && (kubeconfig != null || k3s)
        && targets.stream().noneMatch(t -> t.name().equals(KubernetesTarget.NAME))) {
      // --target all with a named cluster: kubernetes beside embedded and envoy, compared with
      // them.
      targets = new ArrayList<>(targets);
      targets.add(kubernetesTarget());
    }
    Optional<ClusterSnapshot> cluster = Optional.empty();
    if (configFromCluster) {
      try (KubernetesClient client = KubernetesTarget.connect(kubernetesOptions())) {
        cluster =
            Optional.of(
                ClusterSnapshot.read(
                    client,
                    context == null ? "(current context)" : context,
                    namespaces == null || namespaces.isEmpty() ? List.of("default") : namespaces));
      } catch (RuntimeException e) {
        err.println("--config-from-cluster: cannot read the cluster: " + e.getMessage());
        return ExitCodes.BAD_INPUT;
      }
      out.println("config from " + cluster.get().source());
    }
    List<Scenario> scenarios = new ArrayList<>();
    for (ScenarioFile file : read.get()) {
      Scenario own = file.scenario();
      Scenario scenario = own;
      if (cluster.isPresent()) {
        try {
          Scenario withCluster = cluster.get().addTo(own);
          List<String> added = new ArrayList<>();
          withCluster.services().stream()
              .map(ServiceSpec::name)
              .filter(n -> own.services().stream().noneMatch(s -> s.name().equals(n)))
              .forEach(added::add);
          withCluster.clients().stream()
              .filter(c -> !own.clients().contains(c))
              .forEach(c -> added.add(c + " (client)"));
          out.println(
              own.name()
                  + ": workloads from the cluster beside the scenario's own: "
                  + (added.isEmpty() ? "none" : String.join(", ", added)));
          scenario = withCluster;
        } catch (InvalidConfigException | IllegalArgumentException e) {
          err.println("--config-from-cluster: " + e.getMessage());
          return ExitCodes.BAD_INPUT;
        }
      }
      scenarios.add(scenario);
    }
    int total = read.get().size() * targets.size();
    List<ScenarioResult> results = new ArrayList<>();
    List<ScenarioFile> ran = new ArrayList<>();
    long start = System.nanoTime();
    ScheduledExecutorService heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshproof-progress");
              t.setDaemon(true);
              return t;
            });
    try {
      int n = 0;
      for (int f = 0; f < scenarios.size(); f++) {
        ScenarioFile file = read.get().get(f);
        Scenario scenario = scenarios.get(f);
        if (seed != null) {
          scenario = scenario.withSeed(seed);
        }
        if (version.isPresent()) {
          scenario = scenario.withIstioVersion(version.get());
        }
        for (Target t : targets) {
          n++;
          int index = n;
          String name = scenario.name();
          out.printf(
              "[%d/%d] %s on %s (%s) ...%n", index, total, name, t.name(), planned(scenario));
          long scenarioStart = System.nanoTime();
          long sentBefore = TrafficRunner.requestsSent();
          var tick =
              heartbeat.scheduleAtFixedRate(
                  () ->
                      out.printf(
                          "[%d/%d] %s on %s: %d requests sent, %s elapsed%n",
                          index,
                          total,
                          name,
                          t.name(),
                          TrafficRunner.requestsSent() - sentBefore,
                          seconds(System.nanoTime() - scenarioStart)),
                  HEARTBEAT.toSeconds(),
                  HEARTBEAT.toSeconds(),
                  TimeUnit.SECONDS);
          ScenarioResult result;
          try {
            result = ScenarioRunner.run(scenario, t);
          } finally {
            tick.cancel(false);
          }
          results.add(result);
          ran.add(file);
          out.printf(
              "[%d/%d] %s: %d requests sent in %s (total elapsed %s)%n",
              index,
              total,
              result.status(),
              result.traffic().sent(),
              seconds(result.duration().toNanos()),
              seconds(System.nanoTime() - start));
          if (result.status() != Status.PASSED) {
            out.println(indent(result.failureSummary()));
          }
        }
      }
    } finally {
      heartbeat.shutdownNow();
      for (Target t : targets) {
        if (t instanceof AutoCloseable closeable) {
          try {
            closeable.close();
          } catch (Exception e) {
            err.println(t.name() + ": could not clean up: " + e.getMessage());
          }
        }
      }
    }
    out.println();
    out.print(SummaryTable.render(results));
    List<ExpectationResult> differences = new ArrayList<>();
    for (ScenarioFile file : new java.util.LinkedHashSet<>(ran)) {
      for (ExpectationResult c : comparisons(file, ran, results)) {
        if (!c.passed()) {
          differences.add(c);
          out.println("across targets, " + file.scenario().name() + ": " + c.message());
        }
      }
    }
    if (report != null) {
      ReportFiles written = ReportWriter.write(report(ran, results), report);
      out.println("report: " + written);
    }
    int code = exitCode(results);
    // The same configuration behaving differently on two targets is a finding, as a failed check.
    return differences.isEmpty() || code == ExitCodes.FAILED ? code : ExitCodes.FAILED;
  }

  /**
   * {@code file}'s run on the first target compared with its run on each other one (chi-square
   * homogeneity of every distribution both observed, at {@link #COMPARISON_ALPHA}).
   */
  private static List<ExpectationResult> comparisons(
      ScenarioFile file, List<ScenarioFile> ran, List<ScenarioResult> results) {
    List<ScenarioResult> runs = new ArrayList<>();
    for (int i = 0; i < ran.size(); i++) {
      if (ran.get(i) == file) {
        runs.add(results.get(i));
      }
    }
    return TargetComparison.againstFirst(runs, COMPARISON_ALPHA);
  }

  static int exitCode(List<ScenarioResult> results) {
    if (results.stream().anyMatch(r -> r.status() == Status.FAILED)) {
      return ExitCodes.FAILED;
    }
    if (results.stream().anyMatch(r -> r.status() == Status.SKIPPED)) {
      return ExitCodes.UNAVAILABLE;
    }
    return ExitCodes.PASSED;
  }

  private static ConformanceReport report(List<ScenarioFile> files, List<ScenarioResult> results) {
    ConformanceReport.Builder report =
        ConformanceReport.builder()
            .implementation(Implementation.of("meshproof", "meshproof", MeshproofVersion.VERSION))
            .meshproofVersion(MeshproofVersion.VERSION)
            .istioVersion(files.get(0).scenario().istioVersion().toString())
            .date(Instant.now())
            .mode("meshproof run");
    List<String> done = new ArrayList<>();
    for (ScenarioFile file : files) {
      String id = file.metadata("id").orElse(slug(file.scenario().name()));
      if (done.contains(id)) {
        continue;
      }
      done.add(id);
      ConformanceTestResult.Builder test =
          ConformanceTestResult.builder(id)
              .feature(file.metadata("feature").orElse("Scenario"))
              .supportLevel(SupportLevel.CORE)
              .description(file.metadata("description").orElse(file.scenario().name()))
              // A user's scenario without metadata.specReference points at Istio's docs root.
              .specReference(
                  file.metadata("specReference").orElse("https://istio.io/latest/docs/"));
      for (int i = 0; i < files.size(); i++) {
        if (files.get(i) == file) {
          test.result(results.get(i));
        }
      }
      test.comparisons(comparisons(file, files, results));
      report.test(test.build());
    }
    return report.build();
  }

  private static String slug(String name) {
    String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-");
    return slug.replaceAll("^-+|-+$", "").isEmpty() ? "scenario" : slug.replaceAll("^-+|-+$", "");
  }

  /**
   * The requests a scenario plans, e.g. {@code 400 requests planned}, or with time-bound traffic
   * {@code 400 requests planned + closed loop x2, for 10s, HTTP1}.
   */
  static String planned(Scenario scenario) {
    long known = 0;
    List<String> timeBound = new ArrayList<>();
    for (TrafficSpec traffic : scenario.traffic()) {
      if (traffic.plannedRequests().isPresent()) {
        known += traffic.plannedRequests().getAsLong();
      } else {
        timeBound.add(traffic.plan());
      }
    }
    String text = known + " requests planned";
    return timeBound.isEmpty() ? text : text + " + " + String.join("; ", timeBound);
  }

  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
  }

  private static String indent(String text) {
    return "    " + text.replace("\n", "\n    ");
  }

  /** The kubernetes target on the cluster the flags (or the usual kubeconfig places) name. */
  private Target kubernetesTarget() {
    return k3s
        ? new K3sKubernetesTarget(K3sThrowawayCluster.Settings.fromSystemProperties())
        : KubernetesTarget.on(kubernetesOptions());
  }

  /** The cluster the flags (or $KUBECONFIG, else ~/.kube/config) name. */
  private KubernetesTargetOptions kubernetesOptions() {
    Path config = kubeconfig;
    if (config == null) {
      String env = System.getenv("KUBECONFIG");
      config =
          env != null && !env.isBlank()
              ? Path.of(env.split(java.io.File.pathSeparator)[0])
              : Path.of(System.getProperty("user.home"), ".kube", "config");
    }
    return KubernetesTargetOptions.of(config, Optional.ofNullable(context))
        .withRolloutTimeout(
            KubernetesTargetOptions.fromSystemProperties()
                .map(KubernetesTargetOptions::rolloutTimeout)
                .orElse(Duration.ofMinutes(5)));
  }
}
