package dev.meshproof.fake.wiremock;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.meshproof.fake.Workload;
import dev.meshproof.fake.WorkloadBuilder;
import dev.meshproof.fake.WorkloadIdentity;
import dev.meshproof.fake.WorkloadOptions;
import dev.meshproof.fake.journal.CallerIdentity;
import dev.meshproof.fake.journal.JournalEntry;
import dev.meshproof.fake.journal.RequestJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A workload whose behaviour is a set of WireMock stub mappings: for an upstream with a realistic
 * API (a payment provider, an external ServiceEntry host) rather than an echo. Stubs come from a
 * directory laid out as WireMock expects ({@code mappings/*.json}, {@code __files/}) and/or the
 * Java DSL. Every response carries {@code x-echo-service}, {@code x-echo-version} and {@code
 * x-echo-instance}, and every request is written to the same {@link RequestJournal} the echo
 * workloads use.
 */
public final class WireMockWorkload implements Workload {
  private final WorkloadIdentity identity;
  private final Path root;
  private final List<MappingBuilder> stubs;
  private final List<Consumer<WireMockServer>> customizers;
  private final RequestJournal journal;
  private final Clock clock;
  private final String host;
  private final int requestedPort;
  private volatile WireMockServer server;
  private volatile Path tempRoot;
  private volatile boolean closed;

  private WireMockWorkload(Builder b, WorkloadOptions options) {
    this.identity = options.identity();
    this.root = b.root;
    this.stubs = List.copyOf(b.stubs);
    this.customizers = List.copyOf(b.customizers);
    this.journal = new RequestJournal(options.journalCapacity());
    this.clock = options.clock();
    this.host = options.host();
    this.requestedPort = options.port();
  }

  /** A builder; {@link Builder#service(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts WireMock on {@code 127.0.0.1:0} (by default) with the stubs; returns this. */
  public synchronized WireMockWorkload start() {
    if (server != null || closed) {
      throw new IllegalStateException(identity.instance() + ": start() called twice");
    }
    Path files = root;
    if (files == null) {
      try {
        // Without a directory WireMock would load ./src/test/resources/mappings of whatever
        // project runs it; an empty directory keeps the workload to its DSL stubs.
        files = Files.createTempDirectory("wiremock-" + identity.instance());
        tempRoot = files;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    WireMockConfiguration cfg =
        WireMockConfiguration.options()
            .bindAddress(host)
            .port(requestedPort)
            .usingFilesUnderDirectory(files.toString())
            .containerThreads(8)
            .jettyAcceptors(1)
            .extensions(new IdentityHeaders(identity));
    WireMockServer s = new WireMockServer(cfg);
    s.addMockServiceRequestListener(this::record);
    s.start();
    server = s;
    stubs.forEach(s::stubFor);
    customizers.forEach(c -> c.accept(s));
    return this;
  }

  private void record(Request request, Response response) {
    String requestId = request.getHeader("x-request-id");
    String authority = request.getHeader("Host");
    journal.record(
        new JournalEntry(
            clock.instant(),
            identity.instance(),
            request.getProtocol() == null ? "HTTP/1.1" : request.getProtocol(),
            request.getMethod().getName(),
            request.getUrl(),
            authority,
            requestId,
            journal.countAttempt(requestId),
            JournalEntry.isMirrored(authority, request.getHeader("x-envoy-internal")),
            CallerIdentity.fromXfcc(request.getHeader("x-forwarded-client-cert")).orElse(null),
            response.getStatus(),
            request.getBody() == null ? 0 : request.getBody().length));
  }

  /** The running WireMock server, to add stubs ({@code stubFor}) or read its own request log. */
  public WireMockServer server() {
    WireMockServer s = server;
    if (s == null) {
      throw new IllegalStateException(identity.instance() + ": not started");
    }
    return s;
  }

  /** The bound port. */
  @Override
  public int port() {
    return server().port();
  }

  /** The bound address. */
  @Override
  public InetSocketAddress address() {
    return new InetSocketAddress(host, port());
  }

  /** All identity fields. */
  @Override
  public WorkloadIdentity identity() {
    return identity;
  }

  /** What this instance received. */
  @Override
  public RequestJournal journal() {
    return journal;
  }

  /** Stops WireMock. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (server != null) {
      server.stop();
    }
    if (tempRoot != null) {
      try (var paths = Files.walk(tempRoot)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + tempRoot, e);
      }
    }
  }

  /** Adds the identity headers to every WireMock response. */
  private static final class IdentityHeaders implements ResponseTransformerV2 {
    private final WorkloadIdentity identity;

    IdentityHeaders(WorkloadIdentity identity) {
      this.identity = identity;
    }

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
      return Response.Builder.like(response)
          .but()
          .headers(
              response
                  .getHeaders()
                  .plus(
                      new HttpHeader("x-echo-service", identity.service()),
                      new HttpHeader("x-echo-version", identity.version()),
                      new HttpHeader("x-echo-instance", identity.instance())))
          .build();
    }

    @Override
    public String getName() {
      return "meshproof-identity-headers";
    }
  }

  /**
   * Builds a {@link WireMockWorkload}; the identity, bind, clock and journal setters are {@link
   * WorkloadBuilder}'s.
   */
  public static final class Builder extends WorkloadBuilder<Builder> {
    private Path root;
    private final List<MappingBuilder> stubs = new ArrayList<>();
    private final List<Consumer<WireMockServer>> customizers = new ArrayList<>();

    private Builder() {
      super("payments");
    }

    /** A WireMock root directory holding {@code mappings/*.json} and {@code __files/}. */
    public Builder mappingsRoot(Path root) {
      Objects.requireNonNull(root, "mappingsRoot");
      if (!Files.isDirectory(root.resolve("mappings"))) {
        throw new IllegalArgumentException(
            "mappingsRoot: " + root + " (expected: a directory containing mappings/)");
      }
      this.root = root;
      return this;
    }

    /** Stubs in WireMock's Java DSL, e.g. {@code get("/items").willReturn(ok())}. */
    public Builder stub(MappingBuilder... mappings) {
      stubs.addAll(List.of(mappings));
      return this;
    }

    /** Anything else to do to the started WireMock server (scenarios, global settings). */
    public Builder customize(Consumer<WireMockServer> customizer) {
      customizers.add(Objects.requireNonNull(customizer, "customize"));
      return this;
    }

    /** Validates and builds (not started). */
    public WireMockWorkload build() {
      return new WireMockWorkload(this, workloadOptions());
    }
  }
}
