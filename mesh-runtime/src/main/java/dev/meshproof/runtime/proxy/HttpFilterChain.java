package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.route.HeaderChanges;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A connection manager's HTTP filters for one request, in {@code http_filters} order, ending in the
 * router: each filter's {@link FilterDecision} continues, answers locally, or delays; the router
 * forwards what every filter let through.
 */
final class HttpFilterChain {

  /** The last element of every chain: produces the outcome (the {@link Router}). */
  @FunctionalInterface
  interface Terminal {
    CompletableFuture<RequestOutcome> route(RequestContext request);
  }

  private final List<HttpFilter> filters;
  private final Terminal router;
  private final ScheduledExecutorService scheduler;

  HttpFilterChain(List<HttpFilter> filters, Terminal router, ScheduledExecutorService scheduler) {
    this.filters = List.copyOf(filters);
    this.router = router;
    this.scheduler = scheduler;
  }

  /**
   * The chain for decoded {@code http_filters}: each configured filter in order, the router last.
   * The decoder accepts the fault and CORS filters and the router today; authn and authz become
   * cases here.
   *
   * @param faultRandom the sidecar's fault stream, for the fault filter's decisions
   */
  static HttpFilterChain of(
      List<HttpFilterConfig> configs,
      Terminal router,
      ScheduledExecutorService scheduler,
      RandomSource faultRandom) {
    return of(configs, router, scheduler, faultRandom, java.time.Clock.systemUTC());
  }

  /**
   * The chain for decoded {@code http_filters}, JWT expiry judged on {@code clock} (the sidecar's).
   */
  static HttpFilterChain of(
      List<HttpFilterConfig> configs,
      Terminal router,
      ScheduledExecutorService scheduler,
      RandomSource faultRandom,
      java.time.Clock clock) {
    return of(
        configs,
        router,
        scheduler,
        faultRandom,
        clock,
        MetadataExchangeFilter.Local.NONE,
        name -> {},
        (request, cluster, call, timeout) -> {
          call.release();
          return CompletableFuture.failedFuture(
              new IllegalStateException("no upstream calls in this chain"));
        });
  }

