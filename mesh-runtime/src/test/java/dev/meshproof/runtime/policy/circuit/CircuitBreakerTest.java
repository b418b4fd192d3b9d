package dev.meshproof.runtime.policy.circuit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.policy.circuit.CircuitBreaker.Admission;
import dev.meshproof.runtime.policy.circuit.CircuitBreaker.Overflow;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  private static CircuitBreaker<String, Integer> breaker(
      long connections, long pending, long requests) {
    return new CircuitBreaker<>(
        new CircuitBreakerThresholds(connections, pending, requests, 3, false));
  }

  @Test
  void oneConnectionOnePendingThenOverflowAsTheSeedBooksWalkThrough() {
    CircuitBreaker<String, Integer> cb = breaker(1, 1, 100);
    assertThat(cb.admit("a", 1)).isInstanceOf(Admission.Dispatch.class);
    assertThat(cb.admit("a", 2)).isInstanceOf(Admission.Queued.class);
    assertThat(cb.admit("a", 3)).isEqualTo(new Admission.Overflowed(Overflow.PENDING_REQUESTS));
    assertThat(cb.counts().pendingOverflows()).isEqualTo(1);
    // The first request's connection goes to the waiter, then is released.
    assertThat(cb.release("a")).contains(2);
    assertThat(cb.admit("a", 4)).isInstanceOf(Admission.Queued.class);
    assertThat(cb.release("a")).contains(4);
    assertThat(cb.release("a")).isEmpty();
    assertThat(cb.counts().connectionsInUse()).isZero();
    assertThat(cb.counts().activeRequests()).isZero();
  }

  @Test
  void aHostWithoutAConnectionAlwaysGetsOneAsEnvoyAvoidsStarvation() {
    CircuitBreaker<String, Integer> cb = breaker(1, 0, 100);
    assertThat(cb.admit("a", 1)).isInstanceOf(Admission.Dispatch.class);
    assertThat(cb.admit("b", 2)).isInstanceOf(Admission.Dispatch.class);
    assertThat(cb.admit("a", 3)).isEqualTo(new Admission.Overflowed(Overflow.PENDING_REQUESTS));
    assertThat(cb.counts().connectionOverflows()).isEqualTo(2);
  }

  @Test
  void maxRequestsBoundsRequestsInFlight() {
    CircuitBreaker<String, Integer> cb = breaker(10, 10, 1);
    assertThat(cb.admit("a", 1)).isInstanceOf(Admission.Dispatch.class);
    assertThat(cb.admit("a", 2)).isEqualTo(new Admission.Overflowed(Overflow.REQUESTS));
  }

  @Test
  void retriesAreBoundedByMaxRetries() {
    CircuitBreaker<String, Integer> cb =
        new CircuitBreaker<>(new CircuitBreakerThresholds(1, 1, 1, 1, false));
    assertThat(cb.tryStartRetry()).isTrue();
    assertThat(cb.tryStartRetry()).isFalse();
    cb.finishRetry();
    assertThat(cb.tryStartRetry()).isTrue();
    assertThat(cb.counts().retryOverflows()).isEqualTo(1);
  }

  /**
   * A request is admitted iff under every limit: dispatched iff requests are below max_requests and
   * a connection may be used (below max_connections, or its host has none in use); queued iff it
   * may not connect and fewer than max_pending_requests wait; otherwise overflowed. Counts never
   * pass their limits.
   */
  @Property(tries = 300)
  void aRequestIsAdmittedIffUnderEveryLimit(
      @ForAll @IntRange(min = 0, max = 4) int maxConnections,
      @ForAll @IntRange(min = 0, max = 4) int maxPending,
      @ForAll @IntRange(min = 0, max = 6) int maxRequests,
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 5) Integer> ops) {
    CircuitBreaker<String, Integer> cb = breaker(maxConnections, maxPending, maxRequests);
    List<String> dispatched = new ArrayList<>();
    int[] busyByHost = new int[3];
    for (int op : ops) {
      if (op >= 3) {
        if (!dispatched.isEmpty()) {
          String host = dispatched.remove(0);
          if (cb.release(host).isPresent()) {
            dispatched.add(host);
          } else {
            busyByHost[host.charAt(0) - 'a']--;
          }
        }
        continue;
      }
      String host = String.valueOf((char) ('a' + op));
      var before = cb.counts();
      boolean canConnect =
          before.connectionsInUse() < maxConnections || busyByHost[host.charAt(0) - 'a'] == 0;
      Admission admission = cb.admit(host, op);
      if (canConnect && before.activeRequests() < maxRequests) {
        assertThat(admission).isInstanceOf(Admission.Dispatch.class);
        dispatched.add(host);
        busyByHost[host.charAt(0) - 'a']++;
      } else if (!canConnect && before.pendingRequests() < maxPending) {
        assertThat(admission).isInstanceOf(Admission.Queued.class);
      } else {
        assertThat(admission).isInstanceOf(Admission.Overflowed.class);
      }
      var after = cb.counts();
      assertThat(after.activeRequests()).isLessThanOrEqualTo(maxRequests);
      assertThat(after.pendingRequests()).isLessThanOrEqualTo(maxPending);
      assertThat(after.connectionsInUse()).isLessThanOrEqualTo(maxConnections + 3L);
    }
  }
}
