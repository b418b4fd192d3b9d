package dev.meshproof.k8s.target;

import dev.meshproof.k8s.manifest.KubernetesManifests;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.targets.ScenarioAbortedException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * A scenario's manifests as created in a cluster, and the promise to remove them: {@link #apply}
 * creates the namespace, the generated resources and the scenario's Istio YAML (each rejected
 * resource named with the server's own message), {@link #awaitRollout} waits for every Deployment
 * with a stated timeout and reports the status the server gives, and {@link #close} deletes
 * everything created, newest first, the namespace last; also on failure, and from a JVM shutdown
 * hook on interrupt (Ctrl-C) while it is open.
 */
public final class ScenarioInstallation implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final List<HasMetadata> created = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;

  private ScenarioInstallation(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.shutdownHook = new Thread(this::deleteCreated, "meshproof-k8s-cleanup-" + namespace);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Creates {@code manifests} in the cluster {@code client} talks to.
   *
   * @throws ScenarioAbortedException when the server rejects a resource (its message, the resource
   *     and, for Istio YAML, the file it came from); what was created is deleted first
   */
  public static ScenarioInstallation apply(KubernetesClient client, KubernetesManifests manifests) {
    return create(client, manifests, true);
  }

  /**
   * Creates only the generated resources of {@code manifests} (namespace, accounts, Deployments,
   * Services): the target applies the Istio YAML later, when the orchestrator asks.
   *
   * @throws ScenarioAbortedException as {@link #apply}
   */
  public static ScenarioInstallation applyTopology(
      KubernetesClient client, KubernetesManifests manifests) {
    return create(client, manifests, false);
  }

  private static ScenarioInstallation create(
      KubernetesClient client, KubernetesManifests manifests, boolean withIstio) {
    ScenarioInstallation installation = new ScenarioInstallation(client, manifests.namespace());
    try {
      for (Map<String, Object> doc : manifests.generated()) {
        installation.create(toResource(client, doc), "generated manifest");
      }
      if (withIstio) {
        for (IstioSource source : manifests.istio()) {
          installation.applyIstio(source);
        }
      }
      return installation;
    } catch (RuntimeException e) {
      installation.close();
      throw e;
    }
  }

  /** The namespace of the scenario. */
  public String namespace() {
    return namespace;
  }

  /** What was created so far, oldest first, as {@code kind/name}. */
  public List<String> created() {
    synchronized (created) {
      return created.stream().map(ScenarioInstallation::describe).toList();
    }
  }

  /**
   * Creates the resources of one Istio source in the scenario's namespace, as {@code kubectl create
   * -n NS -f FILE} would.
   *
   * @throws ScenarioAbortedException naming the file and the server's reason when rejected
   */
  public void applyIstio(IstioSource source) {
    List<HasMetadata> items;
    try {
      items =
          client
              .load(new ByteArrayInputStream(source.yaml().getBytes(StandardCharsets.UTF_8)))
              .items();
    } catch (KubernetesClientException e) {
      throw new ScenarioAbortedException(
          source.source() + ": cannot be read as Kubernetes resources: " + e.getMessage(),
          Map.of(),
          e);
    }
    for (HasMetadata item : items) {
      create(item, source.source());
    }
  }

  /**
   * Waits until every Deployment of the scenario has all its replicas ready.
   *
   * @throws ScenarioAbortedException after {@code timeout}, with each Deployment not yet rolled out
   *     and the status the server reports for it (replicas, ready, conditions)
   */
  public void awaitRollout(Duration timeout, Clock clock) {
    Instant deadline = clock.instant().plus(timeout);
    while (true) {
      List<Deployment> pending =
          client.apps().deployments().inNamespace(namespace).list().getItems().stream()
              .filter(d -> !rolledOut(d))
              .toList();
      if (pending.isEmpty()) {
        return;
      }
      if (!clock.instant().isBefore(deadline)) {
        throw new ScenarioAbortedException(
            "not rolled out within "
                + timeout.toSeconds()
                + " s in namespace "
                + namespace
                + ": "
                + pending.stream()
                    .map(ScenarioInstallation::rolloutStatus)
                    .collect(Collectors.joining("; ")),
            Map.of(),
            null);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(Math.min(500, Math.max(1, timeout.toMillis() / 10)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ScenarioAbortedException(
            "interrupted while waiting for the rollout in " + namespace, Map.of(), e);
      }
    }
  }

  /** Whether {@code d} has every desired replica updated and ready, for its current generation. */
  static boolean rolledOut(Deployment d) {
    DeploymentStatus s = d.getStatus();
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return s != null
        && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
        && orZero(s.getUpdatedReplicas()) >= desired
        && orZero(s.getReadyReplicas()) >= desired;
  }

  /** One Deployment's status as the server reports it, e.g. for a timeout message. */
  static String rolloutStatus(Deployment d) {
    DeploymentStatus s = d.getStatus();
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    if (s == null || s.getObservedGeneration() == null) {
      return "Deployment "
          + d.getMetadata().getName()
          + ": 0/"
          + desired
          + " ready, status not reported by any controller (generation "
          + d.getMetadata().getGeneration()
          + " never observed: is kube-controller-manager running?)";
    }
    String conditions =
        s.getConditions() == null || s.getConditions().isEmpty()
            ? "no conditions"
            : s.getConditions().stream()
                .map(ScenarioInstallation::condition)
                .collect(Collectors.joining(", "));
    return "Deployment "
        + d.getMetadata().getName()
        + ": "
        + orZero(s.getReadyReplicas())
        + "/"
        + desired
        + " ready, "
        + orZero(s.getUpdatedReplicas())
        + " updated, "
        + orZero(s.getUnavailableReplicas())
        + " unavailable; "
        + conditions;
  }

  /** Deletes what this installation created, newest first; a second call does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down and the hook runs (or ran) deleteCreated already.
        return;
      }
      deleteCreated();
    }
  }

  /**
   * Creates {@code resource}, or updates it when an earlier file of the scenario created it: a
   * scenario applies its files in order as {@code kubectl apply} would (Bookinfo's tasks apply a
   * VirtualService, then a file that changes it).
   */
  private void create(HasMetadata resource, String origin) {
    try {
      HasMetadata stored =
          resource.getKind().equals("Namespace")
              ? client.resource(resource).createOr(NonDeletingOperation::update)
              : client
                  .resource(resource)
                  .inNamespace(namespace)
                  .createOr(NonDeletingOperation::update);
      synchronized (created) {
        boolean known = created.stream().anyMatch(c -> describe(c).equals(describe(stored)));
        if (!known) {
          created.add(stored);
        }
      }
    } catch (KubernetesClientException e) {
      String reason =
          e.getStatus() != null && e.getStatus().getMessage() != null
              ? e.getStatus().getMessage()
              : e.getMessage();
      throw new ScenarioAbortedException(
          origin + ": " + describe(resource) + " rejected by the API server: " + reason,
          Map.of(),
          e);
    }
  }

  private void deleteCreated() {
    List<HasMetadata> toDelete;
    synchronized (created) {
      toDelete = new ArrayList<>(created);
      created.clear();
    }
    Collections.reverse(toDelete);
    List<String> failures = new ArrayList<>();
    for (HasMetadata resource : toDelete) {
      try {
        client.resource(resource).delete();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          failures.add(describe(resource) + ": " + e.getMessage());
        }
      }
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(
          "could not delete from namespace " + namespace + ": " + String.join("; ", failures));
    }
  }

  private static HasMetadata toResource(KubernetesClient client, Map<String, Object> doc) {
    List<HasMetadata> items =
        client
            .load(
                new ByteArrayInputStream(
                    KubernetesManifestsYaml.dump(doc).getBytes(StandardCharsets.UTF_8)))
            .items();
    if (items.size() != 1) {
      throw new IllegalStateException("one manifest became " + items.size() + " resources");
    }
    return items.get(0);
  }

  private static String describe(HasMetadata r) {
    String kind =
        r instanceof GenericKubernetesResource g
            ? g.getApiVersion() + " " + g.getKind()
            : r.getKind();
    return kind + " " + r.getMetadata().getName();
  }

  private static String condition(DeploymentCondition c) {
    return c.getType()
        + "="
        + c.getStatus()
        + (c.getReason() == null ? "" : " (" + c.getReason() + ")")
        + (c.getMessage() == null ? "" : ": " + c.getMessage());
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }
}
