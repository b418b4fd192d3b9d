package dev.meshproof.fake;

import dev.meshproof.fake.journal.RequestJournal;
import java.net.InetSocketAddress;

/**
 * A running fake workload, the stand-in for one Kubernetes pod behind a sidecar: who it is (its
 * {@link WorkloadIdentity}), where it listens and what it received. The HTTP, gRPC and TCP echoes
 * and the WireMock workload all implement it, so tools that only need the identity, the port and
 * the journal (the stand-alone {@link FakeServiceMain}, scenario runners) treat them alike.
 */
public interface Workload extends AutoCloseable {

  /** All four identity fields. */
  WorkloadIdentity identity();

  /**
   * The bound address.
   *
   * @throws IllegalStateException when the workload is not started
   */
  InetSocketAddress address();

  /** What this instance received. */
  RequestJournal journal();

  /** The bound port. */
  default int port() {
    return address().getPort();
  }

  /** The {@code app} label. */
  default String service() {
    return identity().service();
  }

  /** The {@code version} label. */
  default String version() {
    return identity().version();
  }

  /** The instance (pod) name. */
  default String instance() {
    return identity().instance();
  }

  /** The namespace. */
  default String namespace() {
    return identity().namespace();
  }

  /** Stops serving and releases what the workload owns; a second call does nothing. */
  @Override
  void close();
}
