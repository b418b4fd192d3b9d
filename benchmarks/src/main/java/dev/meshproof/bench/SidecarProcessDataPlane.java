package dev.meshproof.bench;

import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.SidecarProxy;
import dev.meshproof.runtime.SidecarRequest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Our embedded sidecar, one child JVM per workload ({@link SidecarProcessMain}), so that each
 * proxy's CPU time and resident memory can be measured on its own, as an Envoy process's can. The
 * child runs the very same {@code dev.meshproof.runtime.proxy.Sidecar} class with one event-loop
 * thread and subscribes to the mesh's control plane over ADS.
 */
public final class SidecarProcessDataPlane implements DataPlane {
  /**
   * The child JVM's options unless the caller gives its own, chosen by measuring resident memory
   * with native memory tracking (BENCHMARKS.md, "Sidecar memory"): the serial collector (G1's
   * remembered sets, card tables and concurrent threads cost tens of MiB, and a core the two-core
   * machines do not have to spare; one event loop gains nothing from a parallel collector); a heap
   * two and a half times the live set (about 16 MiB) with a young generation fixed at 10 MiB, so
   * that a small initial heap does not leave a 6 MiB eden promoting early (since the request path
   * allocates a third less, 12 instead of 19 KiB per HTTP/1.1 request, a 10 MiB young generation
   * collects less often than the 12 MiB one did before); smaller thread stacks; a capped code cache
   * and metaspace; the native heap trimmed every 5 s (the C2 compiler's arenas are freed to malloc,
   * which keeps them resident otherwise: about 11 MiB); and gRPC's shaded Netty, which carries only
   * the ADS stream, unpooled (2 MiB of arenas).
   */
  public static final String DEFAULT_JVM_OPTIONS =
      "-XX:+UseSerialGC -Xms24m -Xmx40m -Xmn10m -Xss512k -XX:ReservedCodeCacheSize=48m"
          + " -XX:MaxMetaspaceSize=96m -XX:CICompilerCount=2 -XX:TrimNativeHeapInterval=5000"
          + " -Dio.grpc.netty.useCustomAllocator=false"
          + " -Dio.grpc.netty.shaded.io.netty.allocator.type=unpooled";

  /**
   * glibc's malloc arenas in the child: by default up to eight per core, each reserving 64 MiB and
   * keeping what it touched. One: the event loop allocates its buffers from the Java heap and
   * Netty's own chunks, so the native heap is the JVM's (mostly the compiler threads', at warm-up),
   * and a second arena only kept a second set of freed compiler memory resident.
   */
  static final String MALLOC_ARENAS = "1";

  private final List<String> jvmOptions;

  private SidecarProcessDataPlane(List<String> jvmOptions) {
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  /** Children started with {@link #DEFAULT_JVM_OPTIONS}. */
  public static SidecarProcessDataPlane withDefaultJvmOptions() {
    return withJvmOptions(List.of(DEFAULT_JVM_OPTIONS.split(" ")));
  }

  /** Children started with {@code jvmOptions} (e.g. {@code -Xmx256m}). */
  public static SidecarProcessDataPlane withJvmOptions(List<String> jvmOptions) {
    return new SidecarProcessDataPlane(Objects.requireNonNull(jvmOptions, "jvmOptions"));
  }

  @Override
  public String name() {
    return "embedded-process";
  }

  @Override
  public SidecarProxy startSidecar(SidecarRequest request) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(supportedByThisJvm(jvmOptions));
    command.add("-cp");
    command.add(classpath());
    command.add(SidecarProcessMain.class.getName());
    command.add("--control-plane");
    command.add(SidecarProcessMain.hostPort(request.controlPlane()));
    command.add("--proxy-id");
    command.add(request.proxyId());
    command.add("--workload");
    command.add(request.workload());
    command.add("--namespace");
    command.add(request.namespace());
    request.labels().forEach((k, v) -> command.add("--label=" + k + "=" + v));
    if (request.servicePorts().size() > 1) {
      throw new IllegalArgumentException(
          "servicePorts: "
              + request.servicePorts()
              + " (expected: at most one; a sidecar process serves one Service port)");
    }
    request.servicePort().ifPresent(p -> command.add("--service-port=" + p));
    command.add("--seed=" + request.random().nextLong(Long.MAX_VALUE));
    try {
      Path log = Files.createTempFile("meshproof-sidecar-" + request.workload() + "-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile()));
      builder.environment().putIfAbsent("MALLOC_ARENA_MAX", MALLOC_ARENAS);
      Process process = builder.start();
      return SidecarProcess.awaitReady(request.proxyId(), process, log, request.servicePort());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start sidecar process for " + request.proxyId(), e);
    }
  }

  /**
   * {@code jvmOptions} without {@code -XX:TrimNativeHeapInterval} when this JVM (the child runs the
   * same binary) does not know it: early updates of JDK 17 and 21 lack it (17.0.15, measured here,
   * has it), the build accepts any JDK 17 or later, and an unknown {@code -XX} option would stop
   * the child at start.
   */
  static List<String> supportedByThisJvm(List<String> jvmOptions) {
    return jvmOptions.stream()
        .filter(
            o -> !o.startsWith("-XX:TrimNativeHeapInterval=") || vmKnows("TrimNativeHeapInterval"))
        .toList();
  }

  private static boolean vmKnows(String option) {
    try {
      java.lang.management.ManagementFactory.getPlatformMXBean(
              com.sun.management.HotSpotDiagnosticMXBean.class)
          .getVMOption(option);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElseGet(() -> Paths.get(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * The classpath this class was loaded from. Under {@code mvn exec:java} the JVM's {@code
   * java.class.path} is Maven's own launcher, and the project's classes come from a URL class
   * loader: the child needs that loader's URLs.
   */
  static String classpath() {
    ClassLoader loader = SidecarProcessDataPlane.class.getClassLoader();
    if (loader instanceof URLClassLoader urls && urls.getURLs().length > 0) {
      List<String> entries = new ArrayList<>();
      for (URL url : urls.getURLs()) {
        try {
          entries.add(Paths.get(url.toURI()).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
          throw new IllegalStateException("classpath entry is not a file: " + url, e);
        }
      }
      return String.join(File.pathSeparator, entries);
    }
    return System.getProperty("java.class.path");
  }
}
