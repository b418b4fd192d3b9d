package dev.meshproof.chaos;

import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.fake.grpc.GrpcEchoServer;
import dev.meshproof.fake.http.EchoServer;
import java.util.Objects;

/**
 * One fake-service instance a {@link ServiceFault} acts on: its name for the event log and the
 * runtime handle on its behaviour. This is the service-instance handle a scenario deployment hands
 * out, whatever runs the instance.
 *
 * @param name the instance (pod) name, e.g. {@code reviews-v2-0}
 * @param behavior the instance's behaviour control
 */
public record ServiceTarget(String name, BehaviorHandle behavior) {

  /** Checks a non-blank name and a non-null control. */
  public ServiceTarget {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: \"" + name + "\" (expected: an instance name)");
    }
    Objects.requireNonNull(behavior, "behavior");
  }

  /** An in-JVM instance by name and its behaviour control. */
  public ServiceTarget(String name, BehaviorControl behavior) {
    this(name, BehaviorHandle.of(behavior));
  }

  /** An HTTP echo instance. */
  public static ServiceTarget of(EchoServer server) {
    Objects.requireNonNull(server, "server");
    return new ServiceTarget(server.instance(), server.behavior());
  }

  /** A gRPC echo instance. */
  public static ServiceTarget of(GrpcEchoServer server) {
    Objects.requireNonNull(server, "server");
    return new ServiceTarget(server.instance(), server.behavior());
  }
}
