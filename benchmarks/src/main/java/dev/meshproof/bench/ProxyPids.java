package dev.meshproof.bench;

import dev.meshproof.runtime.Workload;
import java.util.List;
import java.util.Optional;

/**
 * Finds the OS process of a workload's sidecar: a {@link SidecarProcess} knows its pid; an Envoy
 * sidecar is a child of this JVM whose {@code --config-path} lies in the temporary directory named
 * after the workload ({@code meshproof-envoy-<workload>-...}).
 */
final class ProxyPids {
  private ProxyPids() {}

  static long of(Workload workload) {
    if (workload.sidecar() instanceof SidecarProcess process) {
      return process.pid();
    }
    String marker = "meshproof-envoy-" + workload.name() + "-";
    List<ProcessHandle> envoys =
        ProcessHandle.current()
            .children()
            .filter(p -> p.info().command().orElse("").contains("envoy"))
            .filter(p -> commandLine(p).contains(marker))
            .toList();
    if (envoys.size() != 1) {
      throw new IllegalStateException(
          "expected one Envoy process for workload "
              + workload.name()
              + " (config path containing "
              + marker
              + "), found "
              + envoys.size());
    }
    return envoys.get(0).pid();
  }

  private static String commandLine(ProcessHandle process) {
    Optional<String[]> arguments = process.info().arguments();
    return arguments.map(a -> String.join(" ", a)).orElse("");
  }
}
