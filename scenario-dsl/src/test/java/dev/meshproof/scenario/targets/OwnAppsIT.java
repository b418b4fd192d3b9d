package dev.meshproof.scenario.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.scenario.AppSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's own apps started as commands: in the scenario file's directory, on a port below the
 * ephemeral range, and never mistaken for another process's server on that port.
 */
class OwnAppsIT {

  /** Python's file server: it serves its working directory, so a file in it proves where it ran. */
  private static AppSpec.Command fileServer(Optional<Path> dir) {
    return new AppSpec.Command(
        List.of("python3", "-m", "http.server", AppSpec.PORT, "--bind", "127.0.0.1"),
        Map.of(),
        Duration.ofSeconds(30),
        dir);
  }

  private static HttpResponse<String> get(InetSocketAddress address, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aCommandRunsInItsScenarioFilesDirectoryOnAPortBelowTheEphemeralRange(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("where.txt"), "the scenario's directory");
    try (OwnApps apps = new OwnApps()) {
      InetSocketAddress address =
          apps.start(fileServer(Optional.of(dir)), "catalog", "v1", "catalog-v1-0");

      assertThat(address.getPort()).isLessThan(LoopbackPorts.ephemeralRangeStart());
      HttpResponse<String> answer = get(address, "/where.txt");
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("the scenario's directory");
    }
  }

  @Test
  void aPortTakenBetweenThePickAndTheAppsBindIsAnsweredWithAnotherPort(@TempDir Path dir)
      throws Exception {
    try (ServerSocket thief = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      java.util.Iterator<Integer> picks =
          List.of(thief.getLocalPort(), LoopbackPorts.forChildProcess()).iterator();
      try (OwnApps apps = new OwnApps(picks::next)) {
        InetSocketAddress address =
            apps.start(fileServer(Optional.of(dir)), "catalog", "v1", "catalog-v1-0");

        assertThat(address.getPort()).isNotEqualTo(thief.getLocalPort());
        assertThat(get(address, "/").statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void portsTakenEveryTimeAbortTheRunNamingThem(@TempDir Path dir) throws Exception {
    try (ServerSocket thief = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        OwnApps apps = new OwnApps(thief::getLocalPort)) {
      assertThatThrownBy(
              () -> apps.start(fileServer(Optional.of(dir)), "catalog", "v1", "catalog-v1-0"))
          .isInstanceOf(ScenarioAbortedException.class)
          .hasMessageContaining("does not own the listener")
          .hasMessageContaining(
              "(ports ["
                  + thief.getLocalPort()
                  + ", "
                  + thief.getLocalPort()
                  + ", "
                  + thief.getLocalPort()
                  + "] were taken by other processes before it bound them)");
    }
  }

  @Test
  void anotherProcessListeningOnTheAppsPortIsNeverTakenForTheApp() throws Exception {
    // The command never binds; this JVM listens on the port it was given.
    try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        OwnApps apps = new OwnApps(other::getLocalPort)) {
      AppSpec.Command command =
          new AppSpec.Command(List.of("sleep", "30"), Map.of(), Duration.ofSeconds(10));

      assertThatThrownBy(() -> apps.start(command, "catalog", "v1", "catalog-v1-0"))
          .isInstanceOf(ScenarioAbortedException.class)
          .hasMessageContaining("does not own the listener on 127.0.0.1:" + other.getLocalPort());
    }
  }

  @Test
  void aCommandThatNeverListensAbortsTheRunWhenItsStartTimeoutIsOver() {
    try (OwnApps apps = new OwnApps()) {
      AppSpec.Command command =
          new AppSpec.Command(List.of("sleep", "30"), Map.of(), Duration.ofSeconds(3));
      assertThatThrownBy(() -> apps.start(command, "catalog", "v1", "catalog-v1-0"))
          .isInstanceOf(ScenarioAbortedException.class)
          .hasMessageContaining("did not listen on 127.0.0.1:")
          .hasMessageContaining("within 3000 ms")
          .hasMessageNotContaining("were taken");
    }
  }
}
