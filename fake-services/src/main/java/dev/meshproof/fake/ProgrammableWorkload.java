package dev.meshproof.fake;

import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.fake.journal.RequestJournal;

/**
 * A workload whose behaviour can be changed while it runs (the HTTP, gRPC and TCP echoes): the
 * accessors every such kind answers from its {@link EchoWorkloadCore}, written once.
 */
public abstract class ProgrammableWorkload implements Workload {
  /** The identity, loop, behaviour, journal, randomness and clock of this workload. */
  protected final EchoWorkloadCore core;

  protected ProgrammableWorkload(EchoWorkloadCore core) {
    this.core = core;
  }

  @Override
  public final WorkloadIdentity identity() {
    return core.identity();
  }

  @Override
  public final RequestJournal journal() {
    return core.journal();
  }

  /** The runtime handle on this instance's behaviour. */
  public final BehaviorControl behavior() {
    return core.behavior();
  }
}
