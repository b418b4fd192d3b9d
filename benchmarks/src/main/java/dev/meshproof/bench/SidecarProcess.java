package dev.meshproof.bench;

import dev.meshproof.runtime.SidecarProxy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An embedded sidecar running in a child JVM ({@link SidecarProcessMain}): its ports as the child
 * reported them, its pid for CPU and memory sampling, and its stderr log for evidence. Closing it
 * closes the child's stdin (which stops it cleanly), then destroys it if needed and waits.
 */
final class SidecarProcess implements SidecarProxy {
  private static final long START_TIMEOUT_SECONDS = 30;

  private final String proxyId;
  private final Process process;
  private final Path log;
  private final InetSocketAddress outbound;
  private final Optional<InetSocketAddress> inbound;
  private final java.util.Map<Integer, InetSocketAddress> inbounds;

  private SidecarProcess(
      String proxyId,
      Process process,
      Path log,
      InetSocketAddress outbound,
      Optional<InetSocketAddress> inbound,
      java.util.OptionalInt servicePort) {
    this.inbounds =
        inbound.isPresent() && servicePort.isPresent()
            ? java.util.Map.of(servicePort.getAsInt(), inbound.get())
            : java.util.Map.of();
    this.proxyId = proxyId;
    this.process = process;
    this.log = log;
    this.outbound = outbound;
    this.inbound = inbound;
  }

  /** Waits for the child's READY line; destroys the child if it does not come. */
  static SidecarProcess awaitReady(
      String proxyId, Process process, Path log, java.util.OptionalInt servicePort) {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                BufferedReader reader =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                String read;
                while ((read = reader.readLine()) != null) {
                  if (read.startsWith(SidecarProcessMain.READY + " ")) {
                    return read;
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    try {
      String ready = line.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (ready == null) {
        throw new IllegalStateException(
            proxyId + ": sidecar process exited before READY\n" + readLog(log));
      }
      InetSocketAddress outbound = null;
      Optional<InetSocketAddress> inbound = Optional.empty();
      for (String field : ready.split(" ")) {
        if (field.startsWith("outbound=")) {
          outbound = parse(field.substring("outbound=".length()));
        } else if (field.startsWith("inbound=") && !field.endsWith("=-")) {
          inbound = Optional.of(parse(field.substring("inbound=".length())));
        }
      }
      if (outbound == null) {
        throw new IllegalStateException(proxyId + ": READY line without outbound: " + ready);
      }
      return new SidecarProcess(proxyId, process, log, outbound, inbound, servicePort);
    } catch (TimeoutException | ExecutionException | RuntimeException e) {
      stop(process);
      throw new IllegalStateException(
          proxyId + ": sidecar process not ready: " + e + "\n" + readLog(log), e);
    } catch (InterruptedException e) {
      stop(process);
      Thread.currentThread().interrupt();
      throw new IllegalStateException(proxyId + ": interrupted while starting", e);
    }
  }

  private static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(
        InetAddress.getLoopbackAddress(), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** The child JVM's process id. */
  long pid() {
    return process.pid();
  }

  @Override
  public String proxyId() {
    return proxyId;
  }

  @Override
  public InetSocketAddress outboundAddress() {
    return outbound;
  }

  @Override
  public Optional<InetSocketAddress> inboundAddress() {
    return inbound;
  }

  @Override
  public java.util.Map<Integer, InetSocketAddress> inboundAddresses() {
    return inbounds;
  }

  @Override
  public String configDump() {
    return "{\"note\": \"the configuration lives in sidecar process "
        + process.pid()
        + " (embedded sidecar in a child JVM); it keeps no admin endpoint\"}";
  }

  @Override
  public Optional<String> failure() {
    if (process.isAlive()) {
      return Optional.empty();
    }
    return Optional.of(
        "sidecar process exited with code " + process.exitValue() + "\n" + readLog(log));
  }

  @Override
  public String log() {
    return readLog(log);
  }

  private static String readLog(Path log) {
    try {
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    } catch (IOException e) {
      return "cannot read " + log + ": " + e.getMessage();
    }
  }

  @Override
  public void close() {
    stop(process);
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // A leftover log file in the temp directory is harmless; the process is what must end.
    }
  }

  private static void stop(Process process) {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
