package dev.meshproof.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VirtualClockTest {
  private final VirtualClock time = new VirtualClock();
  private final ScheduledExecutorService scheduler = time.scheduler();

  @Test
  void runsDueTasksInDeadlineThenSubmissionOrderAtTheirDeadline() {
    List<String> log = new ArrayList<>();
    scheduler.schedule(() -> log.add("b@" + time.elapsed().toMillis()), 20, TimeUnit.MILLISECONDS);
    scheduler.schedule(() -> log.add("a@" + time.elapsed().toMillis()), 10, TimeUnit.MILLISECONDS);
    scheduler.schedule(() -> log.add("c@" + time.elapsed().toMillis()), 20, TimeUnit.MILLISECONDS);

    time.advance(Duration.ofMillis(19));
    assertThat(log).containsExactly("a@10");
    time.advance(Duration.ofMillis(1));
    assertThat(log).containsExactly("a@10", "b@20", "c@20");
    assertThat(time.clock().instant())
        .isEqualTo(java.time.Instant.parse("2025-01-01T00:00:00.020Z"));
  }

  @Test
  void cancelledTasksNeverRun() {
    List<String> log = new ArrayList<>();
    var f = scheduler.schedule(() -> log.add("x"), 1, TimeUnit.SECONDS);

    assertThat(f.cancel(false)).isTrue();
    time.advance(Duration.ofSeconds(2));

    assertThat(log).isEmpty();
    assertThat(time.pendingTasks()).isZero();
  }
}
