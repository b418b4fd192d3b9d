package dev.meshproof.scenario.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.util.ArrayDeque;

/**
 * An HTTP/1.1 keep-alive connection: one request in flight, later ones wait in a queue (no
 * pipelining, as wrk2 and Envoy's HTTP/1.1 codec do). In open loop, time spent in that queue is
 * part of the measured latency, since it is measured from the intended start.
 */
final class Http1LoadConnection extends LoadConnection {
  private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

  private final ArrayDeque<PendingRequest> queue = new ArrayDeque<>();
  private PendingRequest inFlight;

  Http1LoadConnection(Channel channel, RequestSource requests) {
    super(channel, requests);
    channel
        .pipeline()
        .addLast(new HttpClientCodec())
        .addLast(new HttpObjectAggregator(MAX_RESPONSE_BYTES))
        .addLast(new ResponseHandler());
  }

  @Override
  protected void send(PendingRequest request) {
    queue.add(request);
    if (inFlight == null) {
      sendNext();
    }
  }

  private void sendNext() {
    PendingRequest next = queue.poll();
    // A request of a phase that already ended was counted as a timeout there: drop it.
    while (next != null && next.run.sealed()) {
      next = queue.poll();
    }
    if (next == null) {
      return;
    }
    PendingRequest request = next;
    inFlight = request;
    request.sentNanos = System.nanoTime();
    channel
        .writeAndFlush(RequestTemplate.http1(request.request))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                channel.close();
              }
            });
  }

  @Override
  protected void sweepTimeouts(long nowNanos) {
    if (inFlight != null && expired(inFlight, nowNanos)) {
      PendingRequest late = inFlight;
      inFlight = null;
      late.run.timedOut(late);
      // Its answer may still come and would be taken for the next one's: retire the connection.
      channel.close();
    }
  }

  @Override
  protected void failAll() {
    if (inFlight != null) {
      PendingRequest lost = inFlight;
      inFlight = null;
      lost.run.connectionError(lost);
    }
    PendingRequest queued;
    while ((queued = queue.poll()) != null) {
      queued.run.connectionError(queued);
    }
  }

  private final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      PendingRequest request = inFlight;
      if (request == null) {
        // An answer nobody waits for (its request timed out): the connection cannot be trusted.
        ctx.close();
        return;
      }
      inFlight = null;
      request.status = response.status().code();
      if (request.run.wantsAnswers()) {
        request.headers = LoadConnection.headers(response.headers());
        request.body = io.netty.buffer.ByteBufUtil.getBytes(response.content());
      }
      answered(request);
      if (inFlight == null) {
        sendNext();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