  /**
   * The chain for decoded {@code http_filters}: the metadata exchange filter sends {@code local}
   * (this proxy's metadata); filters count their decisions through {@code counters} (a counter name
   * after {@code http.<stat_prefix>.}, e.g. {@code rbac.allowed}) and ext_authz asks its provider
   * through {@code checks}.
   */
  static HttpFilterChain of(
      List<HttpFilterConfig> configs,
      Terminal router,
      ScheduledExecutorService scheduler,
      RandomSource faultRandom,
      java.time.Clock clock,
      MetadataExchangeFilter.Local local,
      java.util.function.Consumer<String> counters,
      ExtAuthzFilter.Client checks) {
    List<HttpFilter> filters = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      HttpFilterConfig config = configs.get(i);
      if (config instanceof HttpFilterConfig.Router) {
        if (i != configs.size() - 1) {
          throw new IllegalStateException("router at " + i + " of " + configs + " is not last");
        }
      } else if (config instanceof HttpFilterConfig.Fault fault) {
        filters.add(new FaultFilter(fault.policy(), faultRandom));
      } else if (config instanceof HttpFilterConfig.Cors) {
        filters.add(new CorsFilter());
      } else if (config instanceof HttpFilterConfig.JwtAuthn jwt) {
        filters.add(new JwtFilter(jwt, clock));
      } else if (config instanceof HttpFilterConfig.ExtAuthz extAuthz) {
        filters.add(
            new ExtAuthzFilter(
                extAuthz.policy(), checks, name -> counters.accept("ext_authz." + name)));
      } else if (config instanceof HttpFilterConfig.Rbac rbac) {
        filters.add(new RbacFilter(rbac.policy(), name -> counters.accept("rbac." + name)));
      } else if (config instanceof HttpFilterConfig.MetadataExchange mx) {
        filters.add(new MetadataExchangeFilter(mx, local));
      } else {
        throw new IllegalStateException("no filter implements " + config);
      }
    }
    return new HttpFilterChain(filters, router, scheduler);
  }

  /** {@code changes} applied to the response of {@code outcome}, whichever kind it is. */
  static RequestOutcome withResponseChanges(RequestOutcome outcome, HeaderChanges changes) {
    if (changes.isEmpty()) {
      return outcome;
    }
    if (outcome instanceof RequestOutcome.LocalReply reply) {
      List<HeaderChanges> all = new ArrayList<>(reply.responseHeaderChanges());
      all.add(changes);
      return reply.withResponseHeaderChanges(all);
    }
    if (outcome instanceof RequestOutcome.DirectReply direct) {
      changes.applyTo(Router.editor(direct.headers()));
    } else if (outcome instanceof RequestOutcome.Proxied proxied) {
      changes.applyTo(Router.editor(proxied.response().headers()));
    }
    return outcome;
  }

  /** Runs the filters, then the router; the result completes once, with the request's outcome. */
  CompletableFuture<RequestOutcome> run(RequestContext request) {
    return runFrom(0, request);
  }

  private CompletableFuture<RequestOutcome> runFrom(int first, RequestContext initial) {
    RequestContext request = initial;
    for (int i = first; i < filters.size(); i++) {
      FilterDecision decision = filters.get(i).onRequest(request);
      if (decision instanceof FilterDecision.ContinueWith next) {
        request = next.request();
        continue;
      }
      if (decision instanceof FilterDecision.LocalReply reply) {
        return CompletableFuture.completedFuture(localReply(reply));
      }
      if (decision instanceof FilterDecision.Respond respond) {
        return CompletableFuture.completedFuture(respond.outcome());
      }
      if (decision instanceof FilterDecision.ContinueWithResponseChanges changes) {
        // The filter's encodeHeaders: applied to whatever answers, after the router's changes.
        return runFrom(i + 1, request)
            .thenApply(outcome -> withResponseChanges(outcome, changes.onResponse()));
      }
      if (decision instanceof FilterDecision.Await await) {
        int next = i + 1;
        RequestContext paused = request;
        CompletableFuture<RequestOutcome> resumed = new CompletableFuture<>();
        await
            .decision()
            .whenComplete(
                (supplier, failure) ->
                    paused
                        .executor()
                        .execute(
                            () -> {
                              try {
                                if (failure != null) {
                                  resumed.completeExceptionally(failure);
                                  return;
                                }
                                resumeWith(supplier.get(), next, paused)
                                    .whenComplete(
                                        (outcome, error) -> {
                                          if (error != null) {
                                            resumed.completeExceptionally(error);
                                          } else {
                                            resumed.complete(outcome);
                                          }
                                        });
                              } catch (RuntimeException e) {
                                resumed.completeExceptionally(e);
                              }
                            }));
        return resumed;
      }
      if (decision instanceof FilterDecision.Delay delay) {
        int next = i + 1;
        RequestContext paused = request;
        CompletableFuture<RequestOutcome> resumed = new CompletableFuture<>();
        scheduler.schedule(
            () ->
                paused
                    .executor()
                    .execute(
                        () -> {
                          try {
                            // Envoy's DI flag: whatever follows the delay is logged with it.
                            (delay.then() instanceof FilterDecision.LocalReply reply
                                    ? CompletableFuture.<RequestOutcome>completedFuture(
                                        localReply(reply))
                                    : runFrom(next, paused))
                                .thenApply(RequestOutcome::withDelayInjected)
                                .whenComplete(
                                    (outcome, error) -> {
                                      if (error != null) {
                                        resumed.completeExceptionally(error);
                                      } else {
                                        resumed.complete(outcome);
                                      }
                                    });
                          } catch (RuntimeException e) {
                            resumed.completeExceptionally(e);
                          }
                        }),
            delay.delay().toNanos(),
            TimeUnit.NANOSECONDS);
        return resumed;
      }
    }
    return router.route(request);
  }

  /** The rest of the chain after an awaited filter decided {@code decision}. */
  private CompletableFuture<RequestOutcome> resumeWith(
      FilterDecision decision, int next, RequestContext request) {
    if (decision instanceof FilterDecision.ContinueWith with) {
      return runFrom(next, with.request());
    }
    if (decision instanceof FilterDecision.Respond respond) {
      return CompletableFuture.completedFuture(respond.outcome());
    }
    if (decision instanceof FilterDecision.LocalReply reply) {
      return CompletableFuture.completedFuture(localReply(reply));
    }
    if (decision instanceof FilterDecision.Continue) {
      return runFrom(next, request);
    }
    throw new IllegalStateException("an awaited filter decided " + decision);
  }

  private static RequestOutcome localReply(FilterDecision.LocalReply reply) {
    return new RequestOutcome.LocalReply(
        reply.status(),
        reply.flag(),
        reply.body(),
        "-",
        "-",
        "-",
        List.of(),
        Optional.empty(),
        reply.grpcStatus(),
        false);
  }
}
