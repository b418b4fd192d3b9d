package dev.meshproof.runtime.envoy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every Envoy process this JVM started and has not stopped yet. A shutdown hook kills them, so an
 * interrupted test run (Ctrl-C, a killed Surefire fork that still runs its hooks) leaves no Envoy
 * behind; normal runs stop each one when its mesh closes.
 */
final class EnvoyProcesses {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> LIVE.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly)),
                "meshproof-envoy-reaper-descendants"));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(Process::destroyForcibly), "meshproof-envoy-reaper"));
  }

  private EnvoyProcesses() {}

  static void started(Process process) {
    LIVE.add(process);
  }

  static void stopped(Process process) {
    LIVE.remove(process);
  }

  /** Envoy processes of this JVM still alive, for tests that prove none outlives its mesh. */
  static long alive() {
    return LIVE.stream().filter(Process::isAlive).count();
  }
}
