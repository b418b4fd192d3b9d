package dev.meshproof.chaos.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshproof.chaos.Injection;
import dev.meshproof.chaos.NetworkFault;
import dev.meshproof.common.RandomSource;
import dev.meshproof.fake.http.EchoServer;
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
    proxy =
        ToxicProxy.builder()
            .name("reviews-app")
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
