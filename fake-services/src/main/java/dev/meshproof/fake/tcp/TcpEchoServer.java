package dev.meshproof.fake.tcp;

import dev.meshproof.fake.EchoWorkloadBuilder;
import dev.meshproof.fake.EchoWorkloadCore;
import dev.meshproof.fake.EchoWorkloadOptions;
import dev.meshproof.fake.ProgrammableWorkload;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.Fault;
import dev.meshproof.fake.journal.JournalEntry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A TCP echo workload: every byte received is written back. It stands for an opaque TCP service
 * behind a sidecar (Istio's {@code tcp-echo} sample), for TCP routing, mTLS and connection-pool
 * scenarios. With a {@link Builder#prefix prefix} it speaks Istio's {@code tcp-echo-server}
 * protocol instead ({@code samples/tcp-echo/src/main.go}): each line received is answered with the
 * prefix, a space and the line, which tells the client which instance answered (Istio's samples use
 * {@code one} and {@code two}; scenarios use the instance name). Each connection is journalled when
 * it closes ({@code protocol} {@code TCP}, {@code method} {@code CONNECT}, {@code bodySize} = bytes
 * echoed). The {@link Behavior}'s {@code HANG} (read, never echo) and {@code RESET} (RST at once)
 * faults apply per connection.
 */
public final class TcpEchoServer extends ProgrammableWorkload {
  private final ChannelGroup channels =
      new DefaultChannelGroup("tcp-echo", GlobalEventExecutor.INSTANCE);
  private volatile Channel serverChannel;
  private volatile boolean closed;
  private final java.util.Optional<String> prefix;

  private TcpEchoServer(EchoWorkloadOptions options, java.util.Optional<String> prefix) {
    super(EchoWorkloadCore.of(options, "tcp-echo"));
    this.prefix = prefix;
  }

  /** The prefix each echoed line starts with, when this server answers by lines. */
  public java.util.Optional<String> prefix() {
    return prefix;
  }

  /** A builder; {@link Builder#service(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Binds (by default {@code 127.0.0.1:0}) and starts echoing; returns this. */
  public synchronized TcpEchoServer start() {
    core.checkStartable(serverChannel != null, closed);
    ChannelInitializer<Channel> echo =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            channels.add(ch);
            if (prefix.isPresent()) {
              // Lines up to 64 KiB, the delimiter kept so the answer ends as the line did.
              ch.pipeline()
                  .addLast(
                      new io.netty.handler.codec.LineBasedFrameDecoder(64 * 1024, false, false));
            }
            ch.pipeline().addLast(new Echo());
          }
        };
    try {
      serverChannel =
          core.eventLoop()
              .bind(echo, core.host(), core.requestedPort(), core.identity().instance());
    } catch (IllegalStateException e) {
      close();
      throw e;
    }
    return this;
  }

  private Fault faultForConnection() {
    Behavior b = core.behavior().get();
    if (b.fault() != Fault.HANG && b.fault() != Fault.RESET || b.faultRate() == 0) {
      return Fault.NONE;
    }
    boolean hit = b.faultRate() >= 1 || core.random().draw(r -> r.nextDouble() < b.faultRate());
    return hit ? b.fault() : Fault.NONE;
  }

  private final class Echo extends ChannelInboundHandlerAdapter {
    private Instant opened;
    private Fault fault = Fault.NONE;
    private long bytes;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      opened = core.clock().instant();
      fault = faultForConnection();
      if (fault == Fault.RESET) {
        // SO_LINGER 0: close() sends RST, which Envoy reports as an upstream connection failure.
        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        ctx.close();
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (fault == Fault.HANG || !(msg instanceof ByteBuf buf)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      bytes += buf.readableBytes();
      if (prefix.isPresent()) {
        ctx.write(
            io.netty.buffer.Unpooled.copiedBuffer(
                prefix.get() + " ", java.nio.charset.StandardCharsets.UTF_8));
      }
      ctx.writeAndFlush(buf);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      core.journal()
          .record(
              new JournalEntry(
                  opened,
                  core.identity().instance(),
                  "TCP",
                  "CONNECT",
                  "",
                  null,
                  null,
                  1,
                  false,
                  null,
                  0,
                  bytes));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** The bound address. */
  @Override
  public InetSocketAddress address() {
    Channel ch = serverChannel;
    if (ch == null) {
      throw core.notStarted();
    }
    return (InetSocketAddress) ch.localAddress();
  }

  /** Stops listening, closes connections, shuts down an owned event loop. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    core.eventLoop().close();
  }

  /** Builds a {@link TcpEchoServer}; the shared setters are {@link EchoWorkloadBuilder}'s. */
  public static final class Builder extends EchoWorkloadBuilder<Builder> {
    private String prefix;

    private Builder() {
      super("tcp-echo");
    }

    /**
     * Answers each line with {@code prefix}, a space and the line, as Istio's {@code
     * tcp-echo-server} does with its second argument; default: raw echo of every byte.
     */
    public Builder prefix(String prefix) {
      if (prefix == null || prefix.isEmpty() || prefix.contains("\n")) {
        throw new IllegalArgumentException(
            "prefix: " + prefix + " (expected: a non-empty text without line breaks)");
      }
      this.prefix = prefix;
      return this;
    }

    /** Validates and builds (not started). */
    public TcpEchoServer build() {
      return new TcpEchoServer(echoOptions(), java.util.Optional.ofNullable(prefix));
    }
  }
}
