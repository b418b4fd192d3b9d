package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import java.util.concurrent.CompletableFuture;

/**
 * A client workload's app as a deployment hands it out: sends one request through the workload's
 * sidecar, as the app in a pod would. Every request completes with an outcome, never exceptionally
 * (a timeout or reset is an outcome).
 */
@FunctionalInterface
public interface TrafficClient {

  /** Sends {@code request}; the future completes with its outcome. */
  CompletableFuture<HttpOutcome> send(HttpRequestSpec request);
}
