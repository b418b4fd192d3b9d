package dev.meshproof.chaos;

import java.util.Objects;

/**
 * Stop/start control over one workload instance, implemented by whoever owns the instance (the
 * scenario layer: it knows how to rebuild a fake service on the same port and re-register it). An
 * {@link InstanceFault} depends only on this.
 */
public interface InstanceHandle {

  /** The instance (pod) name, for the event log. */
  String name();

  /**
   * Stops the instance: its port refuses connections (the sidecar sees UF / connection refused).
   */
  void stop();

  /** Starts the instance again where it was (same address, same identity). */
  void start();

  /**
   * A handle from two actions.
   *
   * @param name the instance name
   * @param stop stops it
   * @param start starts it again
   */
  static InstanceHandle of(String name, Runnable stop, Runnable start) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: \"" + name + "\" (expected: an instance name)");
    }
    Objects.requireNonNull(stop, "stop");
    Objects.requireNonNull(start, "start");
    return new InstanceHandle() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void stop() {
        stop.run();
      }

      @Override
      public void start() {
        start.run();
      }

      @Override
      public String toString() {
        return "InstanceHandle(" + name + ")";
      }
    };
  }

  /**
   * A one-way handle: {@code stop} closes the instance ({@link AutoCloseable#close()}, e.g. an
   * {@code EchoServer}) and {@code start} fails, since a closed fake service cannot be restarted.
   * Reverting an {@link InstanceFault} over it is then recorded as failed.
   */
  static InstanceHandle killing(String name, AutoCloseable instance) {
    Objects.requireNonNull(instance, "instance");
    return of(
        name,
        () -> {
          try {
            instance.close();
          } catch (Exception e) {
            throw new IllegalStateException(name + ": close failed", e);
          }
        },
        () -> {
          throw new UnsupportedOperationException(
              name + ": killed for good (a closed instance cannot be restarted)");
        });
  }
}
