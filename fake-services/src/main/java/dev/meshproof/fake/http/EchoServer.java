package dev.meshproof.fake.http;

import dev.meshproof.fake.WorkloadIdentity;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.fake.behavior.SeededRandom;
import dev.meshproof.fake.journal.RequestJournal;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP echo workload, the fake service behind a sidecar: answers every request with a JSON
 * description of what it received and who it is (service, version, instance), with programmable
 * misbehaviour (errors, latency, hangs, resets, readiness) and a {@link RequestJournal} of what it
 * received. Speaks HTTP/1.1 and HTTP/2 cleartext (prior knowledge and {@code Upgrade: h2c}).
 *
 * <p>Per-request knobs: {@code ?delay=200ms}, {@code ?codes=500:90,200:10}, {@code /status/503},
 * {@code /retry?succeedAfter=2&responseCode=503} (counted per {@code x-request-id}), {@code
 * X-Echo-Set-Header: name:value}, {@code ?size=N}, and {@code /ready} for readiness.
 *
 * <pre>{@code
 * try (EchoServer reviews = EchoServer.builder().service("reviews").version("v2").build().start()) {
 *   reviews.behavior().set(Behavior.builder().errors(0.5, "503").build());
 *   ... send traffic to reviews.address() ...
 *   assertThat(reviews.journal().count()).isEqualTo(100);
 * }
 * }</pre>
 */
public final class EchoServer implements AutoCloseable {
  private final WorkloadIdentity identity;
  private final String host;
  private final int requestedPort;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final BehaviorControl behavior;
  private final RequestJournal journal;
  private final EchoRuntime runtime;
  private final boolean controlApi;
  private final ChannelGroup channels =
      new DefaultChannelGroup("echo-connections", GlobalEventExecutor.INSTANCE);
  private volatile Channel serverChannel;
  private volatile ControlServer control;
  private volatile boolean closed;

  private EchoServer(Builder b, WorkloadIdentity identity) {
    this.identity = identity;
    this.host = b.host;
    this.requestedPort = b.port;
    this.ownsGroup = b.eventLoopGroup == null;
    this.group =
        ownsGroup
            ? new MultiThreadIoEventLoopGroup(
                1,
                new DefaultThreadFactory("echo-" + identity.instance(), true),
                NioIoHandler.newFactory())
            : b.eventLoopGroup;
    this.behavior = new BehaviorControl(b.behavior);
    this.journal = new RequestJournal(b.journalCapacity);
    long seed = b.seed != null ? b.seed : identity.instance().hashCode();
    this.runtime =
        new EchoRuntime(
            identity,
            behavior,
            new SeededRandom(seed),
            b.clock,
            journal,
            new UpstreamCaller(b.upstreamProxy, b.calls, b.callTimeout));
    this.controlApi = b.controlApi;
  }

