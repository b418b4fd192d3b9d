package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class HttpFilterChainTest {
  private final VirtualClock clock = new VirtualClock();
  private final List<String> calls = new ArrayList<>();
  private final RequestOutcome routed =
      new RequestOutcome.LocalReply(503, ResponseFlag.NO_HEALTHY_UPSTREAM, "", "r", "c", "-");
  private final HttpFilterChain.Terminal router =
      request -> {
        calls.add("router");
        return CompletableFuture.completedFuture(routed);
      };
  private final RequestContext request =
      RequestPathFixtures.request(RequestPathFixtures.routing(), Optional.empty());

  private HttpFilter recording(String name, FilterDecision decision) {
    return r -> {
      calls.add(name);
      return decision;
    };
  }

  @Test
  void continuingFiltersRunInOrderAndEndInTheRouter() {
    HttpFilterChain chain =
        new HttpFilterChain(
            List.of(
                recording("authn", FilterDecision.CONTINUE),
                recording("authz", FilterDecision.CONTINUE)),
            router,
            clock.scheduler());

    assertThat(chain.run(request)).isCompletedWithValue(routed);
    assertThat(calls).containsExactly("authn", "authz", "router");
  }

  @Test
  void aLocalReplyStopsTheChainWithItsStatusAndFlag() {
    HttpFilterChain chain =
        new HttpFilterChain(
            List.of(
                recording(
                    "authz",
                    new FilterDecision.LocalReply(
                        503, ResponseFlag.UPSTREAM_OVERFLOW, "access denied")),
                recording("fault", FilterDecision.CONTINUE)),
            router,
            clock.scheduler());

    RequestOutcome outcome = chain.run(request).join();

    assertThat(calls).containsExactly("authz");
    assertThat(outcome)
        .isEqualTo(
            new RequestOutcome.LocalReply(
                503, ResponseFlag.UPSTREAM_OVERFLOW, "access denied", "-", "-", "-"));
  }

  @Test
  void aDelayResumesWithTheNextFilterExactlyWhenItIsDue() {
    HttpFilterChain chain =
        new HttpFilterChain(
            List.of(
                recording("fault", new FilterDecision.Delay(Duration.ofSeconds(2))),
                recording("cors", FilterDecision.CONTINUE)),
            router,
            clock.scheduler());

    CompletableFuture<RequestOutcome> outcome = chain.run(request);
    clock.advance(Duration.ofMillis(1_999));
    assertThat(outcome).isNotDone();
    assertThat(calls).containsExactly("fault");

    clock.advance(Duration.ofMillis(1));
    // Envoy logs DI beside whatever the request ends with.
    assertThat(outcome).isCompletedWithValue(routed.withDelayInjected());
    assertThat(outcome.join().delayInjected()).isTrue();
    assertThat(calls).containsExactly("fault", "cors", "router");
  }

  @Test
  void anAbortDecidedWithADelayAnswersAfterTheDelayWithoutTheRestOfTheChain() {
    HttpFilterChain chain =
        new HttpFilterChain(
            List.of(
                recording(
                    "fault",
                    new FilterDecision.Delay(
                        Duration.ofMillis(200),
                        new FilterDecision.LocalReply(
                            500, ResponseFlag.FAULT_INJECTED, "fault filter abort"))),
                recording("cors", FilterDecision.CONTINUE)),
            router,
            clock.scheduler());

    CompletableFuture<RequestOutcome> outcome = chain.run(request);
    clock.advance(Duration.ofMillis(199));
    assertThat(outcome).isNotDone();
    clock.advance(Duration.ofMillis(1));

    assertThat(outcome.join().status()).isEqualTo(500);
    assertThat(outcome.join().flag()).contains(ResponseFlag.FAULT_INJECTED);
    assertThat(outcome.join().delayInjected()).isTrue();
    assertThat(calls).containsExactly("fault");
  }

  @Test
  void theDecodedRouterAloneIsAChainOfNoFilters() {
    HttpFilterChain chain =
        HttpFilterChain.of(
            List.of(new HttpFilterConfig.Router()),
            router,
            clock.scheduler(),
            RandomSource.seeded(1));

    assertThat(chain.run(request)).isCompletedWithValue(routed);
    assertThat(calls).containsExactly("router");
  }

  @Test
  void aRouterBeforeTheEndIsAnInvariantViolation() {
    assertThatThrownBy(
            () ->
                HttpFilterChain.of(
                    List.of(new HttpFilterConfig.Router(), new HttpFilterConfig.Router()),
                    router,
                    clock.scheduler(),
                    RandomSource.seeded(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not last");
  }
}
