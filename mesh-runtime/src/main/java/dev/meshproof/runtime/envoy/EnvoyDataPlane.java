package dev.meshproof.runtime.envoy;

import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.SidecarProxy;
import dev.meshproof.runtime.SidecarRequest;
import java.util.Locale;
import java.util.Optional;

/**
 * Real Envoys as sidecars, fed by the same control plane and translation as the embedded sidecars:
 * the reference our xDS and our sidecar are held against. Each Envoy runs with {@code
 * --disable-hot-restart} and a small {@code --concurrency} (the machines have 2 cores).
 *
 * <p>Where Envoy comes from is {@code -Dmeshproof.envoy.runtime}: {@code binary} (a child process
 * of the located {@link EnvoyBinary}), {@code container} (the official image through a Docker
 * engine, {@link EnvoyContainer}), or {@code auto}, the default: the binary when one is installed,
 * else the container when a Docker engine is reachable.
 */
public final class EnvoyDataPlane implements DataPlane {
  /** The system property choosing where Envoy comes from. */
  public static final String RUNTIME_PROPERTY = "meshproof.envoy.runtime";

  private final Optional<EnvoyBinary> binary;
  private final int concurrency;

  private EnvoyDataPlane(Optional<EnvoyBinary> binary, int concurrency) {
    this.binary = binary;
    this.concurrency = concurrency;
  }

  /** Where Envoy comes from. */
  enum Runtime {
    AUTO,
    BINARY,
    CONTAINER;

    static Runtime fromSystemProperty() {
      String value = System.getProperty(RUNTIME_PROPERTY, "auto");
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "-D"
                + RUNTIME_PROPERTY
                + "="
                + value
                + " is not a runtime; allowed: auto, binary, container");
      }
    }
  }

  /**
   * The Envoy data plane: the located binary or a container, as {@code -Dmeshproof.envoy.runtime}
   * says.
   *
   * @throws IllegalStateException when neither can run here, saying what is missing and how to
   *     install it
   */
  public static EnvoyDataPlane create() {
    unavailableReason()
        .ifPresent(
            reason -> {
              throw new IllegalStateException(reason);
            });
    Runtime runtime = Runtime.fromSystemProperty();
    return new EnvoyDataPlane(
        runtime == Runtime.CONTAINER ? Optional.empty() : EnvoyBinary.locate(), 1);
  }

  /**
   * The Envoy data plane in containers, whatever {@code -Dmeshproof.envoy.runtime} says.
   *
   * @throws IllegalStateException when no Docker engine is reachable
   */
  public static EnvoyDataPlane container() {
    containerUnavailableReason()
        .ifPresent(
            reason -> {
              throw new IllegalStateException(reason);
            });
    return new EnvoyDataPlane(Optional.empty(), 1);
  }

  /** Why no Envoy container can run here (no Docker engine reachable); empty when one can. */
  public static Optional<String> containerUnavailableReason() {
    return EnvoyContainer.unavailableReason();
  }

  /**
   * Why the envoy target cannot run here, with the fix; empty when it can (a binary is installed,
   * or a Docker engine can run the container, as the runtime property allows).
   */
  public static Optional<String> unavailableReason() {
    return unavailableReason(
        Runtime.fromSystemProperty(),
        EnvoyBinary::unavailableReason,
        EnvoyContainer::unavailableReason);
  }

  static Optional<String> unavailableReason(
      Runtime runtime,
      java.util.function.Supplier<Optional<String>> binary,
      java.util.function.Supplier<Optional<String>> container) {
    return switch (runtime) {
      case BINARY -> binary.get();
      case CONTAINER -> container.get();
      case AUTO -> {
        Optional<String> noBinary = binary.get();
        if (noBinary.isEmpty()) {
          yield Optional.empty();
        }
        yield container.get().map(noDocker -> noBinary.get() + "; and " + noDocker);
      }
    };
  }

  @Override
  public String name() {
    return "envoy";
  }

  @Override
  public SidecarProxy startSidecar(SidecarRequest request) {
    return EnvoySidecar.start(binary, request, concurrency);
  }

  /** Envoy processes of this JVM that are still running (none once every mesh is closed). */
  public static long liveProcesses() {
    return EnvoyProcesses.alive();
  }
}
