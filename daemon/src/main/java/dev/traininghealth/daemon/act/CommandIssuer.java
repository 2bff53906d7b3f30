package dev.traininghealth.daemon.act;

import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandSigner;
import java.util.Map;
import java.util.UUID;

/** Makes signed commands: a fresh id, issued now, valid for the configured time. Thread-safe. */
final class CommandIssuer {
  /** Reasons are evidence for people; longer ones are cut so commands stay small. */
  static final int MAX_REASON_CHARS = 1000;

  private final CommandSigner signer;
  private final long ttlMs;

  CommandIssuer(CommandSigner signer, long ttlMs) {
    this.signer = signer;
    this.ttlMs = ttlMs;
  }

  static String newId() {
    return UUID.randomUUID().toString();
  }

  /**
   * The id of a rule's rung in one firing episode (named by the alert's since iteration and
   * time): the same on every daemon, so one that takes a job over after a crash recognises a
   * rung the earlier owner already sent, and the agent, which applies an id at most once,
   * never applies one rung twice.
   */
  static String rungId(String job, String rule, long sinceIter, long sinceTs, int rung) {
    String name = "th-rung\u0000" + job + "\u0000" + rule + "\u0000" + sinceIter + "\u0000"
        + sinceTs + "\u0000" + rung;
    return UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString();
  }

  /**
   * The signed command; throws {@link IllegalArgumentException} naming the problem when the
   * fields do not make a valid one (an unknown action, a parameter that is a list...).
   */
  Command issue(String id, String job, String run, String action, Map<String, Object> params,
      String reason, long nowMs) {
    String r = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
    return signer.sign(Command.builder()
        .id(id)
        .job(job)
        .run(run)
        .action(action)
        .params(params)
        .issued(nowMs)
        .expires(nowMs + ttlMs)
        .reason(r)
        .build());
  }
}
