package dev.meshproof.fake.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.Fault;
import dev.meshproof.fake.journal.JournalEntry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EchoServerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EventLoopGroup group;
  private static HttpClient http1;
  private static HttpClient http2;
  private EchoServer server;

  @BeforeAll
  static void startLoop() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
  }

  @AfterAll
  static void stopLoop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close();
    }
  }

  private EchoServer start(EchoServer.Builder b) {
    server = b.eventLoopGroup(group).build().start();
    return server;
  }

  private HttpResponse<String> get(HttpClient client, EchoServer s, String path, String... headers)
      throws Exception {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
            .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      req.headers(headers);
    }
    return client.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void echoesIdentityAndRequestAsJson() throws Exception {
    start(EchoServer.builder().service("reviews").version("v2").namespace("bookinfo"));
    HttpResponse<String> res =
        get(http1, server, "/reviews/1?x=y", "x-request-id", "rid-1", "X-Multi", "a");

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(res.headers().firstValue("x-echo-service")).hasValue("reviews");
    assertThat(res.headers().firstValue("x-echo-version")).hasValue("v2");
    assertThat(res.headers().firstValue("x-echo-instance")).hasValue("reviews-v2-0");
    JsonNode body = JSON.readTree(res.body());
    assertThat(body.get("service").asText()).isEqualTo("reviews");
    assertThat(body.get("version").asText()).isEqualTo("v2");
    assertThat(body.get("instance").asText()).isEqualTo("reviews-v2-0");
    assertThat(body.get("pod").asText()).isEqualTo("reviews-v2-0");
    assertThat(body.get("namespace").asText()).isEqualTo("bookinfo");
    assertThat(body.get("method").asText()).isEqualTo("GET");
    assertThat(body.get("path").asText()).isEqualTo("/reviews/1?x=y");
    assertThat(body.get("host").asText()).isEqualTo("127.0.0.1:" + server.port());
    assertThat(body.get("proto").asText()).isEqualTo("HTTP/1.1");
    assertThat(body.get("headers").get("x-multi").get(0).asText()).isEqualTo("a");
    assertThat(body.get("bodySize").asInt()).isZero();
    assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  void answersHttp2CleartextByUpgrade() throws Exception {
    start(EchoServer.builder().service("ratings"));
    // java.net.http negotiates h2c with "Upgrade: h2c" on a plain http:// URI.
    HttpResponse<String> first = get(http2, server, "/one");
    HttpResponse<String> second = get(http2, server, "/two");

    assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(JSON.readTree(second.body()).get("proto").asText()).isEqualTo("HTTP/2.0");
    assertThat(JSON.readTree(second.body()).get("path").asText()).isEqualTo("/two");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(server.journal().entries())
        .extracting(JournalEntry::protocol)
        .containsExactly("HTTP/2.0", "HTTP/2.0");
  }

  @Test
  void journalRecordsAttemptsMirroringAndCallerIdentity() throws Exception {
    Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
    start(
        EchoServer.builder()
            .service("catalog")
            .clock(Clock.fixed(t0, ZoneOffset.UTC))
            .journalCapacity(2));
    String xfcc =
        "By=spiffe://cluster.local/ns/default/sa/catalog;Hash=abc;Subject=\"\";"
            + "URI=spiffe://cluster.local/ns/default/sa/productpage";
    RawHttp.get(server.address(), "/a", "catalog:80", "x-request-id: r1");
    RawHttp.get(server.address(), "/a", "catalog:80", "x-request-id: r1");
    String mirrored =
        RawHttp.get(
            server.address(),
            "/b",
            "catalog-shadow:80",
            "x-request-id: r2",
            "x-forwarded-client-cert: " + xfcc);

    assertThat(mirrored).contains("\"xForwardedClientCert\"");
    assertThat(server.journal().receivedCount()).isEqualTo(3);
    assertThat(server.journal().count()).isEqualTo(2);
    assertThat(server.journal().droppedCount()).isEqualTo(1);
    assertThat(server.journal().mirroredCount()).isEqualTo(1);
    assertThat(server.journal().byRequestId("r1"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.attempt()).isEqualTo(2);
              assertThat(e.timestamp()).isEqualTo(t0);
              assertThat(e.status()).isEqualTo(200);
              assertThat(e.mirrored()).isFalse();
            });
    JournalEntry shadow = server.journal().byRequestId("r2").get(0);
    assertThat(shadow.mirrored()).isTrue();
    assertThat(shadow.authority()).isEqualTo("catalog-shadow:80");
    assertThat(shadow.callerIdentity())
        .isEqualTo("spiffe://cluster.local/ns/default/sa/productpage");
    assertThat(JSON.readTree(server.journal().toJson()).get("entries")).hasSize(2);
  }

  @Test
  void statusPathCodesAndSetHeaderKnobs() throws Exception {
    start(EchoServer.builder().service("reviews"));
    assertThat(get(http1, server, "/status/418").statusCode()).isEqualTo(418);
    assertThat(get(http1, server, "/?codes=503:1").statusCode()).isEqualTo(503);
    HttpResponse<String> res =
        get(http1, server, "/?size=5", "X-Echo-Set-Header", "X-Foo:bar,X-Baz: qux");
    assertThat(res.body()).isEqualTo("xxxxx");
    assertThat(res.headers().firstValue("x-foo")).hasValue("bar");
    assertThat(res.headers().firstValue("x-baz")).hasValue("qux");
  }

  @Test
  void malformedKnobIsRejectedWith400NamingTheKnob() throws Exception {
    start(EchoServer.builder().service("reviews"));
    HttpResponse<String> res = get(http1, server, "/?codes=500:abc");
    assertThat(res.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(res.body());
    assertThat(body.get("knob").asText()).isEqualTo("codes");
    assertThat(body.get("error").asText())
        .startsWith("codes: \"500:abc\" \u2014 expected status:weight pairs like 500:90,200:10");
  }

  @Test
  void retryProbeFailsUntilSucceedAfterPerRequestId() throws Exception {
    start(EchoServer.builder().service("reviews"));
    String path = "/retry?succeedAfter=2&responseCode=503";
    assertThat(get(http1, server, path, "x-request-id", "abc").statusCode()).isEqualTo(503);
    assertThat(get(http1, server, path, "x-request-id", "abc").statusCode()).isEqualTo(503);
    assertThat(get(http1, server, path, "x-request-id", "abc").statusCode()).isEqualTo(200);
    assertThat(get(http1, server, path, "x-request-id", "other").statusCode()).isEqualTo(503);
  }

  @Test
  void delayKnobDelaysTheAnswer() throws Exception {
    start(EchoServer.builder().service("reviews"));
    long start = System.nanoTime();
    assertThat(get(http1, server, "/?delay=150ms").statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  @Test
  void inFlightCountsRequestsUntilTheirAnswerIsWritten() throws Exception {
    start(EchoServer.builder().service("reviews"));
    for (HttpClient client : new HttpClient[] {http1, http2}) {
      var pending =
          client.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/?delay=1s"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> server.inFlight() == 1);
      assertThat(pending.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> server.inFlight() == 0);
    }
  }

  @Test
  void hangNeverAnswersAndResetBreaksTheConnection() throws Exception {
    start(
        EchoServer.builder()
            .service("reviews")
            .behavior(Behavior.builder().fault(Fault.HANG).build()));
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
            .timeout(Duration.ofMillis(300))
            .build();
    assertThatThrownBy(() -> http1.send(req, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(server.journal().entries())
        .singleElement()
        .extracting(JournalEntry::status)
        .isEqualTo(0);

    server.behavior().set(Behavior.builder().fault(Fault.RESET).build());
    assertThatThrownBy(() -> RawHttp.get(server.address(), "/", "reviews"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void dropAfterHeadersAndSlowBody() throws Exception {
    start(
        EchoServer.builder()
            .service("reviews")
            .behavior(Behavior.builder().fault(Fault.DROP_AFTER_HEADERS).build()));
    assertThatThrownBy(() -> get(http1, server, "/")).isInstanceOf(IOException.class);

    server
        .behavior()
        .set(
            Behavior.builder()
                .fault(Fault.SLOW_BODY)
                .slowBodyChunkDelay(Duration.ofMillis(20))
                .build());
    long start = System.nanoTime();
    HttpResponse<String> res = get(http1, server, "/slow");
    assertThat(JSON.readTree(res.body()).get("path").asText()).isEqualTo("/slow");
    // Ten pieces, each after a 20ms pause.
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
  }

  @Test
  void readinessFollowsTheBehaviourHandle() throws Exception {
    start(EchoServer.builder().service("reviews"));
    assertThat(get(http1, server, "/ready").statusCode()).isEqualTo(200);
    server.behavior().update(b -> b.toBuilder().ready(false).build());
    assertThat(get(http1, server, "/ready").statusCode()).isEqualTo(503);
    server.behavior().reset();
    assertThat(get(http1, server, "/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void errorRateOneFailsEveryRequestWithTheMix() throws Exception {
    start(
        EchoServer.builder()
            .service("reviews")
            .behavior(Behavior.builder().errors(1.0, "502").build()));
    assertThat(get(http1, server, "/").statusCode()).isEqualTo(502);
  }

  @Test
  void controlApiChangesBehaviourAndServesTheJournal() throws Exception {
    start(EchoServer.builder().service("reviews").controlApi(true));
    String control = "http://127.0.0.1:" + server.controlAddress().orElseThrow().getPort();
    HttpResponse<String> put =
        http1.send(
            HttpRequest.newBuilder(URI.create(control + "/control/behavior"))
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"errorRate\":1.0,\"errorStatuses\":\"504\",\"ready\":false}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(server.behavior().get().ready()).isFalse();
    assertThat(get(http1, server, "/").statusCode()).isEqualTo(504);

    HttpResponse<String> bad =
        http1.send(
            HttpRequest.newBuilder(URI.create(control + "/control/behavior"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"latency\":{\"type\":\"gamma\"}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("latency.type");

    HttpResponse<String> journal =
        http1.send(
            HttpRequest.newBuilder(URI.create(control + "/control/journal")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(journal.body()).get("received").asInt()).isEqualTo(1);
  }

  @Test
  void callGraphGoesThroughTheUpstreamProxyWithHostAndTraceHeaders() throws Exception {
    try (EchoServer inventory =
        EchoServer.builder().service("inventory").eventLoopGroup(group).build().start()) {
      start(
          EchoServer.builder()
              .service("catalog")
              .upstreamProxy(inventory.address())
              .calls("inventory:80/items"));
      HttpResponse<String> res =
          get(http1, server, "/", "x-request-id", "trace-1", "traceparent", "00-abc-def-01");

      JsonNode call = JSON.readTree(res.body()).get("calls").get(0);
      assertThat(call.get("status").asInt()).isEqualTo(200);
      assertThat(call.get("target").asText()).isEqualTo("inventory:80/items");
      assertThat(call.get("body").get("service").asText()).isEqualTo("inventory");
      assertThat(call.get("body").get("host").asText()).isEqualTo("inventory:80");
      assertThat(call.get("body").get("path").asText()).isEqualTo("/items");
      assertThat(inventory.journal().byRequestId("trace-1")).hasSize(1);
      assertThat(call.get("body").get("headers").get("traceparent").get(0).asText())
          .isEqualTo("00-abc-def-01");
    }
  }

  @Test
  void ownedEventLoopIsShutDownOnClose() {
    EchoServer own = EchoServer.builder().service("solo").build().start();
    int port = own.port();
    own.close();
    assertThatThrownBy(() -> RawHttp.get(own.address(), "/", "solo"))
        .isInstanceOf(IOException.class);
    assertThat(port).isPositive();
  }

  @Test
  void builderNamesTheMissingOrBadField() {
    assertThatThrownBy(() -> EchoServer.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("service:");
    assertThatThrownBy(() -> EchoServer.builder().service("a").calls("x:80/y").build())
        .hasMessageStartingWith("upstreamProxy:");
    assertThatThrownBy(() -> EchoServer.builder().service("has space").build())
        .hasMessageStartingWith("service:");
    assertThatThrownBy(() -> EchoServer.builder().port(70000)).hasMessageStartingWith("port:");
  }
}
