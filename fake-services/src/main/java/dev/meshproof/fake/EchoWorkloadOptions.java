package dev.meshproof.fake;

import dev.meshproof.fake.behavior.Behavior;
import io.netty.channel.EventLoopGroup;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration shared by the echo workloads (HTTP, gRPC, TCP), whose answers follow a
 * programmable {@link Behavior} drawn from a seeded random source and run on Netty event loops.
 * Built and checked by {@link EchoWorkloadBuilder}.
 *
 * @param workload identity, bind address and journal settings
 * @param behavior the behaviour at start and after {@code behavior().reset()}
 * @param seed the seed of the workload's random source
 * @param sharedEventLoopGroup a group the caller owns and shuts down; empty when the workload owns
 *     one of its own
 */
public record EchoWorkloadOptions(
    WorkloadOptions workload,
    Behavior behavior,
    long seed,
    Optional<EventLoopGroup> sharedEventLoopGroup) {

  /** Checks that no field is null. */
  public EchoWorkloadOptions {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(behavior, "behavior");
    Objects.requireNonNull(sharedEventLoopGroup, "sharedEventLoopGroup");
  }

  /** The workload's identity. */
  public WorkloadIdentity identity() {
    return workload.identity();
  }
}