  /** A builder; {@link Builder#service(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds (by default to {@code 127.0.0.1:0}) and starts answering.
   *
   * @return this
   * @throws IllegalStateException when already started or the port cannot be bound
   */
  public synchronized EchoServer start() {
    if (serverChannel != null || closed) {
      throw new IllegalStateException(identity.instance() + ": start() called twice");
    }
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new EchoChannelInitializer(runtime, channels));
    ChannelFuture bind = bootstrap.bind(host, requestedPort).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      close();
      throw new IllegalStateException(
          identity.instance() + ": cannot bind " + host + ":" + requestedPort, bind.cause());
    }
    serverChannel = bind.channel();
    if (controlApi) {
      control = new ControlServer(group, host, identity, behavior, journal, channels).start();
    }
    return this;
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

  /** The HTTP control API's address, when enabled with {@link Builder#controlApi(boolean)}. */
  public Optional<InetSocketAddress> controlAddress() {
    ControlServer c = control;
    return c == null ? Optional.empty() : Optional.of(c.address());
  }

  /** The {@code app} label. */
  public String service() {
    return identity.service();
  }

  /** The {@code version} label. */
  public String version() {
    return identity.version();
  }

  /** The instance (pod) name. */
  public String instance() {
    return identity.instance();
  }

  /** The namespace. */
  public String namespace() {
    return identity.namespace();
  }

  /** All four identity fields. */
  public WorkloadIdentity identity() {
    return identity;
  }

  /** What this instance received. */
  public RequestJournal journal() {
    return journal;
  }

  /** The runtime handle on this instance's behaviour. */
  public BehaviorControl behavior() {
    return behavior;
  }

  /** The seed of this instance's random source. */
  public long seed() {
    return runtime.random().seed();
  }

  /** Stops listening, closes every connection, shuts down and awaits an owned event loop. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    if (control != null) {
      control.close();
    }
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    Channel ch = serverChannel;
    return "EchoServer{" + identity + (ch == null ? "" : ", " + ch.localAddress()) + "}";
  }

  /** Builds an {@link EchoServer}; setters check their input, {@link #build()} the whole. */
  public static final class Builder {
    private String service;
    private String version = "v1";
    private String instance;
    private String namespace = "default";
    private EventLoopGroup eventLoopGroup;
    private Behavior behavior = Behavior.defaults();
    private InetSocketAddress upstreamProxy;
    private final List<CallTarget> calls = new ArrayList<>();
    private Duration callTimeout = Duration.ofSeconds(10);
    private Long seed;
    private Clock clock = Clock.systemUTC();
    private int journalCapacity = RequestJournal.DEFAULT_CAPACITY;
    private boolean controlApi;
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

    /** The instance (pod) name (default {@code service-version-0}). */
    public Builder instance(String instance) {
      this.instance = instance;
      return this;
    }

    /** The namespace (default {@code default}). */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /**
     * A shared NIO event loop group (e.g. {@code new MultiThreadIoEventLoopGroup(
     * NioIoHandler.newFactory())}); the server does not shut it down. Without one the server owns a
     * one-thread group.
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.eventLoopGroup = Objects.requireNonNull(group, "eventLoopGroup");
      return this;
    }

    /** The behaviour at start and after {@code behavior().reset()} (default healthy). */
    public Builder behavior(Behavior behavior) {
      this.behavior = Objects.requireNonNull(behavior, "behavior");
      return this;
    }

    /** Where outbound calls go: the sidecar's outbound listener (required with {@link #calls}). */
    public Builder upstreamProxy(InetSocketAddress proxy) {
      this.upstreamProxy = Objects.requireNonNull(proxy, "upstreamProxy");
      return this;
    }

    /**
     * Services called on each request, e.g. {@code "inventory:80/items"}; their answers appear
     * under {@code calls} in the echo body.
     */
    public Builder calls(String... hostAndPaths) {
      for (String s : hostAndPaths) {
        calls.add(CallTarget.parse(s));
      }
      return this;
    }

    /** How long a downstream call may take before it is reported as failed (default 10s). */
    public Builder callTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "callTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("callTimeout: " + timeout + " (expected: > 0)");
      }
      this.callTimeout = timeout;
      return this;
    }

    /** Seed of the random source (default: the instance name's hash, so runs replay). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Clock for journal timestamps (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Most journal entries kept (default {@value RequestJournal#DEFAULT_CAPACITY}). */
    public Builder journalCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("journalCapacity: " + capacity + " (expected: >= 1)");
      }
      this.journalCapacity = capacity;
      return this;
    }

    /** Also serve the HTTP control API ({@code /control/behavior}...) on its own port. */
    public Builder controlApi(boolean enabled) {
      this.controlApi = enabled;
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

    /** Validates and builds a server (not yet started). */
    public EchoServer build() {
      if (service == null) {
        throw new IllegalArgumentException("service: null (expected: the app label, e.g. reviews)");
      }
      if (!calls.isEmpty() && upstreamProxy == null) {
        throw new IllegalArgumentException(
            "upstreamProxy: null (expected: the sidecar outbound address when calls are set: "
                + calls
                + ")");
      }
      WorkloadIdentity identity =
          new WorkloadIdentity(
              service,
              version,
              instance != null ? instance : service + "-" + version + "-0",
              namespace);
      return new EchoServer(this, identity);
    }
  }
}
