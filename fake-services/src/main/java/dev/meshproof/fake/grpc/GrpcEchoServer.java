package dev.meshproof.fake.grpc;

import dev.meshproof.fake.WorkloadIdentity;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.fake.behavior.SeededRandom;
import dev.meshproof.fake.grpc.v1.EchoServiceGrpc;
import dev.meshproof.fake.journal.RequestJournal;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC echo workload ({@code meshproof.echo.v1.EchoService}): unary {@code Echo} and
 * server-streaming {@code EchoStream} answer with the instance's identity, the {@code :authority}
 * and metadata received, and the attempt number of the call's {@code x-request-id}. A call ends
 * with the gRPC status asked for ({@code status_code} field or {@code x-echo-grpc-status} metadata)
 * after the delay asked for ({@code delay} field or {@code x-echo-delay} metadata), else per the
 * instance's {@link Behavior} (error rate, with HTTP statuses mapped to gRPC codes; latency; the
 * {@code HANG} fault). It also serves {@code grpc.health.v1.Health}, which Istio's gRPC probes and
 * Envoy's gRPC health checks query.
 */
public final class GrpcEchoServer implements AutoCloseable {
  private final WorkloadIdentity identity;
  private final String host;
  private final int requestedPort;
  private final EventLoopGroup scheduler;
  private final boolean ownsScheduler;
  private final BehaviorControl behavior;
  private final RequestJournal journal;
  private final SeededRandom random;
  private final Clock clock;
  private final HealthStatusManager health = new HealthStatusManager();
  private volatile Server server;
  private volatile boolean closed;

  private GrpcEchoServer(Builder b, WorkloadIdentity identity) {
    this.identity = identity;
    this.host = b.host;
    this.requestedPort = b.port;
    this.ownsScheduler = b.eventLoopGroup == null;
    // Delays run on a Netty event loop's timer; gRPC's own (shaded) loops cannot be shared.
    this.scheduler =
        ownsScheduler
            ? new MultiThreadIoEventLoopGroup(
                1,
                new DefaultThreadFactory("grpc-echo-" + identity.instance(), true),
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

  /**
   * Binds (by default {@code 127.0.0.1:0}) and starts serving; health is SERVING.
   *
   * @return this
   */
  public synchronized GrpcEchoServer start() {
    if (server != null || closed) {
      throw new IllegalStateException(identity.instance() + ": start() called twice");
    }
    EchoService echo = new EchoService(identity, behavior, random, clock, journal, scheduler);
    Server s =
        NettyServerBuilder.forAddress(new InetSocketAddress(host, requestedPort))
            .addService(ServerInterceptors.intercept(echo, EchoService.contextInterceptor()))
            .addService(health.getHealthService())
            .build();
    try {
      s.start();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(
          identity.instance() + ": cannot bind " + host + ":" + requestedPort, e);
    }
    server = s;
    setServing(true);
    return this;
  }

  /**
   * Sets the health of the whole server ({@code ""}) and of {@code meshproof.echo.v1.EchoService}
   * to SERVING or NOT_SERVING.
   */
  public void setServing(boolean serving) {
    ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    health.setStatus(EchoServiceGrpc.SERVICE_NAME, status);
  }

  /** The bound port. */
  public int port() {
    return address().getPort();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    Server s = server;
    if (s == null) {
      throw new IllegalStateException(identity.instance() + ": not started");
    }
    return (InetSocketAddress) s.getListenSockets().get(0);
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

  /** All identity fields. */
  public WorkloadIdentity identity() {
    return identity;
  }

  /** The calls received. */
  public RequestJournal journal() {
    return journal;
  }

  /** The runtime handle on this instance's behaviour. */
  public BehaviorControl behavior() {
    return behavior;
  }

  /** Stops the server (cancelling calls in flight), then an owned scheduler. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    health.enterTerminalState();
    Server s = server;
    if (s != null) {
      s.shutdownNow();
      try {
        s.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (ownsScheduler) {
      scheduler
          .shutdownGracefully(0, 1, TimeUnit.SECONDS)
          .awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /** Builds a {@link GrpcEchoServer}; shaped like {@code EchoServer.Builder}. */
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

    /** A shared Netty group whose timers run delays (not shut down by the server). */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.eventLoopGroup = Objects.requireNonNull(group, "eventLoopGroup");
      return this;
    }

    /** Initial behaviour (error rate, latency, HANG fault). */
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
    public GrpcEchoServer build() {
      if (service == null) {
        throw new IllegalArgumentException("service: null (expected: the app label, e.g. reviews)");
      }
      String inst = instance != null ? instance : service + "-" + version + "-0";
      return new GrpcEchoServer(this, new WorkloadIdentity(service, version, inst, namespace));
    }
  }
}
