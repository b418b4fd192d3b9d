package dev.meshproof.bench;

import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.runtime.xds.ProxyStatus;
import dev.meshproof.runtime.xds.PushDebounce;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The control-plane benchmark (issue PERFORMANCE): for each mesh size, N embedded sidecars in this
 * JVM ({@code N/2} services with versions v1 and v2), measures the deploy-and-sync time (and the
 * time of the last tenth of the deploys, which shows whether each deploy costs more as the mesh
 * grows), the heap held per workload after a full GC, and how fast a VirtualService change
 * converges: from {@code Mesh.apply} to the moment each proxy's status is SYNCED at the new
 * version, polled every {@code --poll-interval} (5 ms), over several changes. Not a test: nothing
 * asserts on it.
 */
@Command(
    name = "control-plane-benchmark",
    mixinStandardHelpOptions = true,
    description = "Measures deploy cost, heap per workload and config convergence of the mesh.")
public final class ControlPlaneBenchmark implements Callable<Integer> {

  @Option(
      names = "--workloads",
      defaultValue = "50,100,200",
      split = ",",
      description = "mesh sizes (workloads, each with a sidecar)")
  List<Integer> sizes;

  @Option(
      names = "--changes",
      defaultValue = "5",
      description = "VirtualService changes per size whose convergence is measured")
  int changes;

  @Option(
      names = "--warmup-changes",
      defaultValue = "0",
      description =
          "VirtualService changes run before the measured ones and not counted: the JIT compiles"
              + " the translation, ADS and sidecar code over the first few dozen changes (at 200"
              + " proxies the compiler threads used half of a change's CPU over changes 0-19 and a"
              + " third over changes 20-59), so the measured ones show the steady state")
  int warmupChanges;

  @Option(
      names = "--debounce-after",
      defaultValue = "100",
      description = "push debounce quiet period, ms (istiod's PILOT_DEBOUNCE_AFTER default: 100)")
  long debounceAfterMillis;

  @Option(
      names = "--poll-interval",
      defaultValue = "5",
      description =
          "with --observe=poll, how often each proxy's status is read while a change converges,"
              + " ms: each read takes the ACK tracker's lock, which the ADS callbacks wait on, so a"
              + " 1 ms poll slowed what it measured (7.5 %% of the CPU at 200 proxies)")
  long pollIntervalMillis;

  /** How the benchmark learns that a proxy converged. */
  enum Observe {
    /** Told by the control plane at the ACK that completed the proxy's snapshot. */
    listener,
    /** Reads every proxy's status every --poll-interval (the only way on older builds). */
    poll
  }

  @Option(
      names = "--observe",
      defaultValue = "listener",
      description =
          "how convergence is observed: listener (the control plane reports each proxy SYNCED at"
              + " the ACK that completed it: no polling, exact times) or poll (every proxy's"
              + " status read every --poll-interval; a build without sync listeners falls back to"
              + " it)")
  Observe observe;

  @Option(
      names = "--output",
      defaultValue = "control-plane-benchmark.md",
      description = "Markdown report")
  Path output;

  public static void main(String[] args) {
    int code = new CommandLine(new ControlPlaneBenchmark()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** One mesh size's figures. */
  record Result(
      int workloads,
      Duration deployAndSync,
      double lastTenthMillisPerDeploy,
      double heapMibPerWorkload,
      Histogram convergenceMicros,
      double loadAverage,
      long pushes,
      long translations,
      long outboundTranslations,
      double deployCpuSeconds,
      double cpuSecondsPerChange) {}

  /**
   * CPU time this JVM used so far, in seconds: work done, which a loaded machine delays but does
   * not inflate as it inflates wall-clock times.
   */
  private static double processCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  /**
   * CPU seconds used so far by each group of live threads (their names with digits dropped: {@code
   * meshproof-xds-translate-}, {@code grpc-default-executor-}, ...): where a change's CPU goes,
   * without a sampling profiler's bias towards threads that happened to be on a CPU.
   */
  private static Map<String, Double> threadGroupCpuSeconds() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Double> groups = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = threads.getThreadCpuTime(info.getThreadId());
      if (nanos > 0) {
        groups.merge(info.getThreadName().replaceAll("[0-9]+", "N"), nanos / 1e9, Double::sum);
      }
    }
    return groups;
  }

  /**
   * CPU seconds the JIT compiler threads ({@code C1 CompilerThread}, {@code C2 CompilerThread})
   * used so far: the JVM does not list them as Java threads.
   */
  private static double compilerThreadsCpuSeconds() {
    return ProcessUsage.threadsCpuSeconds(
        ProcessHandle.current().pid(), name -> name.contains("CompilerThre"));
  }

