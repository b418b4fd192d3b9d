package dev.meshproof.fake.tcp;

import dev.meshproof.fake.WorkloadIdentity;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.fake.behavior.Fault;
import dev.meshproof.fake.behavior.SeededRandom;
import dev.meshproof.fake.journal.JournalEntry;
import dev.meshproof.fake.journal.RequestJournal;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A TCP echo workload: every byte received is written back. It stands for an opaque TCP service
 * behind a sidecar (Istio's {@code tcp-echo} sample), for TCP routing, mTLS and connection-pool
 * scenarios. Each connection is journalled when it closes ({@code protocol} {@code TCP}, {@code
 * method} {@code CONNECT}, {@code bodySize} = bytes echoed). The {@link Behavior}'s {@code HANG}
 * (read, never echo) and {@code RESET} (RST at once) faults apply per connection.
 */
public final class TcpEchoServer implements AutoCloseable {
  private final WorkloadIdentity identity;
  private final String host;
  private final int requestedPort;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final BehaviorControl behavior;
  private final RequestJournal journal;
  private final SeededRandom random;
  private final Clock clock;
  private final ChannelGroup channels =
      new DefaultChannelGroup("tcp-echo", GlobalEventExecutor.INSTANCE);
  private volatile Channel serverChannel;
  private volatile boolean closed;

  private TcpEchoServer(Builder b, WorkloadIdentity identity) {
    this.identity = identity;
    this.host = b.host;
    this.requestedPort = b.port;
    this.ownsGroup = b.eventLoopGroup == null;
    this.group =
        ownsGroup
            ? new MultiThreadIoEventLoopGroup(
                1,
                new DefaultThreadFactory("tcp-echo-" + identity.instance(), true),
                NioIoHandler.newFactory())
            : b.eventLoopGroup;
    this.behavior = new BehaviorControl(b.behavior);
    this.journal = new RequestJournal(b.journalCapacity);
    this.random = new SeededRandom(b.seed != null ? b.seed : identity.instance().hashCode());
    this.clock = b.clock;
  }

  /** A builder; {@link Builder#service(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Binds (by default {@code 127.0.0.1:0}) and starts echoing; returns this. */
  public synchronized TcpEchoServer start() {
    if (serverChannel != null || closed) {
      throw new IllegalStateException(identity.instance() + ": start() called twice");
    }
    ChannelFuture bind =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    channels.add(ch);
                    ch.pipeline().addLast(new Echo());
                  }
                })
            .bind(host, requestedPort)
            .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      close();
      throw new IllegalStateException(
          identity.instance() + ": cannot bind " + host + ":" + requestedPort, bind.cause());
    }
    serverChannel = bind.channel();
    return this;
  }

  private Fault faultForConnection() {
    Behavior b = behavior.get();
    if (b.fault() != Fault.HANG && b.fault() != Fault.RESET || b.faultRate() == 0) {
      return Fault.NONE;
    }
    boolean hit = b.faultRate() >= 1 || random.draw(r -> r.nextDouble() < b.faultRate());
    return hit ? b.fault() : Fault.NONE;
  }

  private final class Echo extends ChannelInboundHandlerAdapter {
    private Instant opened;
    private Fault fault = Fault.NONE;
    private long bytes;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      opened = clock.instant();
      fault = faultForConnection();
      if (fault == Fault.RESET) {
        // SO_LINGER 0: close() sends RST, which Envoy reports as an upstream connection failure.
        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        ctx.close();
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (fault == Fault.HANG || !(msg instanceof ByteBuf buf)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      bytes += buf.readableBytes();
      ctx.writeAndFlush(buf);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      journal.record(
          new JournalEntry(
              opened,
              identity.instance(),
              "TCP",
              "CONNECT",
              "",
              null,
              null,
              1,
              false,
              null,
              0,
              bytes));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** The bound port. */
  public int port() {
    return address().getPort();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    Channel ch = serverChannel;
    if (ch == null) {
      throw new IllegalStateException(identity.instance() + ": not started");
    }
    return (InetSocketAddress) ch.localAddress();
  }

  /** The {@code app} label. */
  public String service() {
    return identity.service();
  }

  /** The {@code version} label. */
  public String version() {
    return identity.version();
  }

  /** The instance name. */
  public String instance() {
    return identity.instance();
  }

  /** The namespace. */
  public String namespace() {
    return identity.namespace();
  }

  /** All identity fields. */
  public WorkloadIdentity identity() {
    return identity;
  }

  /** Closed connections, one entry each. */
  public RequestJournal journal() {
    return journal;
  }

  /** The runtime handle on this instance's behaviour. */
  public BehaviorControl behavior() {
    return behavior;
  }

  /** Stops listening, closes connections, shuts down an owned event loop. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /** Builds a {@link TcpEchoServer}; shaped like {@code EchoServer.Builder}. */
  public static final class Builder {
    private String service;
    private String version = "v1";
    private String instance;
    private String namespace = "default";
    private EventLoopGroup eventLoopGroup;
    private Behavior behavior = Behavior.defaults();
    private Long seed;
    private Clock clock = Clock.systemUTC();
    private int journalCapacity = RequestJournal.DEFAULT_CAPACITY;
    private String host = "127.0.0.1";
    private int port;

    private Builder() {}

    /** The {@code app} label (required). */
    public Builder service(String service) {
      this.service = service;
      return this;
    }

    /** The {@code version} label (default {@code v1}). */
    public Builder version(String version) {
      this.version = version;
      return this;
    }

    /** The instance name (default {@code service-version-0}). */
    public Builder instance(String instance) {
      this.instance = instance;
      return this;
    }

    /** The namespace (default {@code default}). */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** A shared NIO event loop group (not shut down by the server). */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.eventLoopGroup = Objects.requireNonNull(group, "eventLoopGroup");
      return this;
    }

    /** Initial behaviour (only the HANG and RESET faults apply to TCP). */
    public Builder behavior(Behavior behavior) {
      this.behavior = Objects.requireNonNull(behavior, "behavior");
      return this;
    }

    /** Seed of the random source (default: the instance name's hash). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Clock for journal timestamps. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Most journal entries kept. */
    public Builder journalCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("journalCapacity: " + capacity + " (expected: >= 1)");
      }
      this.journalCapacity = capacity;
      return this;
    }

    /** Bind host (default {@code 127.0.0.1}). */
    public Builder host(String host) {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host: \"" + host + "\" (expected: an IP or name)");
      }
      this.host = host;
      return this;
    }

    /** Bind port (default 0, ephemeral). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      this.port = port;
      return this;
    }

    /** Validates and builds (not started). */
    public TcpEchoServer build() {
      if (service == null) {
        throw new IllegalArgumentException(
            "service: null (expected: the app label, e.g. tcp-echo)");
      }
      String inst = instance != null ? instance : service + "-" + version + "-0";
      return new TcpEchoServer(this, new WorkloadIdentity(service, version, inst, namespace));
    }
  }
}
