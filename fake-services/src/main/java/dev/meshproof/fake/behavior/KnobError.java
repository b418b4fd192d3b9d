package dev.meshproof.fake.behavior;

/**
 * Why a per-request knob was rejected; the workload answers 400 with this message.
 *
 * @param knob the knob's name ({@code codes}, {@code delay}, ...)
 * @param value the value received
 * @param expected what the knob accepts
 */
public record KnobError(String knob, String value, String expected) {

  /** E.g. {@code codes: "500:abc" — expected status:weight pairs like 500:90,200:10}. */
  public String message() {
    return knob + ": \"" + value + "\" \u2014 expected " + expected;
  }
}