  /** The proxy translations counted so far; -1 on a control plane that does not count them. */
  private static long translations(Mesh mesh) {
    try {
      return mesh.controlPlane().pushStats().proxyTranslations();
    } catch (NoSuchMethodError olderControlPlane) {
      return -1;
    }
  }

  /**
   * The sidecar outbound parts built so far (one per distinct outbound input, shared by the proxies
   * that have it); -1 on a control plane that does not share them.
   */
  private static long outboundTranslations(Mesh mesh) {
    try {
      return mesh.controlPlane().pushStats().outboundTranslations();
    } catch (NoSuchMethodError olderControlPlane) {
      return -1;
    }
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    List<Result> results = new ArrayList<>();
    PushDebounce debounce =
        new PushDebounce(
            Duration.ofMillis(debounceAfterMillis),
            Duration.ofMillis(Math.max(debounceAfterMillis, 10_000)));
    try (EchoServer echo =
        EchoServer.builder().service("app").journalCapacity(10).build().start()) {
      for (int size : sizes) {
        results.add(measure(size, debounce, echo));
      }
    }
    String md = markdown(results, debounce);
    Path absolute = output.toAbsolutePath();
    if (absolute.getParent() != null) {
      Files.createDirectories(absolute.getParent());
    }
    Files.writeString(absolute, md);
    System.out.print(md);
    System.out.println("wrote " + absolute);
    return 0;
  }

