package dev.meshproof.runtime.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSession;

/**
 * An upstream response whose head (status and headers) has arrived while its body may still be on
 * its way, as Envoy's router sees it: the router decides on the head (retry, outlier detection),
 * the connection manager forwards the head at once and then each body frame or chunk as it arrives
 * and the trailers at the end ({@code UpstreamRequest::decodeHeaders/decodeData/decodeTrailers}).
 * As a {@link FullHttpResponse} its content is empty; the body is read through {@link
 * #subscribe(BodySink)} (once), or collected whole by {@link #aggregate(int)}.
 *
 * <p>Releasing the response before subscribing means nobody will read its body: the upstream stream
 * is reset (an HTTP/2 RST_STREAM, or the HTTP/1.1 connection closed), as Envoy resets an attempt it
 * retries or abandons. Body events arrive on the upstream connection's event loop; the ones that
 * came before {@link #subscribe} are handed over in order first.
 */
public final class StreamedResponse extends DefaultFullHttpResponse {
  /** Receives the body of a {@link StreamedResponse} as it arrives. */
  public interface BodySink {
    /** One body chunk (an HTTP/1.1 chunk or read, an HTTP/2 DATA frame); ownership passes. */
    void content(ByteBuf chunk);

    /** The body ended; {@code trailers} is empty when the upstream sent none. */
    void end(HttpHeaders trailers);

    /**
     * The body will not end: the upstream reset the stream or closed the connection, or the
     * response was {@linkplain #cancel cancelled} (a route timeout after the head was forwarded).
     */
    void reset(UpstreamException cause);
  }

  private final Channel source;
  private final Runnable resetUpstream;
  private final Optional<SSLSession> tlsSession;
  private final CompletableFuture<Void> finished = new CompletableFuture<>();

  // Guarded by this.
  private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
  private BodySink sink;
  private HttpHeaders trailers;
  private UpstreamException failure;
  private boolean closed;

  /**
   * @param head the status and headers as the upstream codec decoded them
   * @param source the channel the body is read from (paused and resumed for flow control)
   * @param resetUpstream resets the upstream stream (closes an HTTP/1.1 connection)
   */
  StreamedResponse(HttpResponse head, Channel source, Runnable resetUpstream) {
    super(
        head.protocolVersion(),
        head.status(),
        Unpooled.EMPTY_BUFFER,
        head.headers(),
        new DefaultHttpHeaders());
    this.source = source;
    this.resetUpstream = resetUpstream;
    // Taken now, on the connection's event loop while it is open: a closed channel's pipeline no
    // longer holds its SslHandler. An HTTP/2 stream's TLS is its parent connection's.
    Channel connection = source.parent() == null ? source : source.parent();
    SslHandler tls = connection.pipeline().get(SslHandler.class);
    this.tlsSession = tls == null ? Optional.empty() : Optional.of(tls.engine().getSession());
  }

  /**
   * The TLS session of the upstream connection this response arrived on, empty in plaintext: its
   * certificates are the principals Istio's stats filter reports on the source side.
   */
  public Optional<SSLSession> tlsSession() {
    return tlsSession;
  }

  /**
   * Completes when the body ended, exceptionally when it was reset or cancelled; the router's route
   * timeout runs until then, as Envoy's global timeout runs until the upstream response completes.
   */
  public CompletableFuture<Void> finished() {
    return finished;
  }

  /** Starts reading the body: what arrived so far first, then each chunk as it arrives. */
  public void subscribe(BodySink sink) {
    synchronized (this) {
      if (this.sink != null) {
        throw new IllegalStateException("the body of a streamed response is read once");
      }
      this.sink = sink;
      ByteBuf chunk;
      while ((chunk = early.pollFirst()) != null) {
        sink.content(chunk);
      }
      if (trailers != null) {
        sink.end(trailers);
      } else if (failure != null) {
        sink.reset(failure);
      }
    }
  }

  /**
   * The whole response when its body already ended before anyone read it (a unary answer, a gRPC
   * trailers-only answer: all of it came in one read), taking the body; empty otherwise, and then
   * the body is read with {@link #subscribe}. A response taken whole is forwarded as one message,
   * which keeps a trailers-only answer trailers-only.
   */
  public Optional<FullHttpResponse> takeIfComplete() {
    synchronized (this) {
      if (sink != null || trailers == null) {
        return Optional.empty();
      }
      sink = DISCARD;
      ByteBuf body;
      if (early.isEmpty()) {
        body = Unpooled.EMPTY_BUFFER;
      } else if (early.size() == 1) {
        body = early.pollFirst();
      } else {
        CompositeByteBuf parts = Unpooled.compositeBuffer(early.size());
        ByteBuf chunk;
        while ((chunk = early.pollFirst()) != null) {
          parts.addComponent(true, chunk);
        }
        body = parts;
      }
      return Optional.of(
          new DefaultFullHttpResponse(protocolVersion(), status(), body, headers(), trailers));
    }
  }

