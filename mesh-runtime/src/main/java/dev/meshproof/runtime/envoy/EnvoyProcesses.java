package dev.meshproof.runtime.envoy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Every Envoy process this JVM started, and the guarantees that none outlives it.
 *
 * <p>Three layers, because a JVM can die in ways that run no code of ours (SIGKILL from a CI
 * timeout, an IDE's stop button):
 *
 * <ol>
 *   <li>Each Envoy runs under {@code setpriv --pdeathsig KILL}, so the kernel kills it when its
 *       parent dies. The kernel ties that signal to the parent <em>thread</em>, so every Envoy is
 *       spawned from one thread that lives as long as the JVM ({@code meshproof-envoy-spawner});
 *       spawning from a test's worker thread would kill the Envoy when that thread ends.
 *   <li>A shutdown hook kills live Envoys and removes their directories on an orderly exit.
 *   <li>At first use, directories of earlier runs whose owning JVM is gone are reaped: any process
 *       still running from such a directory is killed and the directory removed.
 * </ol>
 */
final class EnvoyProcesses {
  static final String DIRECTORY_PREFIX = "meshproof-envoy-";
  private static final String OWNER_FILE = "owner";

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final Set<Path> DIRECTORIES = ConcurrentHashMap.newKeySet();
  private static final ExecutorService SPAWNER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "meshproof-envoy-spawner");
            t.setDaemon(true);
            return t;
          });
  private static final Optional<Path> SETPRIV = locateSetpriv();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LIVE.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
                  LIVE.forEach(Process::destroyForcibly);
                  LIVE.forEach(EnvoyProcesses::awaitExit);
                  DIRECTORIES.forEach(EnvoyProcesses::deleteDirectory);
                },
                "meshproof-envoy-reaper"));
    reapLeftovers(tempRoot());
  }

  private EnvoyProcesses() {}

  /**
   * Creates the working directory of one Envoy (bootstrap, log), marked with this JVM's identity so
   * that a later run can tell it was abandoned.
   */
  static Path createDirectory(String workload) throws IOException {
    Path directory = Files.createTempDirectory(DIRECTORY_PREFIX + workload + "-");
    Files.writeString(directory.resolve(OWNER_FILE), ownerLine(ProcessHandle.current()));
    DIRECTORIES.add(directory);
    return directory;
  }

  /** Starts {@code command} (an Envoy command line) so that it dies with this JVM. */
  static Process spawn(List<String> command, Path log) throws IOException {
    List<String> full = new ArrayList<>();
    SETPRIV.ifPresent(
        setpriv -> full.addAll(List.of(setpriv.toString(), "--pdeathsig", "KILL", "--")));
    full.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(full)
            .redirectErrorStream(true)
            // Append mode: the access log Envoy writes to /dev/stdout and its own log lines then
            // never overwrite each other.
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Future<Process> started = SPAWNER.submit(builder::start);
    Process process;
    try {
      process = started.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting " + command.get(0), e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException("cannot start " + command.get(0), e.getCause());
    }
    process.getOutputStream().close();
    LIVE.add(process);
    return process;
  }

  /** Forgets a stopped process and removes its directory. */
  static void stopped(Process process, Path directory) {
    LIVE.remove(process);
    stopped(directory);
  }

  /** Removes the directory of a stopped Envoy that was not a child process (a container). */
  static void stopped(Path directory) {
    deleteDirectory(directory);
    DIRECTORIES.remove(directory);
  }

  /** Envoy processes of this JVM still alive, for tests that prove none outlives its mesh. */
  static long alive() {
    return LIVE.stream().filter(Process::isAlive).count();
  }

  /** Whether Envoys are tied to this JVM's life by the kernel (setpriv found). */
  static boolean diesWithParent() {
    return SETPRIV.isPresent();
  }

  /**
   * Kills what runs from, and removes, every Envoy directory under {@code root} whose owning JVM is
   * no longer running. Returns the directories reaped.
   */
  static List<Path> reapLeftovers(Path root) {
    List<Path> reaped = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, DIRECTORY_PREFIX + "*")) {
      for (Path dir : dirs) {
        if (Files.isDirectory(dir) && !ownerAlive(dir)) {
          String marker = dir.toString();
          ProcessHandle.allProcesses()
              .filter(p -> p.info().arguments().map(a -> mentions(a, marker)).orElse(false))
              .forEach(ProcessHandle::destroyForcibly);
          deleteDirectory(dir);
          reaped.add(dir);
        }
      }
    } catch (IOException e) {
      // An unreadable temp root means nothing of ours can be found there either.
    }
    return reaped;
  }

  static String ownerLine(ProcessHandle process) {
    return process.pid()
        + " "
        + process.info().startInstant().map(Instant::toString).orElse("unknown")
        + "\n";
  }

  private static boolean ownerAlive(Path dir) {
    String owner;
    try {
      owner = Files.readString(dir.resolve(OWNER_FILE), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      // Directories of runs before owner files existed, or a half-created one: only reap those
      // old enough that no starting Envoy can be writing them.
      return modifiedWithinMinutes(dir, 10);
    }
    String[] parts = owner.split(" ");
    long pid;
    try {
      pid = Long.parseLong(parts[0]);
    } catch (NumberFormatException e) {
      return false;
    }
    // The start instant guards against a recycled pid.
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .map(p -> (ownerLine(p).trim()).equals(owner))
        .orElse(false);
  }

  private static boolean modifiedWithinMinutes(Path dir, int minutes) {
    try {
      return Files.getLastModifiedTime(dir)
          .toInstant()
          .isAfter(Instant.now().minusSeconds(60L * minutes));
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean mentions(String[] arguments, String marker) {
    for (String a : arguments) {
      if (a.startsWith(marker)) {
        return true;
      }
    }
    return false;
  }

  private static void awaitExit(Process process) {
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteDirectory(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove Envoy directory " + directory, e);
    }
  }

  private static Path tempRoot() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  private static Optional<Path> locateSetpriv() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      Path candidate = Path.of(dir, "setpriv");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
