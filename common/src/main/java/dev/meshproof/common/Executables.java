package dev.meshproof.common;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finding the external programs the testbed runs (Envoy, istioctl, etcd), as a shell would. */
public final class Executables {
  private Executables() {}

  /** {@code name} in each directory of {@code $PATH}, in order, whether it exists or not. */
  public static List<Path> onPath(String name) {
    List<Path> candidates = new ArrayList<>();
    for (String dir :
        Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        candidates.add(Path.of(dir, name));
      }
    }
    return candidates;
  }

  /**
   * The executable {@code named} refers to: itself when it has a directory part, else the first
   * executable of that name on {@code $PATH}.
   */
  public static Optional<Path> find(Path named) {
    if (named.getParent() != null) {
      return Files.isExecutable(named) ? Optional.of(named) : Optional.empty();
    }
    return onPath(named.toString()).stream()
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst();
  }
}
