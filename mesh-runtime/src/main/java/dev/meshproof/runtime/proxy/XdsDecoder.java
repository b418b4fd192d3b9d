package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * Helpers every per-type decoder shares ({@link ListenerDecoder}, {@link RouteDecoder}, {@link
 * ClusterDecoder}, {@link EndpointDecoder}): each decoder turns one Envoy v3 resource type into the
 * sidecar's immutable values and rejects (so the ADS client NACKs) anything the embedded sidecar
 * cannot honour exactly: silently ignoring a field would make it route differently from Envoy with
 * the same config.
 */
final class XdsDecoder {

  private XdsDecoder() {}

  /** NACKs a message that still has fields set after the decoded ones were cleared. */
  static void rejectUnsupported(Message.Builder rest, String where) {
    Map<FieldDescriptor, Object> fields = rest.getAllFields();
    if (!fields.isEmpty()) {
      throw new IllegalArgumentException(
          where
              + ": "
              + fields.keySet().stream().map(FieldDescriptor::getName).sorted().toList()
              + " not supported by the embedded sidecar");
    }
  }

  static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  static InetSocketAddress socketAddress(Address address, String where) {
    if (!address.hasSocketAddress()) {
      throw new IllegalArgumentException(where + ": only socket addresses are supported");
    }
    var socket = address.getSocketAddress();
    return new InetSocketAddress(socket.getAddress(), socket.getPortValue());
  }

  static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type, String where) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          where
              + ": cannot decode "
              + any.getTypeUrl()
              + " as "
              + type.getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
