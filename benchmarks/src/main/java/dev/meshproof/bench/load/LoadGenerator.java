package dev.meshproof.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The project's HTTP load generator: {@code connections} persistent HTTP/1.1 or h2c connections to
 * one loopback target, driven phase by phase (warm-up, then measurement) on the same connections.
 *
 * <p>Open loop works like wrk2: the calling thread paces request {@code i} to its intended start
 * {@code start + i/rate} and hands it to connection {@code i mod connections}; latency is measured
 * from the intended start, so queueing behind a slow answer is charged to the system under test
 * rather than silently skipped (no coordinated omission). Closed loop keeps exactly one request in
 * flight per connection, for the maximum throughput the path sustains.
 *
 * <pre>{@code
 * try (LoadGenerator load = LoadGenerator.connect(LoadGenerator.options(target).connections(16))) {
 *   load.run(LoadPhase.openLoop(1000, Duration.ofSeconds(5)));           // warm-up
 *   LoadResult result = load.run(LoadPhase.openLoop(1000, Duration.ofSeconds(15)));
 * }
 * }</pre>
 */
public final class LoadGenerator implements AutoCloseable {
  private final Options options;
  private final EventLoopGroup group;
  private final List<LoadConnection> connections;

  private LoadGenerator(Options options, EventLoopGroup group, List<LoadConnection> connections) {
    this.options = options;
    this.group = group;
    this.connections = connections;
  }

  /** Options for a load generator aimed at {@code target}. */
  public static Options options(LoadTarget target) {
    return new Options(target);
  }

  /**
   * Opens every connection (failing if any cannot be opened) and returns the ready generator.
   *
   * @throws IllegalStateException when a connection cannot be opened, naming the target
   */
  public static LoadGenerator connect(Options options) {
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            options.eventLoopThreads,
            new DefaultThreadFactory("load-generator", true),
            NioIoHandler.newFactory());
    List<LoadConnection> connections = new ArrayList<>();
    try {
      RequestTemplate template =
          options.protocol == HttpProtocol.GRPC
              ? RequestTemplate.grpc(options.target, options.bodyBytes)
              : new RequestTemplate(options.target, options.bodyBytes);
      for (int i = 0; i < options.connections; i++) {
        connections.add(open(group, options, template));
      }
      return new LoadGenerator(options, group, connections);
    } catch (RuntimeException e) {
      connections.forEach(LoadConnection::close);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      throw e;
    }
  }

  private static LoadConnection open(
      EventLoopGroup group, Options options, RequestTemplate template) {
    CompletableFuture<LoadConnection> created = new CompletableFuture<>();
    ChannelFuture connect =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout.toMillis())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    created.complete(
                        options.protocol != HttpProtocol.HTTP_1_1
                            ? new Http2LoadConnection(ch, template)
                            : new Http1LoadConnection(ch, template));
                  }
                })
            .connect(options.target.address())
            .awaitUninterruptibly();
    if (!connect.isSuccess()) {
      connect.channel().close();
      throw new IllegalStateException(
          "cannot connect to " + options.target.address() + ": " + connect.cause(),
          connect.cause());
    }
    return created.join();
  }

  public Options options() {
    return options;
  }

  /**
   * Runs one phase to its end and returns its tally; blocks the calling thread, which paces the
   * open loop. Returns after the phase's duration plus at most its request timeout.
   */
  public LoadResult run(LoadPhase phase) {
    long start = System.nanoTime();
    PhaseRun run = new PhaseRun(phase, start);
    if (phase.kind() == LoadPhase.Kind.OPEN_LOOP) {
      pace(run, start);
    } else {
      connections.forEach(c -> c.startClosedLoop(run));
      await(run.issuingFinished(), start + phase.duration().toNanos());
    }
    run.issuingDone();
    await(run.allAnswered(), System.nanoTime() + phase.requestTimeout().toNanos());
    return run.seal(System.nanoTime());
  }

  private void pace(PhaseRun run, long start) {
    LoadPhase phase = run.phase();
    long planned = phase.plannedRequests();
    double intervalNanos = 1e9 / phase.ratePerSecond();
    long stopNanos = start + phase.duration().toNanos();
    int n = connections.size();
    for (long i = 0; i < planned; i++) {
      long intended = start + (long) (i * intervalNanos);
      if (intended - stopNanos >= 0) {
        break;
      }
      long now;
      while ((now = System.nanoTime()) - intended < 0) {
        LockSupport.parkNanos(intended - now);
      }
      run.issued(now - intended);
      connections.get((int) (i % n)).submit(new PendingRequest(run, intended));
    }
  }

  private static void await(CompletableFuture<Void> future, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    try {
      future.get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // The phase's time is up; whatever is still unanswered is counted as a timeout.
    } catch (ExecutionException e) {
      throw new IllegalStateException("load phase failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running a load phase", e);
    }
  }

  /** Connections that died (closed by the peer, reset, or retired after a timeout). */
  public long deadConnections() {
    return connections.stream().filter(LoadConnection::isDead).count();
  }

  /** Closes every connection and shuts the event loop down. */
  @Override
  public void close() {
    connections.forEach(LoadConnection::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /**
   * How the generator connects: target, protocol, connection count, body size, event-loop threads.
   * Each setter checks its input.
   */
  public static final class Options {
    private final LoadTarget target;
    private HttpProtocol protocol = HttpProtocol.HTTP_1_1;
    private int connections = 16;
    private int bodyBytes = 1024;
    private int eventLoopThreads = 1;
    private Duration connectTimeout = Duration.ofSeconds(5);

    private Options(LoadTarget target) {
      this.target = Objects.requireNonNull(target, "target");
    }

    public Options protocol(HttpProtocol protocol) {
      this.protocol = Objects.requireNonNull(protocol, "protocol");
      return this;
    }

    /** Persistent connections; default 16. */
    public Options connections(int connections) {
      if (connections < 1 || connections > 10_000) {
        throw new IllegalArgumentException("connections: " + connections + " (expected: 1-10000)");
      }
      this.connections = connections;
      return this;
    }

    /** Request body size in bytes; default 1024. */
    public Options bodyBytes(int bytes) {
      if (bytes < 0 || bytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException("bodyBytes: " + bytes + " (expected: 0-16777216)");
      }
      this.bodyBytes = bytes;
      return this;
    }

    /** Threads of the generator's own event loop; default 1 (the machines have 2 cores). */
    public Options eventLoopThreads(int threads) {
      if (threads < 1 || threads > 64) {
        throw new IllegalArgumentException("eventLoopThreads: " + threads + " (expected: 1-64)");
      }
      this.eventLoopThreads = threads;
      return this;
    }

    public Options connectTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout: " + timeout + " (expected: > 0)");
      }
      this.connectTimeout = timeout;
      return this;
    }

    public LoadTarget target() {
      return target;
    }

    public HttpProtocol protocol() {
      return protocol;
    }

    public int connections() {
      return connections;
    }

    public int bodyBytes() {
      return bodyBytes;
    }
  }
}
