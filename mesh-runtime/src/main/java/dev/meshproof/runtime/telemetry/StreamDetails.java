package dev.meshproof.runtime.telemetry;

/**
 * What Envoy's default access-log line says of a request beyond an {@link AccessLogEntry}: the
 * downstream protocol ({@code %PROTOCOL%}), body bytes received and sent ({@code %BYTES_RECEIVED%},
 * {@code %BYTES_SENT%}), the upstream service time header, {@code x-forwarded-for} and {@code
 * user-agent}; {@code null} text fields print as {@code -}.
 */
public record StreamDetails(
    String protocol,
    long bytesReceived,
    long bytesSent,
    String upstreamServiceTime,
    String forwardedFor,
    String userAgent) {}
