package dev.traininghealth.rules.command;

/** A record on {@code th.commands} that is not a valid command; the message says why. */
public final class MalformedCommandException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedCommandException(String message) {
    super(message);
  }

  public MalformedCommandException(String message, Throwable cause) {
    super(message, cause);
  }
}
