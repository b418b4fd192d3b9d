package dev.meshproof.scenario.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A cleartext HTTP/2 connection with prior knowledge: every request is its own stream, sent as soon
 * as it is handed over (HTTP/2 multiplexes, so nothing queues in the client). Received DATA is
 * returned to the flow-control window at once.
 */
final class Http2LoadConnection extends LoadConnection {
  private final Map<Http2FrameStream, PendingRequest> inFlight = new IdentityHashMap<>();

  /** The status a gRPC call that ended with a non-zero grpc-status is counted under. */
  static final int GRPC_FAILED = 599;

  private final StreamHandler handler = new StreamHandler();

  Http2LoadConnection(Channel channel, RequestSource requests) {
    super(channel, requests);
    channel
        .pipeline()
        .addLast(Http2FrameCodecBuilder.forClient().autoAckSettingsFrame(true).build())
        .addLast(handler);
  }

  @Override
  protected void send(PendingRequest request) {
    handler.send(request);
  }

  @Override
  protected void sweepTimeouts(long nowNanos) {
    List<Http2FrameStream> late = new ArrayList<>();
    for (Map.Entry<Http2FrameStream, PendingRequest> e : inFlight.entrySet()) {
      if (expired(e.getValue(), nowNanos)) {
        late.add(e.getKey());
      }
    }
    for (Http2FrameStream stream : late) {
      PendingRequest expired = inFlight.remove(stream);
      expired.run.timedOut(expired);
      channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(stream));
    }
  }

  @Override
  protected void failAll() {
    Iterator<PendingRequest> it = inFlight.values().iterator();
    while (it.hasNext()) {
      PendingRequest lost = it.next();
      it.remove();
      lost.run.connectionError(lost);
    }
  }

  private final class StreamHandler extends Http2ChannelDuplexHandler {
    private ChannelHandlerContext ctx;

    @Override
    protected void handlerAdded0(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    void send(PendingRequest request) {
      if (request.run.sealed()) {
        return;
      }
      Http2FrameStream stream = newStream();
      request.sentNanos = System.nanoTime();
      inFlight.put(stream, request);
      boolean body = request.request.body().length > 0;
      ctx.write(
              new DefaultHttp2HeadersFrame(RequestTemplate.http2Headers(request.request), !body)
                  .stream(stream))
          .addListener(
              f -> {
                if (!f.isSuccess() && inFlight.remove(stream) != null) {
                  failed(request);
                }
              });
      if (body) {
        ctx.write(
            new DefaultHttp2DataFrame(RequestTemplate.body(request.request), true).stream(stream));
      }
      ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame headers) {
          PendingRequest request = inFlight.get(headers.stream());
          if (request == null) {
            return;
          }
          CharSequence status = headers.headers().status();
          if (status != null) {
            int code = Integer.parseInt(status.toString());
            if (code >= 100 && code < 200) {
              return;
            }
            request.status = code;
            if (request.run.wantsAnswers()) {
              request.headers = LoadConnection.headers(headers.headers());
            }
          }
          CharSequence grpcStatus = headers.headers().get("grpc-status");
          if (grpcStatus != null && !"0".contentEquals(grpcStatus)) {
            // A failed gRPC call answers HTTP 200: counted as an error by a non-2xx status.
            request.status = GRPC_FAILED;
          }
          if (headers.isEndStream()) {
            inFlight.remove(headers.stream());
            answered(request);
          }
        } else if (msg instanceof Http2DataFrame data) {
          PendingRequest reading = inFlight.get(data.stream());
          if (reading != null && reading.run.wantsAnswers() && data.content().isReadable()) {
            if (reading.firstBodyUnixNanos == 0) {
              java.time.Instant now = java.time.Instant.now();
              reading.firstBodyUnixNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }
            byte[] more = io.netty.buffer.ByteBufUtil.getBytes(data.content());
            byte[] joined =
                java.util.Arrays.copyOf(reading.body, reading.body.length + more.length);
            System.arraycopy(more, 0, joined, reading.body.length, more.length);
            reading.body = joined;
          }
          int bytes = data.initialFlowControlledBytes();
          if (bytes > 0) {
            ctx.write(new DefaultHttp2WindowUpdateFrame(bytes).stream(data.stream()));
          }
          if (data.isEndStream()) {
            PendingRequest request = inFlight.remove(data.stream());
            if (request != null) {
              answered(request);
            }
          }
        } else if (msg instanceof Http2ResetFrame reset) {
          PendingRequest request = inFlight.remove(reset.stream());
          if (request != null) {
            failed(request);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
