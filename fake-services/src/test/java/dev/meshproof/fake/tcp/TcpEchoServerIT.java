package dev.meshproof.fake.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpEchoServerIT {
  private TcpEchoServer server;

  @BeforeEach
  void start() {
    server = TcpEchoServer.builder().service("tcp-echo").build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void echoesBytesAndJournalsTheConnection() throws IOException {
    byte[] hello = "hello mesh".getBytes(StandardCharsets.US_ASCII);
    try (Socket s = new Socket(server.address().getAddress(), server.port())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(hello);
      assertThat(s.getInputStream().readNBytes(hello.length)).isEqualTo(hello);
    }
    await().untilAsserted(() -> assertThat(server.journal().count()).isEqualTo(1));
    assertThat(server.journal().entries().get(0).bodySize()).isEqualTo(hello.length);
    assertThat(server.journal().entries().get(0).protocol()).isEqualTo("TCP");
  }

  @Test
  void withAPrefixEachLineIsAnsweredAsIstiosTcpEchoServerDoes() throws IOException {
    try (TcpEchoServer one =
            TcpEchoServer.builder()
                .service("tcp-echo")
                .instance("tcp-echo-v1-0")
                .prefix("one")
                .build()
                .start();
        Socket s = new Socket(one.address().getAddress(), one.port())) {
      s.setSoTimeout(5_000);
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      s.getOutputStream().write("hello\nworld\n".getBytes(StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("one hello");
      assertThat(in.readLine()).isEqualTo("one world");
    }
  }

  @Test
  void hangReadsButNeverEchoes() throws IOException {
    server.behavior().set(Behavior.builder().fault(Fault.HANG).build());
    try (Socket s = new Socket(server.address().getAddress(), server.port())) {
      s.setSoTimeout(200);
      s.getOutputStream().write(1);
      InputStream in = s.getInputStream();
      org.assertj.core.api.Assertions.assertThatThrownBy(in::read)
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void resetClosesTheConnectionAtOnce() throws IOException {
    server.behavior().set(Behavior.builder().fault(Fault.RESET).build());
    try (Socket s = new Socket(server.address().getAddress(), server.port())) {
      s.setSoTimeout(5_000);
      int read;
      try {
        read = s.getInputStream().read();
      } catch (IOException reset) {
        read = -2;
      }
      // A RST shows as "connection reset" or, if it races the read, as end of stream.
      assertThat(read).isIn(-1, -2);
    }
  }
}
