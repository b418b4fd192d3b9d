package dev.meshproof.fake.http;

import dev.meshproof.fake.EchoWorkloadBuilder;
import dev.meshproof.fake.EchoWorkloadCore;
import dev.meshproof.fake.EchoWorkloadOptions;
import dev.meshproof.fake.ProgrammableWorkload;
import dev.meshproof.fake.journal.RequestJournal;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
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
 * X-Echo-Set-Header: name:value}, {@code ?size=N}, and {@code /ready} for readiness. Every answer
 * names the workload ({@code x-echo-service}, {@code x-echo-version}, {@code x-echo-instance}) and
 * the TCP connection the request arrived on ({@code x-echo-connection}: instance and channel id).
 *
 * <pre>{@code
 * try (EchoServer reviews = EchoServer.builder().service("reviews").version("v2").build().start()) {
 *   reviews.behavior().set(Behavior.builder().errors(0.5, "503").build());
 *   ... send traffic to reviews.address() ...
 *   assertThat(reviews.journal().count()).isEqualTo(100);
 * }
 * }</pre>
 */
public final class EchoServer extends ProgrammableWorkload {
  private final EchoRuntime runtime;
  private final boolean controlApi;
  private final int controlPort;
  private final ChannelGroup channels =
      new DefaultChannelGroup("echo-connections", GlobalEventExecutor.INSTANCE);
  private volatile Channel serverChannel;
  private volatile ControlServer control;
  private volatile boolean closed;
  private final Optional<io.netty.handler.ssl.SslContext> tls;

  private EchoServer(Builder b, EchoWorkloadOptions options) {
    super(EchoWorkloadCore.of(options, "echo"));
    EchoRuntime plain =
        new EchoRuntime(
            core.identity(),
            core.behavior(),
            core.random(),
            core.clock(),
            core.journal(),
            new UpstreamCaller(b.upstreamProxy, b.calls, b.callTimeout));
    this.runtime = b.servicePort == 0 ? plain : plain.withServicePort(b.servicePort);
    this.controlApi = b.controlApi;
    this.controlPort = b.controlPort;
    this.tls = b.tls.map(ServerTls::sslContext);
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
    core.checkStartable(serverChannel != null, closed);
    try {
      serverChannel =
          core.eventLoop()
              .bind(
                  new EchoChannelInitializer(runtime, channels, tls),
                  core.host(),
                  core.requestedPort(),
                  core.identity().instance());
    } catch (IllegalStateException e) {
      close();
      throw e;
    }
    if (controlApi) {
      control =
          new ControlServer(
                  core.eventLoop(),
                  core.host(),
                  core.identity(),
                  core.behavior(),
                  core.journal(),
                  channels,
                  controlPort)
              .start();
    }
    return this;
  }

  /** The bound address. */
  @Override
  public InetSocketAddress address() {
    Channel ch = serverChannel;
    if (ch == null) {
      throw core.notStarted();
    }
    return (InetSocketAddress) ch.localAddress();
  }

  /** The HTTP control API's address, when enabled with {@link Builder#controlApi(boolean)}. */
  public Optional<InetSocketAddress> controlAddress() {
    ControlServer c = control;
    return c == null ? Optional.empty() : Optional.of(c.address());
  }

  /**
   * Requests received and not yet answered in full (nor dropped with their connection): what a
   * graceful drain waits for before it closes the instance.
   */
  public int inFlight() {
    return runtime.inFlight().get();
  }

  /** The seed of this instance's random source. */
  public long seed() {
    return core.seed();
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
    core.eventLoop().close();
  }

  @Override
  public String toString() {
    Channel ch = serverChannel;
    return "EchoServer{" + core.identity() + (ch == null ? "" : ", " + ch.localAddress()) + "}";
  }

  /**
   * Builds an {@link EchoServer}; setters check their input, {@link #build()} the whole. The
   * identity, bind, journal, behaviour, seed and event loop setters are {@link
   * EchoWorkloadBuilder}'s.
   */
  public static final class Builder extends EchoWorkloadBuilder<Builder> {
    private InetSocketAddress upstreamProxy;
    private final List<CallTarget> calls = new ArrayList<>();
    private Duration callTimeout = Duration.ofSeconds(10);
    private boolean controlApi;
    private int controlPort;
    private Optional<ServerTls> tls = Optional.empty();
    private int servicePort;

    private Builder() {
      super("reviews");
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

    /**
     * Terminates TLS itself with {@code tls} (an HTTPS app): every answer then also names the
     * client certificate's subject in {@code x-echo-tls-client} ("" without one).
     */
    public Builder tls(ServerTls tls) {
      this.tls = Optional.of(Objects.requireNonNull(tls, "tls"));
      return this;
    }

    /**
     * The Service port this echo serves, for a pod serving several (one echo per port, as Istio's
     * tcp-echo listens on each): every answer then names it in {@code x-echo-port}, so a request's
     * echo says which of the pod's ports the mesh delivered it to.
     */
    public Builder servicePort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("servicePort: " + port + " (expected: 1-65535)");
      }
      this.servicePort = port;
      return this;
    }

    /** Also serve the HTTP control API ({@code /control/behavior}...) on its own port. */
    public Builder controlApi(boolean enabled) {
      this.controlApi = enabled;
      return this;
    }

    /**
     * The control API's port (default 0: ephemeral); a fixed one where a manifest names it, as the
     * kubernetes target's pods do.
     */
    public Builder controlPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("controlPort: " + port + " (expected: 0-65535)");
      }
      this.controlPort = port;
      return this;
    }

    /** Validates and builds a server (not yet started). */
    public EchoServer build() {
      // Identity first, so a missing service is reported before the calls it would make.
      EchoWorkloadOptions options = echoOptions();
      if (!calls.isEmpty() && upstreamProxy == null) {
        throw new IllegalArgumentException(
            "upstreamProxy: null (expected: the sidecar outbound address when calls are set: "
                + calls
                + ")");
      }
      return new EchoServer(this, options);
    }
  }
}