  private static final BodySink DISCARD =
      new BodySink() {
        @Override
        public void content(ByteBuf chunk) {
          chunk.release();
        }

        @Override
        public void end(HttpHeaders trailers) {}

        @Override
        public void reset(UpstreamException cause) {}
      };

  /** Reads the body and discards it (a mirror's answer, which Envoy's shadow reads and drops). */
  public void discard() {
    subscribe(DISCARD);
  }

  /**
   * The whole response, body and trailers, once the body ended; fails when it is reset or grows
   * past {@code maxBody} bytes (then the upstream stream is reset).
   */
  public CompletableFuture<FullHttpResponse> aggregate(int maxBody) {
    return aggregate(maxBody, () -> {});
  }

  /**
   * {@link #aggregate(int)}, telling {@code firstChunk} when the first body bytes arrive (a client
   * that records when a server stream's first message reached it).
   */
  public CompletableFuture<FullHttpResponse> aggregate(int maxBody, Runnable firstChunk) {
    CompletableFuture<FullHttpResponse> whole = new CompletableFuture<>();
    boolean[] started = {false};
    CompositeByteBuf body = Unpooled.compositeBuffer(Integer.MAX_VALUE);
    whole.whenComplete(
        (response, error) -> {
          if (error != null) {
            cancel(
                new UpstreamException(
                    UpstreamException.Kind.RESET,
                    "response abandoned: " + error.getMessage(),
                    error));
          }
        });
    subscribe(
        new BodySink() {
          @Override
          public void content(ByteBuf chunk) {
            if (whole.isDone()) {
              chunk.release();
              return;
            }
            if (!started[0]) {
              started[0] = true;
              firstChunk.run();
            }
            if (body.readableBytes() + chunk.readableBytes() > maxBody) {
              chunk.release();
              body.release();
              whole.completeExceptionally(
                  new UpstreamException(
                      UpstreamException.Kind.RESET,
                      "response body larger than " + maxBody + " bytes",
                      null));
              return;
            }
            body.addComponent(true, chunk);
          }

          @Override
          public void end(HttpHeaders trailers) {
            if (whole.isDone()) {
              return;
            }
            FullHttpResponse response =
                new DefaultFullHttpResponse(protocolVersion(), status(), body, headers(), trailers);
            if (!whole.complete(response)) {
              response.release();
            }
          }

          @Override
          public void reset(UpstreamException cause) {
            if (!whole.isDone()) {
              body.release();
              whole.completeExceptionally(cause);
            }
          }
        });
    return whole;
  }

  /**
   * Resets the upstream stream unless the body already ended; the subscriber hears {@code cause}.
   */
  public void cancel(UpstreamException cause) {
    if (reset(cause)) {
      resetUpstream.run();
    }
  }

  /** Stops reading from the upstream (its flow-control window or socket buffer fills up). */
  public void pause() {
    source.config().setAutoRead(false);
  }

  /** Reads from the upstream again after {@link #pause()}. */
  public void resume() {
    source.config().setAutoRead(true);
    source.read();
  }

  /**
   * Releasing an unread response resets its stream (nobody will read the rest) and releases the
   * body that already arrived: a response that ended before it was read (a retried 503, all of it
   * in one read) is closed already, so the reset alone would leave its chunks unreleased.
   */
  @Override
  public boolean release() {
    boolean unread;
    synchronized (this) {
      unread = sink == null;
      if (unread) {
        sink = DISCARD;
        early.forEach(ByteBuf::release);
        early.clear();
      }
    }
    if (unread) {
      cancel(new UpstreamException(UpstreamException.Kind.RESET, "response not read", null));
    }
    return super.release();
  }

  // The transport's side, on the upstream connection's event loop.

  void content(ByteBuf chunk) {
    synchronized (this) {
      if (closed) {
        chunk.release();
      } else if (sink == null) {
        early.addLast(chunk);
      } else {
        sink.content(chunk);
      }
    }
  }

  void end(HttpHeaders trailers) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      this.trailers = trailers;
      if (sink != null) {
        sink.end(trailers);
      }
    }
    finished.complete(null);
  }

  /** The upstream reset the stream; true when the body had not ended yet. */
  boolean reset(UpstreamException cause) {
    synchronized (this) {
      if (closed) {
        return false;
      }
      closed = true;
      failure = cause;
      early.forEach(ByteBuf::release);
      early.clear();
      if (sink != null) {
        sink.reset(cause);
      }
    }
    finished.completeExceptionally(cause);
    return true;
  }

  /** Whether the body ended or was reset. */
  synchronized boolean isClosed() {
    return closed;
  }
}
