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

  /** The SNI the TLS inspector read from the connection's ClientHello; empty: none. */
  static final AttributeKey<String> SERVER_NAME = AttributeKey.valueOf("meshproof.serverName");

  /**
   * The filter chain serving {@code channel} (a connection, or an HTTP/2 stream's parent) on {@code
   * listener}, by the destination port and the transport and SNI the connection's chain was chosen
   * by.
   */
  static Optional<FilterChainConfig> chainOf(ListenerConfig listener, Channel channel) {
    Channel connection = ClientCertHeader.connectionOf(channel);
    String transport = connection.attr(TRANSPORT).get();
    String serverName = connection.attr(SERVER_NAME).get();
    int port = ((InetSocketAddress) connection.localAddress()).getPort();
    return listener.filterChainFor(
        port,
        transport == null ? ListenerDecoder.RAW_BUFFER : transport,
        serverName == null || serverName.isEmpty() ? Optional.empty() : Optional.of(serverName));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    Sidecar.RoutingState state = sidecar.routingState();
    ListenerConfig listener = state.config().listeners().get(listenerName);
    boolean inspect = listener != null && listener.tlsInspector();
    if (inspect && in.readableBytes() < RECORD_HEADER) {
      return;
    }
    boolean tls = inspect && SslHandler.isEncrypted(in, false);
    if (tls) {
      // The TLS inspector also reads the ClientHello's SNI, which chains may match on: the chain
      // is chosen once the whole ClientHello has arrived (Envoy's tls_inspector, then the filter
      // chain match).
      ctx.pipeline().replace(this, "sni", new ServerNameInspector());
      return;
    }
    select(ctx, ListenerDecoder.RAW_BUFFER, Optional.empty(), this);
  }

  /**
   * Chooses the connection's filter chain by destination port, {@code transport} and {@code
   * serverName}, installs its TLS (if any) and the codec after {@code inspector}, then removes the
   * inspector (the bytes it held go on to them); closes a connection no chain matches, or whose
   * chain's secrets have not arrived, before anything reaches the app.
   */
  private void select(
      ChannelHandlerContext ctx,
      String transport,
      Optional<String> serverName,
      io.netty.channel.ChannelHandler inspector) {
    Sidecar.RoutingState state = sidecar.routingState();
    ListenerConfig listener = state.config().listeners().get(listenerName);
    Channel channel = ctx.channel();
    channel.attr(TRANSPORT).set(transport);
    channel.attr(SERVER_NAME).set(serverName.orElse(""));
    Optional<SslContext> tls = Optional.empty();
    java.time.Duration handshakeTimeout = java.time.Duration.ZERO;
    if (listener != null) {
      int port = ((InetSocketAddress) channel.localAddress()).getPort();
      Optional<FilterChainConfig> chain = listener.filterChainFor(port, transport, serverName);
      if (chain.isEmpty()) {
        // Envoy closes a connection no filter chain matches: a plaintext caller to STRICT, or a
        // ClientHello whose SNI (or lack of one) no chain's server names match.
        sidecar.stats().increment("listener." + listenerName + ".no_filter_chain_match");
        ctx.close();
        return;
      }
      if (chain.get().tls().isPresent()) {
        tls = state.tls().context(chain.get().tls().get());
        if (tls.isEmpty()) {
          ctx.close();
          return;
        }
        handshakeTimeout = chain.get().transportSocketConnectTimeout();
      }
    }
    String name = ctx.name();
    java.time.Duration timeout = handshakeTimeout;
    tls.ifPresent(
        context -> {
          SslHandler handler = context.newHandler(ctx.alloc());
          if (!timeout.isZero()) {
            handler.setHandshakeTimeoutMillis(timeout.toMillis());
          }
          ctx.pipeline().addAfter(name, "tls", handler);
          ctx.pipeline().addAfter("tls", "tls-stats", new HandshakeStats());
        });
    installCodec.run();
    ctx.pipeline().remove(inspector);
  }

  /**
   * Reads the SNI of the ClientHello (Netty's ClientHello parser, as Envoy's TLS inspector), then
   * hands the connection to {@link #select}.
   */
  private final class ServerNameInspector extends io.netty.handler.ssl.AbstractSniHandler<String> {
    @Override
    protected io.netty.util.concurrent.Future<String> lookup(
        ChannelHandlerContext ctx, String hostname) {
      return ctx.executor().newSucceededFuture(hostname);
    }

    @Override
    protected void onLookupComplete(
        ChannelHandlerContext ctx,
        String hostname,
        io.netty.util.concurrent.Future<String> future) {
      select(
          ctx,
          ListenerDecoder.TLS,
          Optional.ofNullable(hostname).map(h -> h.toLowerCase(java.util.Locale.ROOT)),
          this);
    }
  }
}
