package dev.meshproof.fake.behavior;

/**
 * A connection-level misbehaviour of the workload itself (not of the mesh): what Envoy reports as
 * upstream timeouts (UT), resets (UC/UF) or truncated responses when the application misbehaves.
 */
public enum Fault {
  /** Answer normally. */
  NONE,
  /** Accept the request and never answer; the connection stays open. */
  HANG,
  /** Reset the connection (TCP RST; RST_STREAM on HTTP/2) instead of answering. */
  RESET,
  /** Send the headers, then the body in pieces spaced by the slow-body chunk delay. */
  SLOW_BODY,
  /** Send the response headers, then close the connection before any body byte. */
  DROP_AFTER_HEADERS
}
