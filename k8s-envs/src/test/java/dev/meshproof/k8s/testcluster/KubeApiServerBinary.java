package dev.meshproof.k8s.testcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The kube-apiserver binary the tests start: built once from the Go module k8s.io/kubernetes
 * {@value TestApiServer#KUBERNETES_VERSION} through the wrapper module in {@code src/test/go/
 * kube-apiserver} (its replace directives map each k8s.io staging module to the published v0.37.2),
 * and cached in the user's cache directory, {@code
 * ~/.cache/meshproof/kube-apiserver-v1.37.2/kube-apiserver}, never in the repository. The first
 * build takes minutes on two cores; {@code k8s-envs/scripts/build-test-apiserver.sh} (which {@code
 * .ci/run} calls) does it ahead of the tests. {@code -Dmeshproof.kubeApiServer=PATH} names another
 * binary.
 */
public final class KubeApiServerBinary {
  /** The system property naming a kube-apiserver binary to use instead of the cached build. */
  public static final String PROPERTY = "meshproof.kubeApiServer";

  private static final Path WRAPPER = Path.of("src/test/go/kube-apiserver");

  private KubeApiServerBinary() {}

  /** Where the build is cached. */
  public static Path cached() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return cache
        .resolve("meshproof")
        .resolve("kube-apiserver-" + TestApiServer.KUBERNETES_VERSION)
        .resolve("kube-apiserver");
  }

  /** Why no kube-apiserver can be had here, or empty. */
  static Optional<String> unavailableReason() {
    if (configured().isPresent() || Files.isExecutable(cached())) {
      return Optional.empty();
    }
    if (TestApiServer.onPath("go").isEmpty()) {
      return Optional.of(
          "Go not found and no kube-apiserver at "
              + cached()
              + ": install Go (1.26+) so the build can compile kube-apiserver "
              + TestApiServer.KUBERNETES_VERSION
              + " (k8s-envs/scripts/build-test-apiserver.sh), or set -D"
              + PROPERTY
              + "=PATH");
    }
    return Optional.empty();
  }

  /** The binary, built first when it is not cached yet (one build at a time per machine). */
  static Path locateOrBuild() throws IOException {
    Optional<Path> configured = configured();
    if (configured.isPresent()) {
      return configured.get();
    }
    Path binary = cached();
    if (Files.isExecutable(binary)) {
      return binary;
    }
    Files.createDirectories(binary.getParent());
    try (FileChannel lock =
            FileChannel.open(
                binary.resolveSibling("build.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock ignored = lock.lock()) {
      if (!Files.isExecutable(binary)) {
        build(binary);
      }
    }
    return binary;
  }

  private static void build(Path binary) throws IOException {
    Path tmp = binary.resolveSibling("kube-apiserver.tmp");
    Path log = binary.resolveSibling("build.log");
    System.err.println(
        "[meshproof] building kube-apiserver "
            + TestApiServer.KUBERNETES_VERSION
            + " into "
            + binary
            + " (minutes, once; log: "
            + log
            + ")");
    Process go =
        new ProcessBuilder(
                List.of(
                    TestApiServer.onPath("go").orElseThrow().toString(),
                    "build",
                    "-trimpath",
                    "-o",
                    tmp.toString(),
                    "."))
            .directory(WRAPPER.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      if (!go.waitFor(30, TimeUnit.MINUTES)) {
        go.destroyForcibly();
        throw new IOException("go build of kube-apiserver took over 30 minutes; log: " + log);
      }
    } catch (InterruptedException e) {
      go.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while building kube-apiserver", e);
    }
    if (go.exitValue() != 0) {
      throw new IOException(
          "go build of kube-apiserver failed ("
              + go.exitValue()
              + "): "
              + String.join("\n", Files.readAllLines(log)));
    }
    Files.move(tmp, binary, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static Optional<Path> configured() {
    String p = System.getProperty(PROPERTY);
    if (p == null || p.isBlank()) {
      return Optional.empty();
    }
    Path path = Path.of(p);
    if (!Files.isExecutable(path)) {
      throw new UncheckedIOException(
          new IOException("-D" + PROPERTY + "=" + p + ": not an executable file"));
    }
    return Optional.of(path);
  }
}
