package dev.meshproof.cli;

/** The exit codes of {@code meshproof}, as its {@code --help} and the README document them. */
final class ExitCodes {
  static final int PASSED = 0;
  static final int FAILED = 1;
  static final int BAD_INPUT = 2;
  static final int UNAVAILABLE = 3;

  /** A bug in Meshproof itself (an unexpected exception), reported in one line. */
  static final int INTERNAL_ERROR = 70;

  private ExitCodes() {}
}
