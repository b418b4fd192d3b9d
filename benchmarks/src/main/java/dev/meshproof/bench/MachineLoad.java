package dev.meshproof.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's 1-minute load average ({@code /proc/loadavg}) and its CPU count: a phase measured
 * while more runnable tasks than CPUs competed is flagged, since its tail latencies are the other
 * tenants' as much as the proxy's.
 */
final class MachineLoad {
  private MachineLoad() {}

  static int cpus() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The 1-minute load average, or -1 where {@code /proc/loadavg} cannot be read. */
  static double oneMinute() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
