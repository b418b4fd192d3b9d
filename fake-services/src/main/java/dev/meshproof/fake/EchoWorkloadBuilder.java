package dev.meshproof.fake;

import dev.meshproof.fake.behavior.Behavior;
import io.netty.channel.EventLoopGroup;
import java.util.Objects;
import java.util.Optional;

/**
 * The builder part shared by the echo workloads (HTTP, gRPC, TCP): on top of {@link
 * WorkloadBuilder}'s identity and bind address, the initial {@link Behavior}, the seed of the
 * random source and an optional shared Netty event loop group.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class EchoWorkloadBuilder<B extends EchoWorkloadBuilder<B>>
    extends WorkloadBuilder<B> {
  private EventLoopGroup eventLoopGroup;
  private Behavior behavior = Behavior.defaults();
  private Long seed;

  /**
   * A builder with the defaults (healthy behaviour, seed from the instance name, an owned event
   * loop).
   *
   * @param exampleService an {@code app} label typical of this kind, quoted when none is set
   */
  protected EchoWorkloadBuilder(String exampleService) {
    super(exampleService);
  }

  /**
   * A shared Netty event loop group (e.g. {@code new MultiThreadIoEventLoopGroup(
   * NioIoHandler.newFactory())}) for the listener and the timers that run delays; the workload does
   * not shut it down. Without one the workload owns a one-thread group.
   */
  public final B eventLoopGroup(EventLoopGroup group) {
    this.eventLoopGroup = Objects.requireNonNull(group, "eventLoopGroup");
    return self();
  }

  /**
   * The behaviour at start and after {@code behavior().reset()} (default healthy). The TCP echo
   * applies only its {@code HANG} and {@code RESET} faults.
   */
  public final B behavior(Behavior behavior) {
    this.behavior = Objects.requireNonNull(behavior, "behavior");
    return self();
  }

  /** Seed of the random source (default: the instance name's hash, so runs replay). */
  public final B seed(long seed) {
    this.seed = seed;
    return self();
  }

  /**
   * Checks the whole and returns it as a value, the default seed resolved.
   *
   * @throws IllegalArgumentException as {@link #workloadOptions()}
   */
  protected final EchoWorkloadOptions echoOptions() {
    WorkloadOptions workload = workloadOptions();
    long s = seed != null ? seed : workload.identity().instance().hashCode();
    return new EchoWorkloadOptions(workload, behavior, s, Optional.ofNullable(eventLoopGroup));
  }
}
