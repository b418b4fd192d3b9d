package dev.meshproof.fake;

import dev.meshproof.fake.grpc.GrpcEchoServer;
import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.fake.tcp.TcpEchoServer;
import dev.meshproof.fake.wiremock.WireMockWorkload;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Runs one fake workload stand-alone (e.g. in a container next to a real Envoy sidecar): prints
 * {@code port=<bound port>} (and {@code control=<port>} for the HTTP control API) on standard
 * output, then serves until the process is stopped.
 */
@Command(
    name = "fake-service",
    mixinStandardHelpOptions = true,
    description = "Runs a Meshproof fake workload and prints port=<bound port>.")
public final class FakeServiceMain implements Callable<Integer> {

  /** Which workload to run, and how the options become one. */
  public enum Kind {
    http(
        m ->
            m.echo(EchoServer.builder())
                .controlApi(m.controlApi)
                .controlPort(m.controlPort)
                .build()
                .start()),
    grpc(m -> m.echo(GrpcEchoServer.builder()).build().start()),
    tcp(m -> m.echo(TcpEchoServer.builder()).build().start()),
    wiremock(
        m -> {
          WireMockWorkload.Builder b = m.common(WireMockWorkload.builder());
          if (m.mappings != null) {
            b.mappingsRoot(m.mappings);
          }
          return b.build().start();
        });

    private final Function<FakeServiceMain, Workload> starter;

    Kind(Function<FakeServiceMain, Workload> starter) {
      this.starter = starter;
    }
  }

  @Spec CommandSpec spec;

  @Option(names = "--kind", defaultValue = "http", description = "http, grpc, tcp or wiremock")
  Kind kind;

  @Option(names = "--service", required = true, description = "app label")
  String service;

  @Option(names = "--version", defaultValue = "v1", description = "version label")
  String version;

  @Option(names = "--instance", description = "instance (pod) name; default service-version-0")
  String instance;

  @Option(names = "--namespace", defaultValue = "default")
  String namespace;

  @Option(names = "--port", defaultValue = "0", description = "listen port; 0 = ephemeral")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "listen address")
  String bind;

  @Option(names = "--seed", description = "random seed; default from the instance name")
  Long seed;

  @Option(names = "--mappings", description = "wiremock: root directory holding mappings/")
  Path mappings;

  @Option(names = "--control-api", description = "http: also serve the control API")
  boolean controlApi;

  @Option(
      names = "--control-port",
      defaultValue = "0",
      description = "http: the control API's port; 0 = ephemeral")
  int controlPort;

  /** Parses {@code args}, runs the workload until the JVM stops, exits with picocli's code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new FakeServiceMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    Workload workload = start(System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    workload.close();
                  } catch (RuntimeException e) {
                    e.printStackTrace();
                  } finally {
                    stopped.countDown();
                  }
                },
                "fake-service-shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * Starts the workload the options describe and prints its port to {@code out}.
   *
   * @throws ParameterException when an option value is rejected, with the builder's message
   */
  public Workload start(PrintStream out) {
    Workload workload;
    try {
      workload = kind.starter.apply(this);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    out.println("port=" + workload.port());
    if (workload instanceof EchoServer http) {
      http.controlAddress().ifPresent(a -> out.println("control=" + a.getPort()));
    }
    return workload;
  }

  /** The options every kind takes; the instance only when given, so the default name applies. */
  private <B extends WorkloadBuilder<B>> B common(B builder) {
    builder.service(service).version(version).namespace(namespace).host(bind).port(port);
    if (instance != null) {
      builder.instance(instance);
    }
    return builder;
  }

  /** {@link #common} plus the seed, which only the echo kinds draw from. */
  private <B extends EchoWorkloadBuilder<B>> B echo(B builder) {
    common(builder);
    if (seed != null) {
      builder.seed(seed);
    }
    return builder;
  }
}
