package dev.meshproof.fake.wiremock;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.meshproof.fake.WorkloadIdentity;
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
public final class WireMockWorkload implements AutoCloseable {
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

  private WireMockWorkload(Builder b, WorkloadIdentity identity) {
    this.identity = identity;
    this.root = b.root;
    this.stubs = List.copyOf(b.stubs);
    this.customizers = List.copyOf(b.customizers);
    this.journal = new RequestJournal(b.journalCapacity);
    this.clock = b.clock;
    this.host = b.host;
    this.requestedPort = b.port;
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
            JournalEntry.isMirrored(authority),
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
  public int port() {
    return server().port();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return new InetSocketAddress(host, port());
  }

  /** The {@code app} label. */
  public String service() {
    return identity.service();
  }

  /** The {@code version} label. */
  public String version() {
    return identity.version();
  }

  /** The instance name. */
  public String instance() {
    return identity.instance();
  }

  /** The namespace. */
  public String namespace() {
    return identity.namespace();
  }

  /** All identity fields. */
  public WorkloadIdentity identity() {
    return identity;
  }

  /** What this instance received. */
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

  /** Builds a {@link WireMockWorkload}; shaped like {@code EchoServer.Builder}. */
  public static final class Builder {
    private String service;
    private String version = "v1";
    private String instance;
    private String namespace = "default";
    private Path root;
    private final List<MappingBuilder> stubs = new ArrayList<>();
    private final List<Consumer<WireMockServer>> customizers = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private int journalCapacity = RequestJournal.DEFAULT_CAPACITY;
    private String host = "127.0.0.1";
    private int port;

    private Builder() {}

    /** The {@code app} label (required). */
    public Builder service(String service) {
      this.service = service;
      return this;
    }

    /** The {@code version} label (default {@code v1}). */
    public Builder version(String version) {
      this.version = version;
      return this;
    }

    /** The instance name (default {@code service-version-0}). */
    public Builder instance(String instance) {
      this.instance = instance;
      return this;
    }

    /** The namespace (default {@code default}). */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
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

    /** Clock for journal timestamps. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Most journal entries kept. */
    public Builder journalCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("journalCapacity: " + capacity + " (expected: >= 1)");
      }
      this.journalCapacity = capacity;
      return this;
    }

    /** Bind host (default {@code 127.0.0.1}). */
    public Builder host(String host) {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host: \"" + host + "\" (expected: an IP or name)");
      }
      this.host = host;
      return this;
    }

    /** Bind port (default 0, ephemeral). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      this.port = port;
      return this;
    }

    /** Validates and builds (not started). */
    public WireMockWorkload build() {
      if (service == null) {
        throw new IllegalArgumentException(
            "service: null (expected: the app label, e.g. payments)");
      }
      String inst = instance != null ? instance : service + "-" + version + "-0";
      return new WireMockWorkload(this, new WorkloadIdentity(service, version, inst, namespace));
    }
  }
}
