package dev.meshproof.runtime.transport;

/** Why an HTTP exchange produced no response; each kind maps to an Envoy response flag. */
public final class UpstreamException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong on the connection. */
  public enum Kind {
    /** The TCP connection could not be established (Envoy: UF). */
    CONNECT_FAILURE,
    /** The connection closed or reset before a complete response (Envoy: UC). */
    RESET,
    /** No complete response within the timeout (Envoy: UT). */
    TIMEOUT
  }

  private final Kind kind;

  public UpstreamException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
