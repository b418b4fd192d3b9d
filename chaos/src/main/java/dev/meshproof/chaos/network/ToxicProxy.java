package dev.meshproof.chaos.network;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.envoy.ListenerPorts;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on loopback that relays to one upstream and degrades the traffic on demand, after <a
 * href="https://github.com/Shopify/toxiproxy">Toxiproxy</a>: put it between a sidecar and its
 * application (register the proxy's address as the endpoint) or between two sidecars, then add
 * {@link Toxic}s at runtime. A {@link dev.meshproof.chaos.NetworkFault} does that on a timeline.
 *
 * <pre>{@code
 * try (ToxicProxy proxy = ToxicProxy.builder().upstream(reviews.address()).build().start()) {
 *   proxy.addToxic(Toxic.latency(Duration.ofMillis(200)));
 *   ... traffic to proxy.address() ...
 * }
 * }</pre>
 *
 * <p>Listens on {@code 127.0.0.1:0}; the upstream must be a loopback address too.
 */
public final class ToxicProxy implements AutoCloseable {
  private final String name;
  private final InetSocketAddress upstream;
  private final RandomSource random;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final ChannelGroup channels =
      new DefaultChannelGroup("toxic-proxy-connections", GlobalEventExecutor.INSTANCE);
  private volatile List<ActiveToxic> toxics = List.of();
  private volatile Channel serverChannel;
  private volatile int port;

  /** The port {@link #start()} binds: the builder's, 0 for an ephemeral one. */
  private final int listenPort;

  private boolean closed;
  private boolean disabled;

  /** While disabled: the port kept bound without a listener, so no other run can take it. */
  private Closeable portHold;

  private ToxicProxy(Builder b) {
    this.name = b.name != null ? b.name : "proxy-" + b.upstream.getPort();
    this.upstream = b.upstream;
    this.listenPort = b.listenPort;
    this.random = b.random != null ? b.random : RandomSource.seeded(name.hashCode());
    this.ownsGroup = b.group == null;
    this.group =
        ownsGroup
            ? new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("toxic-" + name, true), NioIoHandler.newFactory())
            : b.group;
  }

  /** A builder; {@link Builder#upstream(InetSocketAddress)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds {@code 127.0.0.1} on the builder's port (default 0: an ephemeral one) and starts
   * relaying.
   *
   * @return this
   * @throws IllegalStateException when already started, closed, or the bind fails
   */
  public synchronized ToxicProxy start() {
    if (serverChannel != null || closed) {
      throw new IllegalStateException(name + ": " + (closed ? "closed" : "already started"));
    }
    serverChannel = bind(listenPort);
    port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    return this;
  }

  private Channel bind(int onPort) {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    accept(ch);
                  }
                });
    ChannelFuture bind = bootstrap.bind("127.0.0.1", onPort).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      if (serverChannel == null) {
        // The first bind (start) failed: nothing to keep.
        close();
      }
      throw new IllegalStateException(
          name + ": cannot bind 127.0.0.1:" + onPort + " (" + bind.cause() + ")", bind.cause());
    }
    return bind.channel();
  }

  /**
   * Stops listening and closes every relayed connection, as Toxiproxy's {@code enabled: false}:
   * callers' connections are refused (Envoy: UF) until {@link #enable()}.
   */
  public synchronized void disable() {
    if (closed || disabled || serverChannel == null) {
      throw new IllegalStateException(
          name + ": " + (closed ? "closed" : disabled ? "already disabled" : "not started"));
    }
    disabled = true;
    serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    try {
      portHold = ListenerPorts.hold(port);
    } catch (IOException e) {
      // Refusing still holds (nothing listens); only the guard against another run taking the
      // port is lost, and enable() reports it if that happens.
      portHold = null;
    }
  }

  /**
   * Listens again on the same port after {@link #disable()}.
   *
   * @throws IllegalStateException when the port was taken meanwhile (the fault cannot be reverted)
   */
  public synchronized void enable() {
    if (!disabled || closed) {
      throw new IllegalStateException(name + ": " + (closed ? "closed" : "not disabled"));
    }
    releasePortHold();
    serverChannel = bind(port);
    disabled = false;
  }

  private void releasePortHold() {
    if (portHold != null) {
      try {
        portHold.close();
      } catch (IOException ignored) {
        // Closing an unconnected socket: nothing to report.
      }
      portHold = null;
    }
  }

  /** Whether the proxy refuses connections ({@link #disable()}). */
  public synchronized boolean disabled() {
    return disabled;
  }

  /** The name used in event logs (default {@code proxy-<upstream port>}). */
  public String name() {
    return name;
  }

  /** Where clients connect. */
  public InetSocketAddress address() {
    if (serverChannel == null) {
      throw new IllegalStateException(name + ": not started");
    }
    return new InetSocketAddress("127.0.0.1", port);
  }

  /** Where bytes go. */
  public InetSocketAddress upstream() {
    return upstream;
  }

  /** The toxics in force now, in the order they were added. */
  public List<Toxic> toxics() {
    return toxics.stream().map(ActiveToxic::toxic).toList();
  }

  /**
   * Adds a toxic on every connection; it applies to the next relayed chunk. A {@link Toxic.Reset}
   * over {@link Toxic.ResetScope#ALL_CONNECTIONS} also resets every open connection now.
   */
  public void addToxic(Toxic toxic) {
    addToxic(toxic, 1.0);
  }

  /**
   * Adds a toxic that applies to a {@code toxicity} fraction of connections, as Toxiproxy's
   * toxicity: each connection draws once per toxic, from the proxy's seeded source, whether the
   * toxic applies to it.
   *
   * @param toxicity in {@code (0, 1]}
   */
  public synchronized void addToxic(Toxic toxic, double toxicity) {
    Objects.requireNonNull(toxic, "toxic");
    if (!(toxicity > 0 && toxicity <= 1)) {
      throw new IllegalArgumentException(
          "toxicity: " + toxicity + " (expected: a fraction of connections in (0, 1])");
    }
    ActiveToxic active = new ActiveToxic(toxic, toxicity);
    List<ActiveToxic> next = new ArrayList<>(toxics);
    next.add(active);
    toxics = List.copyOf(next);
    if (toxic instanceof Toxic.Reset r && r.scope() == Toxic.ResetScope.ALL_CONNECTIONS) {
      channels.forEach(
          ch -> {
            Relay relay = ch.pipeline().get(Relay.class);
            if (relay != null && relay.isClientSide() && relay.connection().applies(active)) {
              ch.eventLoop().execute(() -> relay.resetBoth());
            }
          });
    }
  }

  /** Removes one occurrence of {@code toxic}; returns whether it was in force. */
  public synchronized boolean removeToxic(Toxic toxic) {
    List<ActiveToxic> next = new ArrayList<>(toxics);
    for (int i = 0; i < next.size(); i++) {
      if (next.get(i).toxic().equals(toxic)) {
        next.remove(i);
        toxics = List.copyOf(next);
        return true;
      }
    }
    return false;
  }

  /** Removes every toxic: bytes flow untouched again. */
  public synchronized void clearToxics() {
    toxics = List.of();
  }

  /** Stops listening, closes every relayed connection, shuts down and awaits an owned loop. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    releasePortHold();
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    Channel ch = serverChannel;
    return "ToxicProxy{"
        + name
        + (ch == null ? "" : ", " + ch.localAddress())
        + " -> "
        + upstream
        + ", "
        + toxics()
        + "}";
  }

  private void accept(SocketChannel client) {
    channels.add(client);
    Relay.Connection connection = new Relay.Connection(random);
    if (toxics.stream().anyMatch(t -> t.toxic() instanceof Toxic.Reset && connection.applies(t))) {
      client.eventLoop().execute(() -> Relay.reset(client));
      return;
    }
    Relay clientRelay = new Relay(() -> toxics, connection, Toxic.Stream.UPSTREAM);
    Relay upstreamRelay = new Relay(() -> toxics, connection, Toxic.Stream.DOWNSTREAM);
    client.pipeline().addLast(clientRelay);
    new Bootstrap()
        .group(client.eventLoop())
        .channel(NioSocketChannel.class)
        .option(ChannelOption.AUTO_READ, false)
        .handler(upstreamRelay)
        .connect(upstream)
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                // The upstream refused: so does the proxy, as a reset, like Envoy's UF.
                Relay.reset(client);
                return;
              }
              Channel up = f.channel();
              channels.add(up);
              Relay.pair(client, clientRelay, up, upstreamRelay);
              if (!client.isActive()) {
                up.close();
                return;
              }
              client.config().setAutoRead(true);
              up.config().setAutoRead(true);
            });
  }

  /** A toxic in force and the fraction of connections it applies to; one object per add. */
  static final class ActiveToxic {
    private final Toxic toxic;
    private final double toxicity;

    ActiveToxic(Toxic toxic, double toxicity) {
      this.toxic = toxic;
      this.toxicity = toxicity;
    }

    Toxic toxic() {
      return toxic;
    }

    double toxicity() {
      return toxicity;
    }
  }

  /** Builds a {@link ToxicProxy}; setters check their input. */
  public static final class Builder {
    private InetSocketAddress upstream;
    private String name;
    private RandomSource random;
    private EventLoopGroup group;
    private int listenPort;

    private Builder() {}

    /**
     * The port to listen on (default 0: an ephemeral one). A partition closes the listener and
     * binds it again on the same port; a port outside the kernel's ephemeral range cannot be handed
     * to an outgoing connection or a {@code bind(0)} meanwhile.
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      this.listenPort = port;
      return this;
    }

    /** Where to relay (required); must be a resolved loopback address. */
    public Builder upstream(InetSocketAddress upstream) {
      if (upstream == null
          || upstream.isUnresolved()
          || !upstream.getAddress().isLoopbackAddress()) {
        throw new IllegalArgumentException(
            "upstream: "
                + upstream
                + " (expected: a resolved loopback address, e.g. 127.0.0.1:8080)");
      }
      this.upstream = upstream;
      return this;
    }

    /** Name for event logs (default {@code proxy-<upstream port>}). */
    public Builder name(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("name: \"" + name + "\" (expected: a non-blank label)");
      }
      this.name = name;
      return this;
    }

    /** The seeded source of latency jitter (default seeded from the name, so runs replay). */
    public Builder random(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * A shared NIO event loop group (e.g. the mesh's); the proxy does not shut it down. Without one
     * the proxy owns a one-thread group.
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "eventLoopGroup");
      return this;
    }

    /** Validates and builds a proxy (not yet started). */
    public ToxicProxy build() {
      if (upstream == null) {
        throw new IllegalArgumentException(
            "upstream: null (expected: the loopback address to relay to)");
      }
      return new ToxicProxy(this);
    }
  }
}
