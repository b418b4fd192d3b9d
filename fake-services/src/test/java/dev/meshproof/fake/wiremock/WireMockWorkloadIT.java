package dev.meshproof.fake.wiremock;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WireMockWorkloadIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static HttpResponse<String> send(WireMockWorkload w, String path, String requestId)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.port() + path))
            .header("x-request-id", requestId)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesMappingFilesAndDslStubsWithIdentityAndJournal() throws Exception {
    Path root = Path.of(getClass().getResource("/wiremock-root").toURI());
    try (WireMockWorkload payments =
        WireMockWorkload.builder()
            .service("payments")
            .version("v3")
            .mappingsRoot(root)
            .stub(get("/down").willReturn(serviceUnavailable()))
            .build()
            .start()) {
      HttpResponse<String> items = send(payments, "/items", "r-1");
      assertThat(items.statusCode()).isEqualTo(200);
      assertThat(items.body()).contains("\"items\"");
      assertThat(items.headers().firstValue("x-echo-version")).hasValue("v3");
      assertThat(send(payments, "/down", "r-1").statusCode()).isEqualTo(503);
      assertThat(payments.address().getAddress().isLoopbackAddress()).isTrue();

      await().untilAsserted(() -> assertThat(payments.journal().byRequestId("r-1")).hasSize(2));
      assertThat(payments.journal().byRequestId("r-1"))
          .extracting(e -> e.path() + " " + e.status() + " #" + e.attempt())
          .containsExactly("/items 200 #1", "/down 503 #2");
    }
  }

  @Test
  void mappingsRootMustContainMappings() {
    assertThatThrownBy(() -> WireMockWorkload.builder().mappingsRoot(Path.of("/nonexistent")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("mappingsRoot:");
  }
}
