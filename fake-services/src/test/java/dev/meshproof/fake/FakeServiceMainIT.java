package dev.meshproof.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FakeServiceMainIT {

  private static FakeServiceMain parse(String... args) {
    FakeServiceMain main = new FakeServiceMain();
    new CommandLine(main).parseArgs(args);
    return main;
  }

  @Test
  void startsAnHttpEchoAndPrintsItsPort() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    FakeServiceMain main =
        parse("--kind", "http", "--service", "reviews", "--version", "v3", "--seed", "7");
    try (AutoCloseable w = main.start(new PrintStream(buf, true, StandardCharsets.UTF_8))) {
      String line = buf.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
      assertThat(line).matches("port=\\d+");
      int port = Integer.parseInt(line.substring("port=".length()));
      HttpResponse<String> res =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(res.headers().firstValue("x-echo-version")).hasValue("v3");
      assertThat(w).isInstanceOf(dev.meshproof.fake.http.EchoServer.class);
    }
  }

  @Test
  void theControlApiListensOnThePortAManifestNames() throws Exception {
    int free;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      free = s.getLocalPort();
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    FakeServiceMain main =
        parse("--service", "catalog", "--control-api", "--control-port", String.valueOf(free));
    try (AutoCloseable w = main.start(new PrintStream(buf, true, StandardCharsets.UTF_8))) {
      assertThat(buf.toString(StandardCharsets.UTF_8)).contains("control=" + free);
      HttpResponse<String> res =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + free + "/control/identity"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(res.body()).contains("catalog");
    }
  }

  @Test
  void everyKindStartsOnLoopback() throws Exception {
    for (String kind : new String[] {"grpc", "tcp", "wiremock"}) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      try (AutoCloseable w =
          parse("--kind", kind, "--service", "s")
              .start(new PrintStream(buf, true, StandardCharsets.UTF_8))) {
        assertThat(buf.toString(StandardCharsets.UTF_8)).as(kind).startsWith("port=");
        assertThat(w).isNotNull();
      }
    }
  }

  @Test
  void badOptionsAreUsageErrorsNotStackTraces() {
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new FakeServiceMain())
            .setErr(new PrintWriter(err))
            .execute("--kind", "udp", "--service", "x");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--kind").contains("udp");

    assertThatThrownBy(() -> parse("--service", "has space").start(System.out))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith("service:");
  }
}
