package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * The start of every accepted connection, as Envoy's listener: the TLS inspector (when the listener
 * has it) tells a TLS ClientHello from plaintext by the first bytes, the filter chain is chosen by
 * destination port and that {@code transport_protocol}, and the chain's transport socket is
 * installed (TLS with the chain's context) before the HTTP codec. A connection that no chain
 * matches, or whose chain's secrets have not arrived, is closed before anything reaches the app.
 */
final class TransportSelector extends ByteToMessageDecoder {
  /** The transport protocol the connection's filter chain was chosen by. */
  static final AttributeKey<String> TRANSPORT = AttributeKey.valueOf("meshproof.transport");

  /**
   * The transport protocol {@code channel}'s filter chain was chosen by; {@code raw_buffer} on a
   * listener without the selector (an outbound TCP listener).
   */
  static String transportOf(Channel channel) {
    String transport = channel.attr(TRANSPORT).get();
    return transport == null ? ListenerDecoder.RAW_BUFFER : transport;
  }

  /** TLS record header: the inspector needs these bytes to decide. */
  private static final int RECORD_HEADER = 5;

  private final Sidecar sidecar;
  private final String listenerName;
  private final Runnable installCodec;

  TransportSelector(Sidecar sidecar, String listenerName, Runnable installCodec) {
    this.sidecar = sidecar;
    this.listenerName = listenerName;
    this.installCodec = installCodec;
  }

  /**
   * Counts each downstream handshake under Envoy's listener TLS statistics: {@code ssl.handshake},
   * or {@code ssl.connection_error} and the validator's reason ({@code ssl.fail_verify_san}, {@code
   * ssl.fail_verify_error}, {@code ssl.fail_verify_no_cert}).
   */
  private final class HandshakeStats extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent done) {
        String prefix = "listener." + listenerName + ".ssl.";
        if (done.isSuccess()) {
          sidecar.stats().increment(prefix + "handshake");
        } else {
          sidecar.stats().increment(prefix + "connection_error");
          failureReason(done.cause()).ifPresent(r -> sidecar.stats().increment(prefix + r));
        }
        ctx.pipeline().remove(this);
      }
      super.userEventTriggered(ctx, evt);
    }
  }

  private static Optional<String> failureReason(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof TlsContexts.PeerCertificateRejected rejected) {
        return Optional.of(
            switch (rejected.verdict().reason()) {
              case SAN_MISMATCH -> "fail_verify_san";
              case NO_CERTIFICATE -> "fail_verify_no_cert";
              default -> "fail_verify_error";
            });
      }
    }
    return Optional.empty();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    Sidecar.RoutingState state = sidecar.routingState();
    ListenerConfig listener = state.config().listeners().get(listenerName);
    boolean inspect = listener != null && listener.tlsInspector();
    if (inspect && in.readableBytes() < RECORD_HEADER) {
      return;
    }
    String transport =
        inspect && SslHandler.isEncrypted(in, false)
            ? ListenerDecoder.TLS
            : ListenerDecoder.RAW_BUFFER;
    Channel channel = ctx.channel();
    channel.attr(TRANSPORT).set(transport);
    Optional<SslContext> tls = Optional.empty();
    if (listener != null) {
      int port = ((InetSocketAddress) channel.localAddress()).getPort();
      Optional<FilterChainConfig> chain = listener.filterChainFor(port, transport);
      if (chain.isEmpty()) {
        // Envoy closes a connection no filter chain matches: a plaintext caller to STRICT.
        sidecar.stats().increment("listener." + listenerName + ".no_filter_chain_match");
        in.skipBytes(in.readableBytes());
        ctx.close();
        return;
      }
      if (chain.get().tls().isPresent()) {
        tls = state.tls().context(chain.get().tls().get());
        if (tls.isEmpty()) {
          in.skipBytes(in.readableBytes());
          ctx.close();
          return;
        }
      }
    }
    tls.ifPresent(
        context -> {
          ctx.pipeline().addAfter(ctx.name(), "tls", context.newHandler(ctx.alloc()));
          ctx.pipeline().addAfter("tls", "tls-stats", new HandshakeStats());
        });
    installCodec.run();
    ctx.pipeline().remove(this);
  }
}
