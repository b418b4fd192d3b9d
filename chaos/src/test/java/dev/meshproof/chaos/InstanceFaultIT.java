package dev.meshproof.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.fake.http.EchoServer;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The recipe the scenario layer follows: stop closes the echo, start rebuilds it on its port. */
class InstanceFaultIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private volatile EchoServer current =
      EchoServer.builder().service("ratings").instance("ratings-v1-0").build().start();

  @AfterEach
  void stop() {
    current.close();
  }

  @Test
  void stoppedInstanceRefusesConnectionsAndRevertRestartsItOnTheSamePort() throws Exception {
    int port = current.port();
    InstanceHandle handle =
        InstanceHandle.of(
            "ratings-v1-0",
            () -> current.close(),
            () ->
                current =
                    EchoServer.builder()
                        .service("ratings")
                        .instance("ratings-v1-0")
                        .port(port)
                        .build()
                        .start());

    Injection injection = InstanceFault.stop(handle).inject();
    assertThatThrownBy(() -> status(port)).isInstanceOf(ConnectException.class);

    injection.revert();
    assertThat(status(port)).isEqualTo(200);
  }

  private static int status(int port) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(Duration.ofSeconds(5))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
