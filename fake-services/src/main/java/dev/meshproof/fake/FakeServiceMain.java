package dev.meshproof.fake;

import dev.meshproof.fake.grpc.GrpcEchoServer;
import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.fake.tcp.TcpEchoServer;
import dev.meshproof.fake.wiremock.WireMockWorkload;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

  /** Which workload to run. */
  public enum Kind {
    http,
    grpc,
    tcp,
    wiremock
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

  /** Parses {@code args}, runs the workload until the JVM stops, exits with picocli's code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new FakeServiceMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    AutoCloseable workload = start(System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    workload.close();
                  } catch (Exception e) {
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
  public AutoCloseable start(PrintStream out) {
    try {
      return switch (kind) {
        case http -> {
          EchoServer.Builder b =
              EchoServer.builder()
                  .service(service)
                  .version(version)
                  .namespace(namespace)
                  .host(bind)
                  .port(port)
                  .controlApi(controlApi);
          if (instance != null) {
            b.instance(instance);
          }
          if (seed != null) {
            b.seed(seed);
          }
          EchoServer s = b.build().start();
          out.println("port=" + s.port());
          s.controlAddress().ifPresent(a -> out.println("control=" + a.getPort()));
          yield s;
        }
        case grpc -> {
          GrpcEchoServer.Builder b =
              GrpcEchoServer.builder()
                  .service(service)
                  .version(version)
                  .namespace(namespace)
                  .host(bind)
                  .port(port);
          if (instance != null) {
            b.instance(instance);
          }
          if (seed != null) {
            b.seed(seed);
          }
          GrpcEchoServer s = b.build().start();
          out.println("port=" + s.port());
          yield s;
        }
        case tcp -> {
          TcpEchoServer.Builder b =
              TcpEchoServer.builder()
                  .service(service)
                  .version(version)
                  .namespace(namespace)
                  .host(bind)
                  .port(port);
          if (instance != null) {
            b.instance(instance);
          }
          if (seed != null) {
            b.seed(seed);
          }
          TcpEchoServer s = b.build().start();
          out.println("port=" + s.port());
          yield s;
        }
        case wiremock -> {
          WireMockWorkload.Builder b =
              WireMockWorkload.builder()
                  .service(service)
                  .version(version)
                  .namespace(namespace)
                  .host(bind)
                  .port(port);
          if (instance != null) {
            b.instance(instance);
          }
          if (mappings != null) {
            b.mappingsRoot(mappings);
          }
          WireMockWorkload s = b.build().start();
          out.println("port=" + s.port());
          yield s;
        }
      };
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }
}
