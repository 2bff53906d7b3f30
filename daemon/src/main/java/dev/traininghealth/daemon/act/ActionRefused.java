package dev.traininghealth.daemon.act;

/** An API action the ledger will not send; {@link #status()} is the HTTP status to answer. */
final class ActionRefused extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient NotSent reason;

  ActionRefused(int status, NotSent reason, String message) {
    super(message);
    this.status = status;
    this.reason = reason;
  }

  int status() {
    return status;
  }

  NotSent reason() {
    return reason;
  }
}
