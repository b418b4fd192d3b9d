package dev.meshproof.runtime.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** No Envoy outlives the JVM that started it, even when that JVM is killed with SIGKILL. */
class EnvoyOrphanIT {

  @Test
  void envoysDieWithAJvmKilledBySigkillAndTheirDirectoriesAreReapedByTheNextRun()
      throws IOException {
    Assumptions.assumeTrue(EnvoyBinary.locate().isPresent(), EnvoyBinary.INSTALL_HINT);
    Assumptions.assumeTrue(EnvoyProcesses.diesWithParent(), "setpriv (util-linux) not found");
    Process holder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                EnvoyHolderMain.class.getName())
            .redirectErrorStream(true)
            .start();
    List<Long> envoys = new ArrayList<>();
    List<Path> directories = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder transcript = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        transcript.append(line).append('\n');
        if (line.startsWith("envoy ")) {
          String[] parts = line.split(" ");
          envoys.add(Long.parseLong(parts[1]));
          directories.add(Path.of(parts[2]));
        } else if (line.equals("ready")) {
          break;
        }
      }
      assertThat(envoys).as("holder JVM output:\n%s", transcript).hasSize(2);
      assertThat(envoys).allMatch(EnvoyOrphanIT::live);

      holder.destroyForcibly(); // SIGKILL: no shutdown hook runs
      await().atMost(Duration.ofSeconds(20)).until(() -> !holder.isAlive());

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(envoys).noneMatch(EnvoyOrphanIT::live));
      assertThat(directories).allMatch(Files::isDirectory);

      List<Path> reaped = EnvoyProcesses.reapLeftovers(directories.get(0).getParent());
      assertThat(reaped).containsAll(directories);
      assertThat(directories).noneMatch(Files::exists);
    } finally {
      holder.destroyForcibly();
      envoys.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  @Test
  void reapingLeavesTheDirectoriesOfLiveJvmsAlone() throws IOException {
    Path root = Files.createTempDirectory("meshproof-reaper-test-");
    try {
      Path mine = Files.createDirectory(root.resolve(EnvoyProcesses.DIRECTORY_PREFIX + "mine-1"));
      Files.writeString(mine.resolve("owner"), EnvoyProcesses.ownerLine(ProcessHandle.current()));
      Path dead = Files.createDirectory(root.resolve(EnvoyProcesses.DIRECTORY_PREFIX + "dead-1"));
      // A pid that cannot exist (above pid_max) stands for a JVM that is gone.
      Files.writeString(dead.resolve("owner"), "4194305 2020-01-01T00:00:00Z\n");

      assertThat(EnvoyProcesses.reapLeftovers(root)).containsExactly(dead);
      assertThat(mine).isDirectory();
      assertThat(dead).doesNotExist();
    } finally {
      try (var files = Files.walk(root)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * A process is live unless it is gone or a zombie: PID 1 on these machines does not reap orphans,
   * so a killed orphan lingers in state Z, which {@code kill -0} and pgrep still see.
   */
  static boolean live(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }
}
