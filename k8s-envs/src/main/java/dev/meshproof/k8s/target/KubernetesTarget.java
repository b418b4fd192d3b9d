package dev.meshproof.k8s.target;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.targets.Deployer;
import dev.meshproof.scenario.targets.DeploymentTarget;
import dev.meshproof.scenario.targets.ScenarioAbortedException;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.TargetRun;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code kubernetes} target: a scenario on a real Kubernetes cluster with real Istio. From the
 * scenario it generates the manifests ({@link dev.meshproof.k8s.manifest.KubernetesManifests}) in a
 * fresh namespace {@code meshproof-<scenario>-<random>}, creates them with fabric8
 * kubernetes-client, waits for the rollout (a stated timeout, failing with the status the server
 * reports), applies the scenario's Istio YAML, sends the traffic from the in-cluster traffic runner
 * of each client, collects the fake services' journals and evaluates the same expectations as on
 * the other targets; everything created is deleted afterwards, also on failure or interrupt.
 *
 * <p>Opt-in: {@code -Dmeshproof.kubernetes.kubeconfig=PATH} (and {@code
 * -Dmeshproof.kubernetes.context=NAME}), or the CLI's {@code --target kubernetes --kubeconfig PATH
 * --context NAME}; otherwise it is skipped with that reason, like the envoy target without Envoy.
 */
public final class KubernetesTarget implements Target {
  /** The name reports show. */
  public static final String NAME = "kubernetes";

  private final Optional<KubernetesTargetOptions> options;
  private final Clock clock;

  private KubernetesTarget(Optional<KubernetesTargetOptions> options, Clock clock) {
    this.options = options;
    this.clock = clock;
  }

  /** The target as the system properties configure it (skipped when they name no kubeconfig). */
  public static KubernetesTarget fromSystemProperties() {
    return new KubernetesTarget(KubernetesTargetOptions.fromSystemProperties(), Clock.systemUTC());
  }

  /** The target on the cluster {@code options} name. */
  public static KubernetesTarget on(KubernetesTargetOptions options) {
    return new KubernetesTarget(Optional.of(options), Clock.systemUTC());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<String> unavailableReason() {
    if (options.isEmpty()) {
      return Optional.of(
          "no cluster named: opt in with -D"
              + KubernetesTargetOptions.KUBECONFIG_PROPERTY
              + "=PATH [-D"
              + KubernetesTargetOptions.CONTEXT_PROPERTY
              + "=NAME] or `meshproof run --target kubernetes --kubeconfig PATH --context NAME`"
              + " (k8s-envs/README.md: a kind cluster with Istio, step by step)");
    }
    KubernetesTargetOptions o = options.get();
    if (!Files.isReadable(o.kubeconfig())) {
      return Optional.of("kubeconfig " + o.kubeconfig() + " cannot be read");
    }
    try (KubernetesClient client = connect(o)) {
      client.getKubernetesVersion();
      return Optional.empty();
    } catch (KubernetesClientException | IllegalStateException | ScenarioAbortedException e) {
      return Optional.of(
          "the cluster of "
              + o.kubeconfig()
              + o.context().map(c -> " (context " + c + ")").orElse("")
              + " is not reachable: "
              + e.getMessage());
    }
  }

  @Override
  public TargetRun run(Scenario scenario) {
    KubernetesTargetOptions o =
        options.orElseThrow(() -> new IllegalStateException(unavailableReason().orElse("")));
    KubernetesClient client = connect(o);
    try {
      Deployer deployer =
          (s, seeds) -> KubernetesDeployment.deploy(client, s, o, namespaceFor(s), clock);
      return new DeploymentTarget(NAME, deployer, Optional::empty).run(scenario);
    } finally {
      client.close();
    }
  }

  /**
   * A fresh namespace per run, so a namespace still terminating from a previous run is no clash.
   */
  static String namespaceFor(Scenario scenario) {
    byte[] random = new byte[3];
    new SecureRandom().nextBytes(random);
    String suffix = "-" + HexFormat.of().formatHex(random);
    String base =
        dev.meshproof.k8s.manifest.KubernetesManifests.of(
                scenario, dev.meshproof.k8s.manifest.ManifestOptions.defaults())
            .namespace();
    return (base.length() + suffix.length() > 63
            ? base.substring(0, 63 - suffix.length()).replaceAll("-+$", "")
            : base)
        + suffix;
  }

  /**
   * A client for the cluster {@code o} names.
   *
   * @throws ScenarioAbortedException when the kubeconfig cannot be read or names no such context
   */
  public static KubernetesClient connect(KubernetesTargetOptions o) {
    String text;
    try {
      text = Files.readString(o.kubeconfig());
    } catch (IOException e) {
      throw new ScenarioAbortedException(
          "kubeconfig " + o.kubeconfig() + " cannot be read: " + e.getMessage(), Map.of(), e);
    }
    if (o.context().isPresent()) {
      // fabric8 falls back to the current context for an unknown name: say so instead.
      Object parsed = new org.yaml.snakeyaml.Yaml().load(text);
      java.util.List<String> contexts = new java.util.ArrayList<>();
      if (parsed instanceof Map<?, ?> m && m.get("contexts") instanceof java.util.List<?> l) {
        for (Object c : l) {
          if (c instanceof Map<?, ?> cm && cm.get("name") != null) {
            contexts.add(cm.get("name").toString());
          }
        }
      }
      if (!contexts.contains(o.context().get())) {
        throw new ScenarioAbortedException(
            "context: "
                + o.context().get()
                + " (expected one of "
                + contexts
                + " in "
                + o.kubeconfig()
                + ")",
            Map.of(),
            null);
      }
    }
    Config config =
        Config.fromKubeconfig(o.context().orElse(null), text, o.kubeconfig().toString());
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
