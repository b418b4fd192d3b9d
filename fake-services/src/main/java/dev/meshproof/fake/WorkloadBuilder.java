package dev.meshproof.fake;

import dev.meshproof.fake.journal.RequestJournal;
import java.time.Clock;
import java.util.Objects;

/**
 * The part of a fake workload's builder that every kind shares: identity ({@code service}, {@code
 * version}, {@code instance}, {@code namespace}), bind address and journal settings. Setters check
 * their input and say {@code field: value (expected: ...)}; {@link #workloadOptions()} checks the
 * whole, as Armeria's {@code *Builder}s do. Each workload's {@code Builder} extends it (or {@link
 * EchoWorkloadBuilder}) with {@code B} as itself, so chained calls keep the concrete builder type:
 *
 * <pre>{@code
 * EchoServer.builder().service("reviews").version("v2").controlApi(true).build();
 * }</pre>
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class WorkloadBuilder<B extends WorkloadBuilder<B>> {
  private final String exampleService;
  private String service;
  private String version = "v1";
  private String instance;
  private String namespace = "default";
  private Clock clock = Clock.systemUTC();
  private int journalCapacity = RequestJournal.DEFAULT_CAPACITY;
  private String host = "127.0.0.1";
  private int port;

  /**
   * A builder with the defaults (version {@code v1}, namespace {@code default}, {@code
   * 127.0.0.1:0}).
   *
   * @param exampleService an {@code app} label typical of this kind, quoted when none is set
   */
  protected WorkloadBuilder(String exampleService) {
    this.exampleService = Objects.requireNonNull(exampleService, "exampleService");
  }

  /** The {@code app} label (required). */
  public final B service(String service) {
    // Names are checked once, by WorkloadIdentity in workloadOptions(), so that the message is the
    // same whichever builder or CLI flag supplied them.
    this.service = service;
    return self();
  }

  /** The {@code version} label (default {@code v1}). */
  public final B version(String version) {
    this.version = version;
    return self();
  }

  /** The instance (pod) name (default {@code service-version-0}). */
  public final B instance(String instance) {
    this.instance = instance;
    return self();
  }

  /** The namespace (default {@code default}). */
  public final B namespace(String namespace) {
    this.namespace = namespace;
    return self();
  }

  /** Clock for journal timestamps (default UTC system clock). */
  public final B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /** Most journal entries kept (default {@value RequestJournal#DEFAULT_CAPACITY}). */
  public final B journalCapacity(int capacity) {
    this.journalCapacity = checkJournalCapacity(capacity);
    return self();
  }

  /** Bind host (default {@code 127.0.0.1}). */
  public final B host(String host) {
    this.host = checkHost(host);
    return self();
  }

  /** Bind port (default 0, ephemeral). */
  public final B port(int port) {
    this.port = checkPort(port);
    return self();
  }

  /**
   * Checks the fields against each other and returns them as a value.
   *
   * @throws IllegalArgumentException naming the field when the service is missing or a name is
   *     blank or holds whitespace
   */
  protected final WorkloadOptions workloadOptions() {
    if (service == null) {
      throw new IllegalArgumentException(
          "service: null (expected: the app label, e.g. " + exampleService + ")");
    }
    String inst = instance != null ? instance : service + "-" + version + "-0";
    return new WorkloadOptions(
        new WorkloadIdentity(service, version, inst, namespace),
        host,
        port,
        clock,
        journalCapacity);
  }

  /** This builder as its concrete type (grpc-java's {@code thisT()}). */
  @SuppressWarnings("unchecked")
  protected final B self() {
    return (B) this;
  }

  static String checkHost(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host: \"" + host + "\" (expected: an IP or name)");
    }
    return host;
  }

  static int checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
    }
    return port;
  }

  static int checkJournalCapacity(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("journalCapacity: " + capacity + " (expected: >= 1)");
    }
    return capacity;
  }
}
