package dev.meshproof.fake;

import java.time.Clock;
import java.util.Objects;

/**
 * What every fake workload is configured with, whatever its protocol: its identity, where it binds
 * and how its {@link dev.meshproof.fake.journal.RequestJournal} is kept. Built and checked by
 * {@link WorkloadBuilder}.
 *
 * @param identity the workload's Kubernetes-style identity
 * @param host the bind host, by default loopback so a test never listens beyond its machine
 * @param port the bind port; 0 asks the kernel for an ephemeral one
 * @param clock the clock of journal timestamps
 * @param journalCapacity the most journal entries kept
 */
public record WorkloadOptions(
    WorkloadIdentity identity, String host, int port, Clock clock, int journalCapacity) {

  /** Checks each field as the builder's setters do. */
  public WorkloadOptions {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(clock, "clock");
    WorkloadBuilder.checkHost(host);
    WorkloadBuilder.checkPort(port);
    WorkloadBuilder.checkJournalCapacity(journalCapacity);
  }
}
