package dev.traininghealth.rules.rule;

import java.util.Objects;

/** One problem in a rule file, where it is (1-based line and column) and what is wrong. */
public final class RuleError {
  private final String source;
  private final int line;
  private final int column;
  private final String message;

  private RuleError(String source, int line, int column, String message) {
    this.source = Objects.requireNonNull(source, "source");
    this.line = line;
    this.column = column;
    this.message = Objects.requireNonNull(message, "message");
  }

  public static RuleError of(String source, int line, int column, String message) {
    return new RuleError(source, line, column, message);
  }

  /** The file (or other name) the text came from. */
  public String source() {
    return source;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  public String message() {
    return message;
  }

  /** {@code file:line:column: message}, as compilers print it. */
  @Override
  public String toString() {
    return source + ":" + line + ":" + column + ": " + message;
  }
}
