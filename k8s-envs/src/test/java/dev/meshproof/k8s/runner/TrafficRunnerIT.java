package dev.meshproof.k8s.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The traffic runner on loopback, as the driver reaches it through a port-forward: it sends the
 * request it is given to the URL's host and port (in a pod, the sidecar captures that connection)
 * and answers with the outcome.
 */
class TrafficRunnerIT {

  @Test
  void theRunnerSendsTheRequestItIsGivenAndAnswersWithTheOutcome() throws Exception {
    EchoServer echo =
        EchoServer.builder().service("catalog").version("v2").host("127.0.0.1").port(0).build();
    echo.start();
    TrafficRunnerMain runner = new TrafficRunnerMain();
    new CommandLine(runner).parseArgs("--client=client", "--listen-port=0", "--bind=127.0.0.1");
    int port =
        runner.start(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      HttpRequestSpec spec =
          new HttpRequestSpec(
              "GET",
              URI.create("http://127.0.0.1:" + echo.port() + "/items?x=1"),
              Map.of("x-request-id", "run-1"),
              new byte[0],
              Duration.ofSeconds(10));
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + RunnerProtocol.SEND_PATH))
                      .POST(HttpRequest.BodyPublishers.ofString(RunnerProtocol.requestJson(spec)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(200);
      HttpOutcome outcome = RunnerProtocol.outcome(answer.body());
      assertThat(outcome.kind()).isEqualTo(HttpOutcome.Kind.RESPONSE);
      assertThat(outcome.status()).isEqualTo(200);
      assertThat(outcome.body()).contains("catalog");
      assertThat(echo.journal().entries())
          .singleElement()
          .satisfies(e -> assertThat(e.requestId()).isEqualTo("run-1"));
    } finally {
      runner.stop();
      echo.close();
    }
  }

  @Test
  void aRefusedConnectionIsAnOutcomeNotAnError() throws Exception {
    TrafficRunnerMain runner = new TrafficRunnerMain();
    new CommandLine(runner).parseArgs("--client=client", "--listen-port=0", "--bind=127.0.0.1");
    int port =
        runner.start(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try {
      HttpRequestSpec spec = HttpRequestSpec.get("http://127.0.0.1:" + closed + "/");
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + RunnerProtocol.SEND_PATH))
                      .POST(HttpRequest.BodyPublishers.ofString(RunnerProtocol.requestJson(spec)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(RunnerProtocol.outcome(body).kind()).isEqualTo(HttpOutcome.Kind.CONNECT_FAILURE);
    } finally {
      runner.stop();
    }
  }
}
