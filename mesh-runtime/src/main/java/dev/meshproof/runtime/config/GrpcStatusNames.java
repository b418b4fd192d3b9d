package dev.meshproof.runtime.config;

import java.util.List;

/**
 * The gRPC status names Istio accepts in {@code fault.abort.grpcStatus}, in code order ({@code
 * pkg/util/grpc/codes.go} {@code SupportedGRPCStatus}: grpc-go's codes 0..16); istiod translates a
 * name to its code.
 */
public final class GrpcStatusNames {
  /** The names by code: {@code NAMES.get(14)} is {@code UNAVAILABLE}. */
  public static final List<String> NAMES =
      List.of(
          "OK",
          "CANCELLED",
          "UNKNOWN",
          "INVALID_ARGUMENT",
          "DEADLINE_EXCEEDED",
          "NOT_FOUND",
          "ALREADY_EXISTS",
          "PERMISSION_DENIED",
          "RESOURCE_EXHAUSTED",
          "FAILED_PRECONDITION",
          "ABORTED",
          "OUT_OF_RANGE",
          "UNIMPLEMENTED",
          "INTERNAL",
          "UNAVAILABLE",
          "DATA_LOSS",
          "UNAUTHENTICATED");

  private GrpcStatusNames() {}

  static boolean contains(String name) {
    return NAMES.contains(name);
  }

  /** The code of a name {@link #contains} accepts. */
  public static int code(String name) {
    int code = NAMES.indexOf(name);
    if (code < 0) {
      throw new IllegalArgumentException(
          "grpcStatus: " + name + " (expected one of: " + String.join(", ", NAMES) + ")");
    }
    return code;
  }
}
