package dev.meshproof.k8s.runner;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.client.MeshHttpClient;
import dev.meshproof.runtime.transport.HttpConnectionPool;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The in-cluster traffic runner: the app of a scenario's client workload on the kubernetes target.
 * It serves {@link RunnerProtocol} on {@code --listen-port} (reached by the driver through a
 * port-forward, outside the mesh) and sends each request it is given to the URL's own host and
 * port, which the pod's Istio sidecar captures, so the request takes the mesh's routing as an app's
 * would; it answers with the outcome (status, headers, body, its own latency).
 */
@Command(
    name = "traffic-runner",
    mixinStandardHelpOptions = true,
    description = "Sends a Meshproof scenario's requests from inside a client pod.")
public final class TrafficRunnerMain implements Callable<Integer> {
  @Option(names = "--client", required = true, description = "the client workload's name")
  String client;

  @Option(names = "--listen-port", defaultValue = "15901", description = "the runner API's port")
  int listenPort;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description = "the runner API's address (kubectl port-forward reaches the pod's loopback)")
  String bind;

  private final Map<String, MeshHttpClient> byDestination = new ConcurrentHashMap<>();
  private EventLoopGroup group;
  private HttpConnectionPool pool;
  private HttpServer server;

  public static void main(String[] args) {
    System.exit(new CommandLine(new TrafficRunnerMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    start(System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop();
                  stopped.countDown();
                },
                "traffic-runner-shutdown"));
    stopped.await();
    return 0;
  }

  /** Starts serving; prints {@code port=<bound port>}. */
  public int start(java.io.PrintStream out) throws IOException {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    pool = new HttpConnectionPool(group, Duration.ofSeconds(5));
    server = HttpServer.create(new InetSocketAddress(bind, listenPort), 128);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(RunnerProtocol.READY_PATH, ex -> answer(ex, 200, "ready " + client));
    server.createContext(RunnerProtocol.SEND_PATH, this::send);
    server.start();
    int port = server.getAddress().getPort();
    out.println("port=" + port);
    return port;
  }

  /** Stops serving and closes the connections. */
  public void stop() {
    if (server != null) {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
    if (pool != null) {
      pool.close();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private void send(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      answer(ex, 405, "POST " + RunnerProtocol.SEND_PATH + " (expected: a request as JSON)");
      return;
    }
    HttpRequestSpec spec;
    try {
      spec =
          RunnerProtocol.request(
              new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      answer(ex, 400, "bad request: " + e.getMessage());
      return;
    }
    int port = spec.url().getPort() < 0 ? 80 : spec.url().getPort();
    // Connect to the URL's own host: iptables in the pod hand the connection to the sidecar.
    MeshHttpClient http =
        byDestination.computeIfAbsent(
            spec.url().getHost() + ":" + port,
            k -> new MeshHttpClient(pool, new InetSocketAddress(spec.url().getHost(), port)));
    HttpOutcome outcome = http.send(spec).join();
    answer(ex, 200, RunnerProtocol.outcomeJson(outcome));
  }

  private static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
