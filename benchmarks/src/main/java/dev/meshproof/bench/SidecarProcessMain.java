package dev.meshproof.bench;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.SidecarRequest;
import dev.meshproof.runtime.proxy.Sidecar;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One embedded sidecar ({@link Sidecar}) as its own OS process, so its CPU time and resident memory
 * can be measured like an Envoy's: one event-loop thread (Envoy runs with {@code --concurrency 1}),
 * ADS to the control plane named by {@code --control-plane}. Once its listeners are bound it prints
 * one line, {@code READY outbound=127.0.0.1:<port> inbound=127.0.0.1:<port>|-}, and it stops when
 * its standard input reaches end of file (its parent went away or closed it).
 */
@Command(
    name = "sidecar-process",
    mixinStandardHelpOptions = true,
    description = "Runs one embedded Meshproof sidecar until stdin is closed.")
public final class SidecarProcessMain implements Callable<Integer> {
  static final String READY = "READY";

  @Option(names = "--control-plane", required = true, description = "ADS address, host:port")
  String controlPlane;

  @Option(names = "--proxy-id", required = true, description = "xDS node id")
  String proxyId;

  @Option(names = "--workload", required = true)
  String workload;

  @Option(names = "--namespace", defaultValue = "default")
  String namespace;

  @Option(names = "--label", description = "key=value, repeatable")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(names = "--service-port", description = "serve inbound traffic for this service port")
  Integer servicePort;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Option(names = "--event-loop-threads", defaultValue = "1")
  int eventLoopThreads;

  @Option(
      names = "--access-log-capacity",
      defaultValue = "1000",
      description =
          "requests the in-memory access log keeps; nothing reads it in this process, and the"
              + " in-JVM default (100,000) is about 50 MiB of live heap")
  int accessLogCapacity;

  public static void main(String[] args) {
    int code = new CommandLine(new SidecarProcessMain()).execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() throws IOException {
    int colon = controlPlane.lastIndexOf(':');
    if (colon < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this),
          "--control-plane: " + controlPlane + " (expected: host:port, e.g. 127.0.0.1:15010)");
    }
    InetSocketAddress cp =
        new InetSocketAddress(
            controlPlane.substring(0, colon), Integer.parseInt(controlPlane.substring(colon + 1)));
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            eventLoopThreads, new DefaultThreadFactory("sidecar"), NioIoHandler.newFactory());
    try {
      Sidecar sidecar =
          Sidecar.builder(
                  new SidecarRequest(
                      proxyId,
                      workload,
                      namespace,
                      labels,
                      servicePort == null ? List.of() : List.of(servicePort),
                      cp,
                      group,
                      RandomSource.seeded(seed),
                      IstioVersion.CURRENT,
                      List.of()))
              .accessLogCapacity(accessLogCapacity)
              .start();
      try {
        System.out.println(
            READY
                + " outbound="
                + hostPort(sidecar.outboundAddress())
                + " inbound="
                + sidecar.inboundAddress().map(SidecarProcessMain::hostPort).orElse("-"));
        System.out.flush();
        drain(System.in);
      } finally {
        sidecar.close();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    return 0;
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[256];
    while (in.read(buffer) >= 0) {
      // Nothing is expected on stdin; its end is the signal to stop.
    }
  }

  static String hostPort(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }
}
