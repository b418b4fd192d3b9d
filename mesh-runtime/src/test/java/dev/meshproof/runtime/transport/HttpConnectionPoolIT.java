package dev.meshproof.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool opens and retires upstream connections as the cluster's settings say: Envoy's {@code
 * max_requests_per_connection}, {@code idle_timeout} and {@code connect_timeout}.
 */
class HttpConnectionPoolIT {
  private final NioEventLoopGroup group = new NioEventLoopGroup(1);
  private final HttpConnectionPool pool = new HttpConnectionPool(group, Duration.ofSeconds(10));
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    pool.close();
    for (AutoCloseable c : closeables) {
      c.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** A keep-alive HTTP/1.1 server on loopback that counts the connections it accepted. */
  private static final class CountingServer implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Thread acceptor;

    /** Whether the head and the body of a response go out in two writes (two TCP segments). */
    final boolean split;

    CountingServer() throws IOException {
      this(false);
    }

    CountingServer(boolean split) throws IOException {
      this.split = split;
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = new Thread(this::acceptLoop, "counting-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    private void acceptLoop() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          accepted.incrementAndGet();
          open.incrementAndGet();
          sockets.add(s);
          Thread serve = new Thread(() -> serve(s), "counting-server-conn");
          serve.setDaemon(true);
          serve.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s;
          BufferedReader in =
              new BufferedReader(
                  new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
          OutputStream out = s.getOutputStream()) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
          if (line.isEmpty() && split) {
            out.write(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n"
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            out.write("no".getBytes(StandardCharsets.UTF_8));
            out.flush();
          } else if (line.isEmpty()) {
            out.write(
                "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok".getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
        }
      } catch (IOException e) {
        // The pool closed the connection.
      } finally {
        open.decrementAndGet();
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  private static FullHttpRequest get() {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    request.headers().set("host", "upstream");
    return request;
  }

  private void sendSequentially(
      CountingServer server, UpstreamConnectionSettings settings, int requests) {
    for (int i = 0; i < requests; i++) {
      FullHttpResponse response =
          pool.send(server.address(), get(), Duration.ofSeconds(5), settings).join();
      assertThat(response.status().code()).isEqualTo(200);
      response.release();
    }
  }

  @Test
  void nettysHttp2ConversionHeadersNeverGoUpstreamWhateverTheirCaseAndTheOthersDo()
      throws Exception {
    CountingServer server = new CountingServer();
    closeables.add(server);
    FullHttpRequest request = get();
    request.headers().add("X-Http2-Stream-Id", "3");
    request.headers().add("x-http2-scheme", "http");
    request.headers().add("x-http2", "kept: shorter than the prefix");
    request.headers().add("x-keep", "1");

    FullHttpResponse response = pool.send(server.address(), request, Duration.ofSeconds(5)).join();
    response.release();

    assertThat(server.lines)
        .contains("x-keep: 1", "x-http2: kept: shorter than the prefix")
        .noneMatch(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("x-http2-"));
  }

  /**
   * A response dropped unread by another thread (the router releasing a 503 it retries, on the
   * downstream's event loop) resets only its own exchange: when its body already ended and the
   * connection went back to the pool, the drop must not close the connection under the next
   * exchange, which would fail as "connection termination" without reaching the upstream.
   */
  @Test
  void aResponseDroppedByAnotherThreadNeverClosesTheConnectionUnderTheNextExchange()
      throws Exception {
    CountingServer server = new CountingServer(true);
    closeables.add(server);
    int chains = 3;
    int perChain = 700;
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    java.util.concurrent.ExecutorService dropper =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    closeables.add(dropper::shutdownNow);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int c = 0; c < chains; c++) {
      CompletableFuture<Void> chain = new CompletableFuture<>();
      done.add(chain);
      next(server, perChain, dropper, failures, chain);
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

    assertThat(failures).isEmpty();
  }

  /**
   * Sends one request; on its head (on the connection's event loop) has another thread drop it and
   * sends the next one at once, as a retry or another request of the sidecar would.
   */
  private void next(
      CountingServer server,
      int left,
      java.util.concurrent.Executor dropper,
      List<Throwable> failures,
      CompletableFuture<Void> chain) {
    if (left == 0) {
      chain.complete(null);
      return;
    }
    pool.stream(
            server.address(),
            get(),
            Duration.ZERO,
            UpstreamConnectionSettings.ENVOY_DEFAULTS,
            Optional.empty())
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                failures.add(error);
              } else {
                dropper.execute(response::release);
              }
              next(server, left - 1, dropper, failures, chain);
            });
  }

  @Test
  void aConnectionIsRetiredAfterMaxRequestsPerConnection() throws Exception {
    CountingServer server = new CountingServer();
    closeables.add(server);
    UpstreamConnectionSettings two =
        new UpstreamConnectionSettings(
            Duration.ofSeconds(1), Duration.ofHours(1), OptionalInt.of(2), Optional.empty());

    sendSequentially(server, two, 6);

    assertThat(server.accepted.get()).isEqualTo(3);
  }

  @Test
  void withoutALimitOneKeepAliveConnectionServesEveryRequest() throws Exception {
    CountingServer server = new CountingServer();
    closeables.add(server);

    sendSequentially(server, UpstreamConnectionSettings.ENVOY_DEFAULTS, 6);

    assertThat(server.accepted.get()).isEqualTo(1);
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    CountingServer server = new CountingServer();
    closeables.add(server);
    UpstreamConnectionSettings shortIdle =
        new UpstreamConnectionSettings(
            Duration.ofSeconds(1), Duration.ofMillis(200), OptionalInt.empty(), Optional.empty());

    sendSequentially(server, shortIdle, 1);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.open.get() == 0);
    sendSequentially(server, shortIdle, 1);

    assertThat(server.accepted.get()).isEqualTo(2);
  }

  @Test
  void aConnectThatTakesLongerThanTheConnectTimeoutIsAConnectFailure() throws Exception {
    // A listener whose accept queue is full: Linux drops further SYNs, so a connect hangs.
    ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    closeables.add(full);
    List<Socket> fillers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Socket filler = new Socket();
      closeables.add(filler);
      try {
        filler.connect(full.getLocalSocketAddress(), 200);
        fillers.add(filler);
      } catch (IOException e) {
        break; // The queue is full.
      }
    }
    UpstreamConnectionSettings fast =
        new UpstreamConnectionSettings(
            Duration.ofMillis(300), Duration.ofHours(1), OptionalInt.empty(), Optional.empty());
    InetSocketAddress address =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort());

    long start = System.nanoTime();
    Throwable failure =
        pool.send(address, get(), Duration.ZERO, fast).handle((response, error) -> error).join();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(failure).isInstanceOf(UpstreamException.class);
    assertThat(((UpstreamException) failure).kind())
        .isEqualTo(UpstreamException.Kind.CONNECT_FAILURE);
    assertThat(failure).hasMessageContaining("connection timed out after 300 ms");
    assertThat(took).isLessThan(Duration.ofSeconds(5));
  }
}
