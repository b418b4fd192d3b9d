package dev.meshproof.fake.grpc;

import dev.meshproof.common.RandomSource;
import dev.meshproof.fake.WorkloadIdentity;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.fake.behavior.RequestRandom;
import dev.meshproof.fake.grpc.v1.EchoRequest;
import dev.meshproof.fake.grpc.v1.EchoResponse;
import dev.meshproof.fake.grpc.v1.EchoServiceGrpc;
import dev.meshproof.fake.journal.CallerIdentity;
import dev.meshproof.fake.journal.JournalEntry;
import dev.meshproof.fake.journal.RequestJournal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The {@code meshproof.echo.v1.EchoService} implementation; waits on a scheduler, never sleeps. */
final class EchoService extends EchoServiceGrpc.EchoServiceImplBase {
  static final Context.Key<Metadata> METADATA = Context.key("meshproof-metadata");
  static final Context.Key<String> AUTHORITY = Context.key("meshproof-authority");
  static final Context.Key<String> METHOD = Context.key("meshproof-method");

  private final WorkloadIdentity identity;
  private final BehaviorControl behavior;
  private final RandomSource random;
  private final Clock clock;
  private final RequestJournal journal;
  private final ScheduledExecutorService scheduler;

  EchoService(
      WorkloadIdentity identity,
      BehaviorControl behavior,
      RandomSource random,
      Clock clock,
      RequestJournal journal,
      ScheduledExecutorService scheduler) {
    this.identity = identity;
    this.behavior = behavior;
    this.random = random;
    this.clock = clock;
    this.journal = journal;
    this.scheduler = scheduler;
  }

  /** Puts the call's metadata and authority in the context for the service methods. */
  static ServerInterceptor contextInterceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Context ctx =
            Context.current()
                .withValue(METADATA, headers)
                .withValue(AUTHORITY, call.getAuthority())
                .withValue(METHOD, "/" + call.getMethodDescriptor().getFullMethodName());
        return Contexts.interceptCall(ctx, call, headers, next);
      }
    };
  }

  /**
   * Sends the instance's identity as response headers ({@code x-echo-service}, {@code
   * x-echo-version}, {@code x-echo-instance}), as the HTTP echo does, so a caller attributes a gRPC
   * answer (a failed call's trailers-only answer too) to the instance that gave it.
   */
  static ServerInterceptor identityHeaders(WorkloadIdentity identity) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return next.startCall(
            new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<Q, R>(call) {
              private boolean sent;

              @Override
              public void sendHeaders(Metadata responseHeaders) {
                sent = true;
                super.sendHeaders(withIdentity(responseHeaders));
              }

              @Override
              public void close(Status status, Metadata trailers) {
                // A call closed before any header (an error) answers trailers-only: the identity
                // rides in that single header block.
                super.close(status, sent ? trailers : withIdentity(trailers));
              }

              private Metadata withIdentity(Metadata md) {
                md.put(key("x-echo-service"), identity.service());
                md.put(key("x-echo-version"), identity.version());
                md.put(key("x-echo-instance"), identity.instance());
                return md;
              }
            },
            headers);
      }
    };
  }

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  @Override
  public void echo(EchoRequest request, StreamObserver<EchoResponse> out) {
    handle(request, out, false);
  }

  @Override
  public void echoStream(EchoRequest request, StreamObserver<EchoResponse> out) {
    handle(request, out, true);
  }

  private void handle(EchoRequest request, StreamObserver<EchoResponse> out, boolean stream) {
    Metadata md = METADATA.get();
    String requestId = header(md, "x-request-id");
    String authority = AUTHORITY.get();
    int attempt = journal.countAttempt(requestId);
    GrpcPlan plan;
    try {
      Duration requestDelay =
          request.hasDelay()
              ? Duration.ofSeconds(request.getDelay().getSeconds(), request.getDelay().getNanos())
              : null;
      plan =
          RequestRandom.of(random, requestId, attempt)
              .draw(
                  r ->
                      GrpcPlan.decide(
                          behavior.get(),
                          request.getStatusCode(),
                          requestDelay,
                          header(md, GrpcPlan.STATUS_KEY),
                          header(md, GrpcPlan.DELAY_KEY),
                          r));
    } catch (IllegalArgumentException e) {
      record(authority, requestId, attempt, md, Status.Code.INVALID_ARGUMENT.value(), request);
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    record(authority, requestId, attempt, md, plan.hang() ? -1 : plan.code().value(), request);
    if (plan.hang()) {
      return; // Deliberately never answered: the caller's deadline has to fire.
    }
    EchoResponse.Builder base =
        EchoResponse.newBuilder()
            .setMessage(request.getMessage())
            .setService(identity.service())
            .setVersion(identity.version())
            .setInstance(identity.instance())
            .setNamespace(identity.namespace())
            .setPod(identity.pod())
            .setAuthority(authority == null ? "" : authority)
            .putAllMetadata(flatten(md))
            .setRequestId(requestId == null ? "" : requestId)
            .setAttempt(attempt);
    int count = stream ? Math.max(1, request.getCount()) : 1;
    Duration interval =
        Duration.ofSeconds(request.getInterval().getSeconds(), request.getInterval().getNanos());
    schedule(plan.delay(), () -> send(out, base, plan, 0, count, interval));
  }

  private void send(
      StreamObserver<EchoResponse> out,
      EchoResponse.Builder base,
      GrpcPlan plan,
      int index,
      int count,
      Duration interval) {
    if (out instanceof ServerCallStreamObserver<?> s && s.isCancelled()) {
      return;
    }
    if (plan.code() != Status.Code.OK) {
      out.onError(Status.fromCode(plan.code()).withDescription(plan.reason()).asRuntimeException());
      return;
    }
    java.time.Instant now = clock.instant();
    out.onNext(
        base.setIndex(index)
            .setSentUnixNanos(now.getEpochSecond() * 1_000_000_000L + now.getNano())
            .build());
    if (index + 1 >= count) {
      out.onCompleted();
    } else {
      schedule(interval, () -> send(out, base, plan, index + 1, count, interval));
    }
  }

  private void schedule(Duration delay, Runnable r) {
    if (delay.isZero()) {
      r.run();
    } else {
      scheduler.schedule(r, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void record(
      String authority, String requestId, int attempt, Metadata md, int code, EchoRequest req) {
    journal.record(
        new JournalEntry(
            clock.instant(),
            identity.instance(),
            "gRPC",
            "POST",
            METHOD.get(),
            authority,
            requestId,
            attempt,
            JournalEntry.isMirrored(authority, header(md, "x-envoy-internal")),
            CallerIdentity.fromXfcc(header(md, "x-forwarded-client-cert")).orElse(null),
            // A hung call answered nothing: 0 in HTTP terms; -1 keeps it distinct from gRPC OK.
            code,
            req.getSerializedSize()));
  }

  private static String header(Metadata md, String name) {
    return md.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
  }

  private static Map<String, String> flatten(Metadata md) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : md.keys()) {
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        continue;
      }
      Iterable<String> values = md.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
      if (values != null) {
        out.put(key, String.join(",", values));
      }
    }
    return out;
  }
}
