package dev.meshproof.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of one Linux process, read from {@code /proc/<pid>/stat} ({@code
 * utime + stime}, in clock ticks of {@code getconf CLK_TCK}) and {@code /proc/<pid>/status} ({@code
 * VmRSS}). Two samples around a phase give the CPU seconds the process spent in it.
 */
public record ProcessUsage(long pid, double cpuSeconds, long rssBytes) {
  private static final long CLOCK_TICKS_PER_SECOND = clockTicks();

  /** Samples {@code pid} now. */
  public static ProcessUsage sample(long pid) {
    try {
      long ticks = cpuTicks(Path.of("/proc", Long.toString(pid), "stat"));
      long rssKib = 0;
      for (String line :
          Files.readAllLines(
              Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          rssKib = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      return new ProcessUsage(pid, ticks / (double) CLOCK_TICKS_PER_SECOND, rssKib * 1024);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/" + pid + " (is it running?)", e);
    }
  }

  /**
   * CPU seconds used so far by the threads of {@code pid} whose name ({@code /proc/<pid>/task/<tid>
   * /comm}, at most 15 characters) satisfies {@code name}; a thread that ended is no longer listed.
   */
  public static double threadsCpuSeconds(long pid, java.util.function.Predicate<String> name) {
    long ticks = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          if (name.test(Files.readString(task.resolve("comm")).strip())) {
            ticks += cpuTicks(task.resolve("stat"));
          }
        } catch (IOException ended) {
          // The thread ended between the listing and the read.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the threads of " + pid, e);
    }
    return ticks / (double) CLOCK_TICKS_PER_SECOND;
  }

  /** {@code utime + stime} of a {@code stat} file of {@code /proc}, in clock ticks. */
  private static long cpuTicks(Path stat) throws IOException {
    String line = Files.readString(stat);
    // The command name (field 2) may hold spaces and parentheses: fields count from the last ')'.
    String[] fields = line.substring(line.lastIndexOf(')') + 2).trim().split("\\s+");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** This JVM: the load generator and the echo service. */
  public static ProcessUsage self() {
    return sample(ProcessHandle.current().pid());
  }

  /** CPU seconds spent since {@code before}. */
  public double cpuSecondsSince(ProcessUsage before) {
    return cpuSeconds - before.cpuSeconds;
  }

  private static long clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (getconf.waitFor() == 0) {
        return Long.parseLong(out.trim());
      }
      throw new IllegalStateException("getconf CLK_TCK exited with " + getconf.exitValue());
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("cannot read CLK_TCK with getconf", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading CLK_TCK", e);
    }
  }
}
