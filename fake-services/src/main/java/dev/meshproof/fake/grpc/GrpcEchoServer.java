package dev.meshproof.fake.grpc;

import dev.meshproof.fake.EchoWorkloadBuilder;
import dev.meshproof.fake.EchoWorkloadCore;
import dev.meshproof.fake.EchoWorkloadOptions;
import dev.meshproof.fake.ProgrammableWorkload;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.grpc.v1.EchoServiceGrpc;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
public final class GrpcEchoServer extends ProgrammableWorkload {
  private final HealthStatusManager health = new HealthStatusManager();
  private volatile Server server;
  private volatile boolean closed;

  private GrpcEchoServer(EchoWorkloadOptions options) {
    // Delays run on a Netty event loop's timer; gRPC's own (shaded) loops cannot be shared.
    super(EchoWorkloadCore.of(options, "grpc-echo"));
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
    core.checkStartable(server != null, closed);
    EchoService echo =
        new EchoService(
            core.identity(),
            core.behavior(),
            core.random(),
            core.clock(),
            core.journal(),
            core.eventLoop().group());
    Server s =
        NettyServerBuilder.forAddress(new InetSocketAddress(core.host(), core.requestedPort()))
            .addService(
                ServerInterceptors.intercept(
                    echo,
                    EchoService.contextInterceptor(),
                    EchoService.identityHeaders(core.identity())))
            .addService(health.getHealthService())
            .build();
    try {
      s.start();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(
          core.identity().instance() + ": cannot bind " + core.host() + ":" + core.requestedPort(),
          e);
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

  /** The bound address. */
  @Override
  public InetSocketAddress address() {
    Server s = server;
    if (s == null) {
      throw core.notStarted();
    }
    return (InetSocketAddress) s.getListenSockets().get(0);
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
    core.eventLoop().close();
  }

  /** Builds a {@link GrpcEchoServer}; the shared setters are {@link EchoWorkloadBuilder}'s. */
  public static final class Builder extends EchoWorkloadBuilder<Builder> {
    private Builder() {
      super("reviews");
    }

    /** Validates and builds (not started). */
    public GrpcEchoServer build() {
      return new GrpcEchoServer(echoOptions());
    }
  }
}
