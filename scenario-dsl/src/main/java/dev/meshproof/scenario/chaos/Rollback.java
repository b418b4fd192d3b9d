package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.ServiceTarget;
import dev.meshproof.fake.behavior.Behavior;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A chaos experiment's rollback, as the Chaos Toolkit's: an action that puts the system back after
 * the experiment and always runs, also when the hypothesis fails, the method throws or the run is
 * interrupted. Faults revert themselves at the end of the method; rollbacks are the experiment's
 * own clean-up on top (a configuration restored, instances healthy again).
 *
 * @see <a href="https://chaostoolkit.org/reference/api/experiment/#rollbacks">Chaos Toolkit:
 *     rollbacks</a>
 */
public sealed interface Rollback
    permits Rollback.RestoreService, Rollback.ApplyIstio, Rollback.Action {

  /** What it does, for the verdict. */
  String description();

  /** Runs it on the deployment's handles. */
  void run(ChaosHandles handles);

  /**
   * The selected instances back to a healthy, ready behaviour ({@link Behavior#defaults()}).
   *
   * @param instances which instances
   */
  record RestoreService(InstanceSelector instances) implements Rollback {
    /** Checks a selector. */
    public RestoreService {
      Objects.requireNonNull(instances, "instances");
    }

    @Override
    public String description() {
      return "restore service " + instances;
    }

    @Override
    public void run(ChaosHandles handles) {
      var targets = instances.select(handles);
      if (targets.isEmpty()) {
        throw new IllegalStateException("rollback: no running instance of " + instances);
      }
      for (ServiceTarget target : targets) {
        target.behavior().set(Behavior.defaults());
      }
    }
  }

  /**
   * Istio YAML applied to the running mesh, awaited until every proxy ACKed it.
   *
   * @param source names the YAML in error messages
   * @param yaml the configuration to restore
   */
  record ApplyIstio(String source, String yaml) implements Rollback {
    /** Checks a source name and non-blank YAML. */
    public ApplyIstio {
      if (source == null || source.isBlank()) {
        throw new IllegalArgumentException("rollback.source: blank (expected: a short name)");
      }
      if (yaml == null || yaml.isBlank()) {
        throw new IllegalArgumentException("rollback.istio: blank (expected: Istio YAML)");
      }
    }

    @Override
    public String description() {
      return "apply Istio YAML " + source;
    }

    @Override
    public void run(ChaosHandles handles) {
      handles.meshConfig().apply(yaml, source);
      handles.meshConfig().awaitSynced();
    }
  }

  /**
   * Any action in Java (no file form).
   *
   * @param name what it does
   * @param action runs on the deployment's handles
   */
  record Action(String name, Consumer<ChaosHandles> action) implements Rollback {
    /** Checks a name and an action. */
    public Action {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("rollback.name: blank (expected: what it does)");
      }
      Objects.requireNonNull(action, "action");
    }

    @Override
    public String description() {
      return name;
    }

    @Override
    public void run(ChaosHandles handles) {
      action.accept(handles);
    }
  }
}
