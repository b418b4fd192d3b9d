package dev.meshproof.scenario;

import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.MeshConfigHandle;
import dev.meshproof.fake.http.EchoServer;
import java.util.List;

/**
 * What a scenario's chaos timeline may act on once its topology is running: the echo instances of
 * each service version (for service faults) and the mesh's configuration (for proxy faults).
 */
public interface RunHandles {

  /** The running instances of {@code service} at {@code version}; empty if there are none. */
  List<EchoServer> instances(String service, String version);

  /** Every running instance of {@code service}. */
  List<EchoServer> instances(String service);

  /** Applies Istio YAML to the running mesh and waits until every proxy ACKed it. */
  MeshConfigHandle mesh();

  /**
   * The control plane as an instance chaos can stop and start (an istiod outage): proxies keep
   * their last configuration meanwhile and resync when it returns.
   */
  InstanceHandle controlPlane();
}
