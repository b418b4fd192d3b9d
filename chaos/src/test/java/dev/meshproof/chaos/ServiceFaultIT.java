package dev.meshproof.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshproof.fake.http.EchoServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.BinomialTest;
import org.apache.commons.statistics.inference.SignificanceResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServiceFaultIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /**
   * Chance of failing a correct implementation: one run in a thousand (with a fixed seed: never).
   */
  private static final double ALPHA = 0.001;

  private static final int REQUESTS = 400;

  private EchoServer reviews;

  @BeforeEach
  void start() {
    reviews = EchoServer.builder().service("reviews").seed(7).build().start();
  }

  @AfterEach
  void stop() {
    reviews.close();
  }

  @Test
  void errorFaultAnswersTheConfiguredShareWith503AndRevertHealsEveryRequest() throws Exception {
    ServiceFault fault = ServiceFault.on(List.of(reviews)).errors(0.3, "503");
    assertThat(count503(50)).isZero();

    Injection injection = fault.inject();
    int errors = count503(REQUESTS);
    injection.revert();

    // Two-sided: too few errors is as wrong as too many.
    SignificanceResult result =
        BinomialTest.withDefaults()
            .with(AlternativeHypothesis.TWO_SIDED)
            .test(REQUESTS, errors, 0.3);
    assertThat(result.reject(ALPHA))
        .as("%d/%d answered 503 (p=%.5f), expected share 0.3", errors, REQUESTS, result.getPValue())
        .isFalse();
    assertThat(count503(100)).isZero();
  }

  @Test
  void runOnTheSystemClockInjectsAndItsCloseReverts() throws Exception {
    ChaosTimeline timeline =
        ChaosTimeline.builder()
            .at(Duration.ZERO, ServiceFault.on(List.of(reviews)).notReady())
            .build();

    try (ChaosRun chaos = ChaosRun.onSystemClock(timeline).start()) {
      await().atMost(Duration.ofSeconds(5)).until(() -> !chaos.activeFaults().isEmpty());
      assertThat(status("/ready")).isEqualTo(503);
    }
    assertThat(status("/ready")).isEqualTo(200);
  }

  private int count503(int requests) throws IOException, InterruptedException {
    int errors = 0;
    for (int i = 0; i < requests; i++) {
      int status = status("/");
      assertThat(status).isIn(200, 503);
      if (status == 503) {
        errors++;
      }
    }
    return errors;
  }

  private int status(String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + reviews.port() + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
