package dev.meshproof.scenario.load;

/**
 * The request with sequence number {@code index} (0-based, in the order the generator issues them):
 * a fixed request for a benchmark, a per-request variation for scenario traffic. Called on the
 * pacing thread (open loop) or on a connection's event loop (closed loop), so it must be cheap and
 * thread-safe.
 */
@FunctionalInterface
public interface RequestSource {

  LoadRequest request(long index);

  /** The same request every time. */
  static RequestSource fixed(LoadRequest request) {
    return index -> request;
  }
}
