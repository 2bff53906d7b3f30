package dev.traininghealth.daemon.act;

import dev.traininghealth.rules.command.Command;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One action the daemon decided on, sent or not: what, for which job, from which rule rung or
 * API call and why; then the agent's outcome and the daemon's verdict on whether it helped.
 * Mutable, owned by the act verticle's context.
 */
final class ActionRecord {
  /** Where the action came from. */
  enum Source {
    RULE,
    API;

    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Whether the action helped, once known. */
  enum Verdict {
    /** Waiting for the agent's result or for the loss. */
    PENDING,
    HELPED,
    NOT_HELPED,
    /** Never applied: not sent, or rejected, expired or failed at the agent. */
    NOT_APPLIED,
    /** The alert resolved before the action was applied; it gets no credit. */
    MOOT;

    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String id;
  private final String job;
  private final String action;
  private final Map<String, Object> params;
  private final Source source;
  private final String rule;
  private final int rung;
  private final String reason;
  private final long decidedMs;
  private Command command;
  private long sentIter = -1;
  private Recovery recovery;
  private boolean published;
  private NotSent notSent;
  private String notSentDetail = "";
  private String outcome = "pending";
  private String outcomeReason = "";
  private long outcomeIter = -1;
  private Verdict verdict = Verdict.PENDING;
  private String verdictReason = "";

  ActionRecord(String id, String job, String action, Map<String, Object> params, Source source,
      String rule, int rung, String reason, long decidedMs) {
    this.id = id;
    this.job = job;
    this.action = action;
    this.params = new TreeMap<>(params);
    this.source = source;
    this.rule = rule;
    this.rung = rung;
    this.reason = reason;
    this.decidedMs = decidedMs;
  }

  void toSend(Command c, long iter, Recovery r) {
    this.command = c;
    this.sentIter = iter;
    this.recovery = r;
  }

  void published() {
    this.published = true;
  }

  void notSent(NotSent why, String detail) {
    this.notSent = why;
    this.notSentDetail = detail;
    this.verdict = Verdict.NOT_APPLIED;
    this.verdictReason = "not sent: " + why.label();
  }

  /** Records the agent's outcome; true when that settles the verdict (anything but applied). */
  boolean result(String outcome, String why, long iter) {
    this.outcome = outcome;
    this.outcomeReason = why;
    this.outcomeIter = iter;
    if (!"applied".equals(outcome) && verdict == Verdict.PENDING) {
      judge(Verdict.NOT_APPLIED, "the agent reported " + outcome + ": " + why);
      return true;
    }
    return false;
  }

  /**
   * Judges by one iteration's loss: helped once the recovery is reached after the action was
   * applied; not helped {@code k} iterations after it was applied without that, or {@code k}
   * iterations after it was sent without any result. True when this settled the verdict.
   */
  boolean observe(long iter, double loss, int k) {
    if (verdict != Verdict.PENDING || command == null) {
      return false;
    }
    if ("applied".equals(outcome)) {
      if (iter > outcomeIter && recovery.reachedBy(loss)) {
        judge(Verdict.HELPED, "loss " + loss + " at iteration " + iter + " reached "
            + recovery.describe());
        return true;
      }
      if (iter >= outcomeIter + k) {
        judge(Verdict.NOT_HELPED, k + " iterations after it was applied (iteration "
            + outcomeIter + ") the loss is " + loss + ", short of " + recovery.describe());
        return true;
      }
    } else if ("pending".equals(outcome) && sentIter >= 0 && iter >= sentIter + k) {
      judge(Verdict.NOT_HELPED, "no action_result within " + k + " iterations of sending");
      return true;
    }
    return false;
  }

  /** The alert resolved: credit the action if it was applied, else it was moot. */
  boolean alertResolved(long iter) {
    if (verdict != Verdict.PENDING) {
      return false;
    }
    if ("applied".equals(outcome)) {
      judge(Verdict.HELPED, "the alert resolved at iteration " + iter);
    } else {
      judge(Verdict.MOOT, "the alert resolved at iteration " + iter + " before it was applied");
    }
    return true;
  }

  private void judge(Verdict v, String why) {
    this.verdict = v;
    this.verdictReason = why;
  }

  String id() {
    return id;
  }

  String job() {
    return job;
  }

  String action() {
    return action;
  }

  Source source() {
    return source;
  }

  /** The rule whose alert asked for it; empty for the API. */
  String rule() {
    return rule;
  }

  int rung() {
    return rung;
  }

  /** The signed command, or null when it was not sent before one was made. */
  Command command() {
    return command;
  }

  NotSent notSentReason() {
    return notSent;
  }

  Verdict verdict() {
    return verdict;
  }

  long sentIter() {
    return sentIter;
  }

  /** The iteration the agent applied it at, or it was sent at while no result is in; -1 if unsent. */
  long changedIter() {
    return "applied".equals(outcome) ? outcomeIter : sentIter;
  }

  /** For {@code GET /api/jobs/{id}/actions}. */
  JsonObject toJson(JsonObject commandJson) {
    JsonObject j = new JsonObject()
        .put("id", id)
        .put("job", job)
        .put("action", action)
        .put("params", new JsonObject(new TreeMap<>(params)))
        .put("source", source.wireName())
        .put("reason", reason)
        .put("decided", decidedMs);
    if (source == Source.RULE) {
      j.put("rule", rule).put("rung", rung);
    }
    j.put("status", notSent != null ? "not_sent" : published ? "sent" : "sending");
    if (notSent != null) {
      j.put("not_sent_reason", notSent.label()).put("not_sent_detail", notSentDetail);
    }
    if (command != null) {
      j.put("sent_iter", sentIter).put("expires", command.expires());
    }
    j.put("outcome", outcome);
    if (outcomeIter >= 0) {
      j.put("outcome_iter", outcomeIter).put("outcome_reason", outcomeReason);
    }
    j.put("verdict", verdict.wireName()).put("verdict_reason", verdictReason);
    if (commandJson != null) {
      j.put("command", commandJson);
    }
    return j;
  }

  static JsonObject commandJson(byte[] encoded) {
    return new JsonObject(new String(encoded, StandardCharsets.UTF_8));
  }
}
