package dev.meshproof.fake.behavior;

import dev.meshproof.common.RandomSource;

/**
 * Where a fake service draws one request's error, fault and latency from. A request that carries an
 * {@code x-request-id} draws from the instance's source keyed by that id and its attempt number
 * ({@link RandomSource#forRequest}), so its plan depends only on the instance seed and the request,
 * not on how many requests the instance served before: a run replays at any concurrency. A request
 * without an id draws from the instance's shared stream, in arrival order.
 */
public final class RequestRandom {
  private RequestRandom() {}

  /**
   * The source of one request's draws.
   *
   * @param requestId the request's {@code x-request-id}, or null when it has none
   * @param attempt 1-based count of requests seen with this id, so a retry draws afresh
   */
  public static RandomSource of(RandomSource instance, String requestId, int attempt) {
    if (requestId == null || requestId.isEmpty()) {
      return instance;
    }
    return instance.forRequest(requestId + "#" + attempt);
  }
}
