package dev.meshproof.fake;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Netty event loop group a fake workload runs on: either one the caller shares (a mesh's loops,
 * so a scenario with many instances does not start a thread per instance) and shuts down itself, or
 * a one-thread group the workload owns and shuts down on {@link #close()}.
 */
public final class WorkloadEventLoop implements AutoCloseable {
  private final EventLoopGroup group;
  private final boolean owned;

  private WorkloadEventLoop(EventLoopGroup group, boolean owned) {
    this.group = group;
    this.owned = owned;
  }

  /**
   * The shared group when there is one, else a new one-thread NIO group whose daemon threads are
   * named {@code threadPrefix} (so a leaked workload never keeps the JVM alive).
   */
  public static WorkloadEventLoop sharedOrOwned(
      Optional<EventLoopGroup> shared, String threadPrefix) {
    return shared
        .map(g -> new WorkloadEventLoop(g, false))
        .orElseGet(
            () ->
                new WorkloadEventLoop(
                    new MultiThreadIoEventLoopGroup(
                        1, new DefaultThreadFactory(threadPrefix, true), NioIoHandler.newFactory()),
                    true));
  }

  /** The group to run on. */
  public EventLoopGroup group() {
    return group;
  }

  /** Whether {@link #close()} shuts the group down. */
  public boolean owned() {
    return owned;
  }

  /**
   * Binds a TCP listener on this group and waits for the bind.
   *
   * @param who the instance name, for the error message
   * @return the listening channel
   * @throws IllegalStateException when the address cannot be bound, with the cause
   */
  public Channel bind(ChannelHandler childHandler, String host, int port, String who) {
    ChannelFuture bind =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(childHandler)
            .bind(host, port)
            .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      throw new IllegalStateException(who + ": cannot bind " + host + ":" + port, bind.cause());
    }
    return bind.channel();
  }

  /** Shuts down and awaits an owned group; leaves a shared one running. */
  @Override
  public void close() {
    if (owned) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
