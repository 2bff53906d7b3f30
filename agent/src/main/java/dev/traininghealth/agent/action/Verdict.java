package dev.traininghealth.agent.action;

import dev.traininghealth.rules.event.ActionResult.Outcome;

/** How a command ended, and why: the content of its {@code action_result}. */
final class Verdict {
  private final Outcome outcome;
  private final String reason;

  private Verdict(Outcome outcome, String reason) {
    this.outcome = outcome;
    this.reason = reason;
  }

  static Verdict applied(String what) {
    return new Verdict(Outcome.APPLIED, what);
  }

  static Verdict rejected(String why) {
    return new Verdict(Outcome.REJECTED, why);
  }

  static Verdict expired(String why) {
    return new Verdict(Outcome.EXPIRED, why);
  }

  static Verdict failed(String why) {
    return new Verdict(Outcome.FAILED, why);
  }

  Outcome outcome() {
    return outcome;
  }

  String reason() {
    return reason;
  }
}
