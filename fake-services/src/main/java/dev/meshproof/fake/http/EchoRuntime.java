package dev.meshproof.fake.http;

import dev.meshproof.common.RandomSource;
import dev.meshproof.fake.WorkloadIdentity;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.fake.journal.RequestJournal;
import java.time.Clock;

/** What every connection of one echo instance shares. */
record EchoRuntime(
    WorkloadIdentity identity,
    BehaviorControl behavior,
    RandomSource random,
    Clock clock,
    RequestJournal journal,
    UpstreamCaller caller,
    java.util.concurrent.atomic.AtomicInteger inFlight,
    java.util.OptionalInt servicePort) {

  EchoRuntime(
      WorkloadIdentity identity,
      BehaviorControl behavior,
      RandomSource random,
      Clock clock,
      RequestJournal journal,
      UpstreamCaller caller) {
    this(
        identity,
        behavior,
        random,
        clock,
        journal,
        caller,
        new java.util.concurrent.atomic.AtomicInteger(),
        java.util.OptionalInt.empty());
  }

  /** This runtime for an echo serving Service port {@code port} of a pod with several. */
  EchoRuntime withServicePort(int port) {
    return new EchoRuntime(
        identity,
        behavior,
        random,
        clock,
        journal,
        caller,
        inFlight,
        java.util.OptionalInt.of(port));
  }
}