  private Result measure(int size, PushDebounce debounce, EchoServer echo)
      throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long heapBefore = memory.getHeapMemoryUsage().getUsed();
    int services = Math.max(1, size / 2);
    long start = System.nanoTime();
    double cpuStart = processCpuSeconds();
    long lastTenthStart = 0;
    try (Mesh mesh =
        Mesh.builder()
            .dataPlane(DataPlane.embedded())
            .eventLoopThreads(2)
            .pushDebounce(debounce)
            .syncTimeout(Duration.ofMinutes(5))
            .start()) {
      for (int i = 0; i < size; i++) {
        if (i == size - Math.max(1, size / 10)) {
          lastTenthStart = System.nanoTime();
        }
        String service = "svc-" + (i % services);
        String version = i < services ? "v1" : "v2";
        mesh.deploy(
            WorkloadSpec.builder(service + "-" + version + "-" + (i / (2 * services)))
                .label("version", version)
                .serves(service, 80, echo.address())
                .build());
      }
      long deployed = System.nanoTime();
      mesh.awaitSynced();
      Duration deployAndSync = Duration.ofNanos(System.nanoTime() - start);
      // How much translation the deploys cost: pushes run and proxies translated, so a flat cost
      // per deploy can be told from a push per deploy re-translating every proxy.
      var deployStats = mesh.controlPlane().pushStats();
      long deployTranslations = translations(mesh);
      long deployOutboundTranslations = outboundTranslations(mesh);
      double deployCpu = processCpuSeconds() - cpuStart;
      double lastTenth = (deployed - lastTenthStart) / 1e6 / Math.max(1, size / 10);
      System.gc();
      double heapPerWorkload =
          (memory.getHeapMemoryUsage().getUsed() - heapBefore) / (1024.0 * 1024.0) / size;
      System.out.printf(
          Locale.ROOT,
          "%d workloads: deployed and synced in %d ms; %.1f ms per deploy in the last tenth;"
              + " %.2f MiB heap per workload; %d pushes, %d proxy translations, %d outbound"
              + " translations%n",
          size,
          deployAndSync.toMillis(),
          lastTenth,
          heapPerWorkload,
          deployStats.pushes(),
          deployTranslations,
          deployOutboundTranslations);

      Histogram convergence = new Histogram(3);
      double changesCpuStart = processCpuSeconds();
      double cpuChangeStart = changesCpuStart;
      Map<String, Double> threadCpuStart = threadGroupCpuSeconds();
      double compilerCpuStart = compilerThreadsCpuSeconds();
      for (int change = -warmupChanges; change < changes; change++) {
        if (change == 0) {
          // The warm-up changes are over: the figures count from here.
          convergence.reset();
          changesCpuStart = processCpuSeconds();
          cpuChangeStart = changesCpuStart;
          threadCpuStart = threadGroupCpuSeconds();
          compilerCpuStart = compilerThreadsCpuSeconds();
        }
        int v1 = change % 2 == 0 ? 90 : 10;
        Map<String, String> before = versions(mesh.proxyStatus());
        Map<String, Long> syncedAt;
        long applied;
        ConvergenceListener listener =
            observe == Observe.listener ? ConvergenceListener.register(mesh, before) : null;
        if (listener == null && observe == Observe.listener) {
          System.out.println("this control plane has no sync listeners: polling instead");
          observe = Observe.poll;
        }
        try {
          applied = System.nanoTime();
          mesh.apply(virtualService(v1), "change-" + change);
          syncedAt =
              listener != null
                  ? listener.await(Duration.ofMinutes(2))
                  : awaitEveryProxy(mesh, before, Duration.ofMinutes(2), pollIntervalMillis);
        } finally {
          if (listener != null) {
            listener.close();
          }
        }
        Histogram thisChange = new Histogram(3);
        for (long at : syncedAt.values()) {
          convergence.recordValue(Math.max(0, (at - applied) / 1000));
          thisChange.recordValue(Math.max(0, (at - applied) / 1000));
        }
        double cpuNow = processCpuSeconds();
        System.out.printf(
            Locale.ROOT,
            "%s %d: p50 %d ms, p99 %d ms, max %d ms, %.2f CPU s, load %.1f%n",
            change < 0 ? "warm-up change" : "change",
            change < 0 ? change + warmupChanges : change,
            thisChange.getValueAtPercentile(50) / 1000,
            thisChange.getValueAtPercentile(99) / 1000,
            thisChange.getMaxValue() / 1000,
            cpuNow - cpuChangeStart,
            MachineLoad.oneMinute());
        cpuChangeStart = cpuNow;
      }
      System.out.printf(
          Locale.ROOT,
          "%d workloads: VirtualService change converged per proxy p50 %d ms, p99 %d ms, max %d"
              + " ms%n",
          size,
          convergence.getValueAtPercentile(50) / 1000,
          convergence.getValueAtPercentile(99) / 1000,
          convergence.getMaxValue() / 1000);
      double cpuPerChange = (processCpuSeconds() - changesCpuStart) / Math.max(1, changes);
      // Per thread group, its CPU per change (threads that ended during the changes are not
      // counted; the rest of the process's CPU is the JVM's own: JIT compilers and GC).
      Map<String, Double> threadCpuEnd = threadGroupCpuSeconds();
      double javaThreads = 0;
      StringBuilder byGroup = new StringBuilder();
      for (var e : threadCpuEnd.entrySet()) {
        double used = e.getValue() - threadCpuStart.getOrDefault(e.getKey(), 0.0);
        javaThreads += used;
        if (used / Math.max(1, changes) >= 0.005) {
          byGroup.append(
              String.format(Locale.ROOT, " %s %.3f;", e.getKey(), used / Math.max(1, changes)));
        }
      }
      double compilerPerChange =
          (compilerThreadsCpuSeconds() - compilerCpuStart) / Math.max(1, changes);
      System.out.printf(
          Locale.ROOT,
          "%d workloads: CPU s per change %.3f, by thread group:%s JIT, GC and threads that"
              + " ended %.3f (of which the JIT compiler threads %.3f)%n",
          size,
          cpuPerChange,
          byGroup,
          cpuPerChange - javaThreads / Math.max(1, changes),
          compilerPerChange);
      return new Result(
          size,
          deployAndSync,
          lastTenth,
          heapPerWorkload,
          convergence,
          MachineLoad.oneMinute(),
          deployStats.pushes(),
          deployTranslations,
          deployOutboundTranslations,
          deployCpu,
          cpuPerChange);
    }
  }

  /** A VirtualService on svc-0 that every proxy holds (each sees every service). */
  private static String virtualService(int v1Weight) {
    return String.join(
        "\n",
        "apiVersion: networking.istio.io/v1",
        "kind: DestinationRule",
        "metadata: {name: svc-0}",
        "spec:",
        "  host: svc-0",
        "  subsets:",
        "  - {name: v1, labels: {version: v1}}",
        "  - {name: v2, labels: {version: v2}}",
        "---",
        "apiVersion: networking.istio.io/v1",
        "kind: VirtualService",
        "metadata: {name: svc-0}",
        "spec:",
        "  hosts: [svc-0]",
        "  http:",
        "  - route:",
        "    - {destination: {host: svc-0, subset: v1}, weight: " + v1Weight + "}",
        "    - {destination: {host: svc-0, subset: v2}, weight: " + (100 - v1Weight) + "}",
        "");
  }

  private static Map<String, String> versions(Map<String, ProxyStatus> statuses) {
    Map<String, String> out = new HashMap<>();
    statuses.forEach((id, s) -> out.put(id, s.snapshotVersion()));
    return out;
  }

  /**
   * Records when each proxy becomes SYNCED at a snapshot other than the one it held before the
   * change, told by the control plane at the ACK that completed it ({@code
   * ControlPlane.addSyncListener}): the same measure as the poll, without reading every proxy's
   * status every few milliseconds (which took the lock the ADS callbacks wait on) and without the
   * poll's lateness.
   */
  private static final class ConvergenceListener implements AutoCloseable {
    private final Mesh mesh;
    private final Map<String, String> before;
    private final Map<String, Long> syncedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.CountDownLatch all;
    private final dev.meshproof.runtime.xds.ControlPlane.SyncListener listener;

    private ConvergenceListener(Mesh mesh, Map<String, String> before) {
      this.mesh = mesh;
      this.before = before;
      this.all = new java.util.concurrent.CountDownLatch(before.size());
      this.listener =
          (proxyId, version) -> {
            long now = System.nanoTime();
            if (before.containsKey(proxyId)
                && !version.equals(before.get(proxyId))
                && syncedAt.putIfAbsent(proxyId, now) == null) {
              all.countDown();
            }
          };
    }

    /** Listens from now on; null on a control plane without sync listeners. */
    static ConvergenceListener register(Mesh mesh, Map<String, String> before) {
      try {
        ConvergenceListener l = new ConvergenceListener(mesh, before);
        mesh.controlPlane().addSyncListener(l.listener);
        return l;
      } catch (LinkageError olderControlPlane) {
        return null;
      }
    }

    Map<String, Long> await(Duration timeout) throws InterruptedException {
      if (!all.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            (before.size() - syncedAt.size()) + " proxies did not converge in " + timeout);
      }
      return Map.copyOf(syncedAt);
    }

    @Override
    public void close() {
      mesh.controlPlane().removeSyncListener(listener);
    }
  }

  /**
   * Polls every {@code pollMillis} until each proxy holds a snapshot other than {@code before} and
   * is SYNCED at it; returns when each got there ({@code System.nanoTime()}, late by up to one poll
   * interval).
   */
  private static Map<String, Long> awaitEveryProxy(
      Mesh mesh, Map<String, String> before, Duration timeout, long pollMillis)
      throws InterruptedException {
    Map<String, Long> syncedAt = new HashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (syncedAt.size() < before.size()) {
      long now = System.nanoTime();
      if (now > deadline) {
        throw new IllegalStateException(
            (before.size() - syncedAt.size()) + " proxies did not converge in " + timeout);
      }
      for (Map.Entry<String, ProxyStatus> e : mesh.proxyStatus().entrySet()) {
        ProxyStatus s = e.getValue();
        if (!syncedAt.containsKey(e.getKey())
            && !s.snapshotVersion().equals(before.get(e.getKey()))
            && s.synced()) {
          syncedAt.put(e.getKey(), now);
        }
      }
      Thread.sleep(pollMillis);
    }
    return syncedAt;
  }

  private String markdown(List<Result> results, PushDebounce debounce) {
    StringBuilder md = new StringBuilder("# Control-plane benchmark\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Embedded sidecars in one JVM (`Runtime.maxMemory` %d MiB, %d CPUs), N/2 services with"
                + " versions v1 and v2; push debounce after %d ms. Convergence: from"
                + " `Mesh.apply` of a VirtualService (with its DestinationRule) to each proxy"
                + " SYNCED at the new snapshot (%s), %d changes per size measured after %d"
                + " warm-up changes.%n%n",
            Runtime.getRuntime().maxMemory() / (1024 * 1024),
            MachineLoad.cpus(),
            debounce.after().toMillis(),
            observe == Observe.listener
                ? "told at the ACK that completed it"
                : "polled every " + pollIntervalMillis + " ms",
            changes,
            warmupChanges));
    md.append(
        "| workloads | deploy + sync (s) | ms per deploy, last tenth | heap MiB per workload"
            + " | convergence p50 (ms) | p90 | p99 | max | p99 beyond the debounce | load avg"
            + " | pushes while deploying | proxy translations per workload"
            + " | outbound translations while deploying"
            + " | CPU s, deploy + sync | CPU s per change |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      Histogram h = r.convergenceMicros();
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %.1f | %.1f | %.2f | %d | %d | %d | %d | %d | %.1f | %d | %.1f | %d | %.1f"
                  + " | %.2f |%n",
              r.workloads(),
              r.deployAndSync().toMillis() / 1000.0,
              r.lastTenthMillisPerDeploy(),
              r.heapMibPerWorkload(),
              h.getValueAtPercentile(50) / 1000,
              h.getValueAtPercentile(90) / 1000,
              h.getValueAtPercentile(99) / 1000,
              h.getMaxValue() / 1000,
              Math.max(0, h.getValueAtPercentile(99) / 1000 - debounce.after().toMillis()),
              r.loadAverage(),
              r.pushes(),
              (double) r.translations() / r.workloads(),
              r.outboundTranslations(),
              r.deployCpuSeconds(),
              r.cpuSecondsPerChange()));
    }
    return md.toString();
  }
}
