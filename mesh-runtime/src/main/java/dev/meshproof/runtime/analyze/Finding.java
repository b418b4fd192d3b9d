package dev.meshproof.runtime.analyze;

import java.util.Objects;

/**
 * One analyzer message, as {@code istioctl analyze} prints it: a code (Istio's {@code ISTnnnn}
 * where Istio has one, Meshproof's {@code MPnnnn} otherwise), its level, the resource it is about,
 * where that resource is, and a message.
 *
 * @param code the message code, e.g. {@link MessageCode#REFERENCED_RESOURCE_NOT_FOUND}
 * @param resource {@code Kind name} or {@code Kind namespace/name} (the namespace only when the
 *     document sets one), as Istio's analyzer names the resource
 * @param source the file (or the name a caller gave YAML text)
 * @param line the 1-based line of the field at fault, or of the resource when no field is
 * @param message what was found and what is expected
 */
public record Finding(MessageCode code, String resource, String source, int line, String message) {

  public Finding {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(message, "message");
  }

  /** The level of this finding's code. */
  public MessageCode.Level level() {
    return code.level();
  }

  /**
   * {@code CODE level resource file:line message}, e.g. {@code IST0101 Error VirtualService ...}.
   */
  @Override
  public String toString() {
    return code.code()
        + " "
        + code.level().label()
        + " "
        + resource
        + " "
        + source
        + ":"
        + line
        + " "
        + message;
  }
}
