package dev.meshproof.chaos.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshproof.chaos.Injection;
import dev.meshproof.chaos.NetworkFault;
import dev.meshproof.common.RandomSource;
import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.runtime.envoy.ListenerPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ToxicProxyIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private EchoServer echo;
  private ToxicProxy proxy;

  @BeforeEach
  void start() {
    echo = EchoServer.builder().service("reviews").build().start();
    // A partition frees the port until it is reverted: below the ephemeral range no outgoing
    // connection (the test's own included, which could connect to itself) is handed it meanwhile.
    proxy =
        ToxicProxy.builder()
            .name("reviews-app")
            .port(ListenerPorts.reserve(1).get(0))
            .upstream(echo.address())
            .random(RandomSource.seeded(42))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    echo.close();
  }

  @Test
  void relaysUntouchedWithoutToxics() throws Exception {
    HttpResponse<String> r = get("/?size=10000", Duration.ofSeconds(5));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(10_000);
    assertThat(proxy.address().getAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  void latencyToxicDelaysAnswersByAtLeastTheLatency() throws Exception {
    proxy.addToxic(Toxic.latency(Duration.ofMillis(200), Duration.ofMillis(50)));

    long start = System.nanoTime();
    HttpResponse<String> r = get("/", Duration.ofSeconds(5));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void bandwidthToxicReleasesNoFasterThanTheRate() throws Exception {
    proxy.addToxic(Toxic.bandwidth(20_000));

    long start = System.nanoTime();
    HttpResponse<String> r = get("/?size=10000", Duration.ofSeconds(10));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.body()).hasSize(10_000);
    // At least 10,000 body bytes at 20,000 B/s.
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(500));
  }

  @Test
  void resetToxicResetsOpenAndNewConnections() throws Exception {
    try (Socket open = connect()) {
      assertThat(exchange(open)).startsWith("HTTP/1.1 200");

      proxy.addToxic(Toxic.reset());

      assertThat(readOutcome(open)).isEqualTo("closed");
    }
    try (Socket fresh = connect()) {
      assertThat(sendOutcome(fresh)).isEqualTo("closed");
    }
  }

  @Test
  void blackholeMakesTheClientTimeOutAndRemovingItHeals() throws Exception {
    Injection blackhole = new NetworkFault(proxy, Toxic.blackhole()).inject();
    assertThat(proxy.toxics()).containsExactly(Toxic.blackhole());

    assertThatThrownBy(() -> get("/", Duration.ofMillis(300)))
        .isInstanceOf(HttpTimeoutException.class);

    blackhole.revert();
    assertThat(proxy.toxics()).isEmpty();
    assertThat(get("/", Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
  }

  @Test
  void upstreamLatencyDelaysRequests() throws Exception {
    proxy.addToxic(new Toxic.Latency(Duration.ofMillis(300), Duration.ZERO, Toxic.Stream.UPSTREAM));

    long start = System.nanoTime();
    HttpResponse<String> r = get("/", Duration.ofSeconds(5));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void timeoutToxicDropsBytesThenClosesAfterTheTimeout() throws Exception {
    proxy.addToxic(new Toxic.Timeout(Duration.ofMillis(300), Toxic.Stream.DOWNSTREAM));

    try (Socket s = connect()) {
      long start = System.nanoTime();
      assertThat(sendOutcome(s)).isEqualTo("closed");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  void limitDataCutsTheResponseAfterTheLimit() throws Exception {
    proxy.addToxic(new Toxic.LimitData(100, Toxic.Stream.DOWNSTREAM));

    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              "GET /?size=10000 HTTP/1.1\r\nHost: reviews\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      byte[] received = readUntilClosed(s);

      assertThat(received).hasSize(100);
      assertThat(new String(received, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void slicerDeliversEveryByteInDelayedPieces() throws Exception {
    proxy.addToxic(new Toxic.Slicer(100, 50, Duration.ofMillis(10), Toxic.Stream.DOWNSTREAM));

    long start = System.nanoTime();
    HttpResponse<String> r = get("/?size=2000", Duration.ofSeconds(10));

    assertThat(r.body()).hasSize(2000);
    // At least 2,000 / 150 = 13 pieces, 10 ms apart.
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(120));
  }

  @Test
  void slowCloseHoldsTheUpstreamCloseBack() throws Exception {
    proxy.addToxic(new Toxic.SlowClose(Duration.ofMillis(400), Toxic.Stream.DOWNSTREAM));

    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              "GET / HTTP/1.1\r\nHost: reviews\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      readResponse(s);
      long answered = System.nanoTime();

      assertThat(readOutcome(s)).isEqualTo("closed");
      assertThat(Duration.ofNanos(System.nanoTime() - answered))
          .isGreaterThanOrEqualTo(Duration.ofMillis(350));
    }
  }

  @Test
  void toxicityAppliesToASeededFractionOfConnections() throws Exception {
    String first = resetPattern(RandomSource.seeded(7));
    String second = resetPattern(RandomSource.seeded(7));

    // Each connection draws once from the seeded source: some are reset, some not, and the same
    // seed replays the same pattern.
    assertThat(first).contains("R").contains("-");
    assertThat(second).isEqualTo(first);
  }

  @Test
  void disableRefusesConnectionsAndEnableListensAgainOnTheSamePort() throws Exception {
    InetSocketAddress address = proxy.address();
    Injection partition =
        new NetworkFault("client -> reviews", java.util.List.of(proxy), new NetworkFault.Refuse())
            .inject();

    assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
        .isInstanceOf(ConnectException.class);

    partition.revert();
    assertThat(proxy.address()).isEqualTo(address);
    assertThat(get("/", Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
  }

  @Test
  void closedUpstreamIsSeenAsAClosedConnection() throws Exception {
    echo.close();

    try (Socket s = connect()) {
      assertThat(sendOutcome(s)).isEqualTo("closed");
    }
  }

  @Test
  void closeStopsListening() {
    InetSocketAddress address = proxy.address();
    proxy.close();

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()))
                    .isInstanceOf(ConnectException.class));
  }

  @Test
  void builderRejectsNonLoopbackUpstream() {
    assertThatThrownBy(() -> ToxicProxy.builder().upstream(new InetSocketAddress("192.0.2.1", 80)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("upstream: ");
    assertThatThrownBy(() -> ToxicProxy.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("upstream: null");
  }

  private HttpResponse<String> get(String path, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.address().getPort() + path))
            .timeout(timeout)
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** 40 fresh connections through a proxy with a reset on half of them: R reset, - answered. */
  private String resetPattern(RandomSource random) throws IOException {
    StringBuilder pattern = new StringBuilder();
    try (ToxicProxy p =
        ToxicProxy.builder().name("pattern").upstream(echo.address()).random(random).build()) {
      p.start();
      p.addToxic(new Toxic.Reset(Toxic.ResetScope.NEW_CONNECTIONS), 0.5);
      for (int i = 0; i < 40; i++) {
        try (Socket s = new Socket(p.address().getAddress(), p.address().getPort())) {
          s.setSoTimeout(5_000);
          pattern.append(sendOutcome(s).equals("closed") ? "R" : "-");
        }
      }
    }
    return pattern.toString();
  }

  private static byte[] readUntilClosed(Socket s) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      s.getInputStream().transferTo(out);
    } catch (SocketException e) {
      // A reset after the limit ends the stream too.
    }
    return out.toByteArray();
  }

  /** Reads one response (head and Content-Length body) from a raw socket. */
  private static void readResponse(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      head.append((char) b);
      if (head.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    in.readNBytes(contentLength(head.toString()));
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(proxy.address().getAddress(), proxy.address().getPort());
    s.setSoTimeout(5_000);
    return s;
  }

  /** Sends one request on a keep-alive connection and returns the status line. */
  private static String exchange(Socket s) throws IOException {
    s.getOutputStream().write(request());
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      head.append((char) b);
      if (head.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    int length = contentLength(head.toString());
    in.readNBytes(length);
    return head.toString();
  }

  /** What the client sees reading: "closed" for a reset or EOF. Any timeout fails the test. */
  private static String readOutcome(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1 ? "closed" : "data";
    } catch (SocketException e) {
      return "closed";
    }
  }

  private static String sendOutcome(Socket s) throws IOException {
    try {
      s.getOutputStream().write(request());
    } catch (SocketException e) {
      return "closed";
    }
    return readOutcome(s);
  }

  private static byte[] request() {
    return "GET / HTTP/1.1\r\nHost: reviews\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    return 0;
  }
}
