package dev.meshproof.fake;

import dev.meshproof.common.RandomSource;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.fake.journal.RequestJournal;
import java.time.Clock;

/**
 * What every programmable workload kind (HTTP, gRPC and TCP echo) is made of, wired once: its
 * identity and bind address, the event loop it runs on, its runtime-changeable behaviour, its
 * journal, its seeded random source and its clock.
 */
public final class EchoWorkloadCore {
  private final WorkloadIdentity identity;
  private final String host;
  private final int requestedPort;
  private final WorkloadEventLoop eventLoop;
  private final BehaviorControl behavior;
  private final RequestJournal journal;
  private final RandomSource random;
  private final long seed;
  private final Clock clock;

  private EchoWorkloadCore(EchoWorkloadOptions options, String loopPrefix) {
    WorkloadOptions w = options.workload();
    this.identity = w.identity();
    this.host = w.host();
    this.requestedPort = w.port();
    this.eventLoop =
        WorkloadEventLoop.sharedOrOwned(
            options.sharedEventLoopGroup(), loopPrefix + "-" + identity.instance());
    this.behavior = new BehaviorControl(options.behavior());
    this.journal = new RequestJournal(w.journalCapacity());
    this.seed = options.seed();
    this.random = RandomSource.seeded(seed);
    this.clock = w.clock();
  }

  /**
   * Wires a workload from its options; an owned event loop's threads are named {@code
   * loopPrefix-<instance>}.
   */
  public static EchoWorkloadCore of(EchoWorkloadOptions options, String loopPrefix) {
    return new EchoWorkloadCore(options, loopPrefix);
  }

  public WorkloadIdentity identity() {
    return identity;
  }

  /** The host to bind (by default 127.0.0.1). */
  public String host() {
    return host;
  }

  /** The port to bind; 0 for an ephemeral one. */
  public int requestedPort() {
    return requestedPort;
  }

  public WorkloadEventLoop eventLoop() {
    return eventLoop;
  }

  public BehaviorControl behavior() {
    return behavior;
  }

  public RequestJournal journal() {
    return journal;
  }

  public RandomSource random() {
    return random;
  }

  /** The seed of {@link #random()}, for evidence. */
  public long seed() {
    return seed;
  }

  public Clock clock() {
    return clock;
  }

  /** Throws unless a workload that is {@code started} or {@code closed} may start now. */
  public void checkStartable(boolean started, boolean closed) {
    if (started || closed) {
      throw new IllegalStateException(identity.instance() + ": start() called twice");
    }
  }

  /** The exception for asking a workload that has not started for its address. */
  public IllegalStateException notStarted() {
    return new IllegalStateException(identity.instance() + ": not started");
  }
}
