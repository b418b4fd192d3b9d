package dev.meshproof.scenario.targets;

import java.util.Map;

/**
 * A scenario could not reach its traffic: invalid configuration, a NACK, a data plane that failed
 * to start. The message is for the user (file and line, the proxy's error detail); attachments keep
 * what evidence there is (e.g. the proxy's log).
 */
public final class ScenarioAbortedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Map<String, String> attachments;

  public ScenarioAbortedException(
      String message, Map<String, String> attachments, Throwable cause) {
    super(message, cause);
    this.attachments = Map.copyOf(attachments);
  }

  public Map<String, String> attachments() {
    return attachments;
  }
}
