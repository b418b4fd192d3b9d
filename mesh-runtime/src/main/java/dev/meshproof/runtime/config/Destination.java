package dev.meshproof.runtime.config;

import java.util.Optional;
import java.util.OptionalInt;

/** Istio's {@code Destination}: a service host, an optional DestinationRule subset and port. */
public record Destination(String host, Optional<String> subset, OptionalInt port) {}
