package dev.traininghealth.daemon.act;

import dev.traininghealth.daemon.act.ActionRecord.Source;
import dev.traininghealth.daemon.act.ActionRecord.Verdict;
import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.rule.ActionRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which actions become commands and keeps what was decided, per job: the records (the
 * last {@code history}), each alert firing's rungs, the budget and the cooldowns, and recent
 * losses to judge whether an action helped. A pure function of its inputs and the clock values
 * passed in, so tests need neither Kafka nor sleeping; the verticle publishes what it returns.
 * At most {@code jobsMax} jobs, least recently seen evicted. Not thread-safe.
 *
 * <p>The rules decide when the next rung is due ({@code escalate_after}); the ledger sends it
 * only if the previous rung is judged not to have helped, holding it until that verdict is in
 * when it is not yet, and never sends a rung twice in one firing.
 *
 * <p>One change at a time per job: a rung that nudges the run where it is ({@link #NUDGES}) of a
 * rule that is not critical waits while another rule's change ({@link #CHANGES}) is younger than
 * the verify window, and goes out after it only if its alert is still firing then. The waiting
 * alert's evidence was gathered before that change: a plateau window that began before a
 * curvature step still counts the saddle as stalled while the escaped run gathers speed, and a
 * tenfold kick on top of the step blew the run up. Restarts and rollbacks do not wait (they
 * replace the state the other change was judged on), nor do critical alerts (a run blowing up
 * needs its rollback and learning-rate cut now), nor a person's request through the API. A
 * restart whose alert began before another rule's restart is not sent at all: two rules that
 * see one bad draw (dead units, and the batch those units no longer see) would otherwise throw
 * away the fresh draw too.
 */
final class ActionLedger {
  static final long BUDGET_WINDOW_MS = 3_600_000;
  static final int SENT_BEFORE_MAX = 100_000;
  /** Actions that change where the run goes: other rules' evidence predates them. */
  static final Set<String> CHANGES = Set.of("lr_kick", "lr_scale", "curvature_step", "restart",
      "swa_apply", "reinit_units");
  /** Actions that build on the run's current state, so they wait for another change to show. */
  static final Set<String> NUDGES = Set.of("lr_kick", "lr_scale", "curvature_step",
      "reinit_units");

  private final CommandIssuer issuer;
  private final int budget;
  private final long cooldownMs;
  private final int verifyIterations;
  private final int history;
  private final int jobsMax;
  private final LinkedHashMap<String, JobActions> jobs = new LinkedHashMap<>(64, 0.75f, true);
  private final Map<String, ActionRecord> byId = new HashMap<>();
  // Ids already on th.commands when this daemon took jobs over; oldest dropped beyond the cap.
  private final Set<String> sentBefore = java.util.Collections.newSetFromMap(
      new LinkedHashMap<String, Boolean>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > SENT_BEFORE_MAX;
        }
      });

  /** {@code issuer} null: there is no key, and every action is recorded as not sent. */
  ActionLedger(CommandIssuer issuer, int budget, long cooldownMs, int verifyIterations,
      int history, int jobsMax) {
    this.issuer = issuer;
    this.budget = budget;
    this.cooldownMs = cooldownMs;
    this.verifyIterations = verifyIterations;
    this.history = history;
    this.jobsMax = jobsMax;
  }

  /** A rung that came due but waits, with the alert change that asked for it. */
  private record Held(AlertUpdate update, ActionRequest rung) {}

  /**
   * One alert firing of one rule: which rungs it tried, its last record, and the rungs held
   * back, in ladder order: a rung never overtakes one that came due before it.
   */
  private static final class Episode {
    final Set<Integer> tried = new HashSet<>();
    final ArrayDeque<Held> held = new ArrayDeque<>(1);
    ActionRecord last;
    /** The first held rung waits for another rule's change to show, not for {@link #last}. */
    boolean settling;
  }

  private static final class JobActions {
    final String job;
    final LossWindow losses = new LossWindow();
    final ArrayDeque<ActionRecord> records = new ArrayDeque<>();
    final List<ActionRecord> pending = new ArrayList<>(2);
    final Map<String, Episode> episodes = new HashMap<>();
    final ArrayDeque<Long> sentMs = new ArrayDeque<>();
    final Map<String, Long> lastSentMsByAction = new HashMap<>();
    final List<Episode> settling = new ArrayList<>(1);
    /** The last change sent to the job (a {@link #CHANGES} action), or null. */
    ActionRecord lastChange;

    JobActions(String job) {
      this.job = job;
    }
  }

  // ------------------------------------------------------------------ inputs

  /**
   * Ids of commands already on {@code th.commands} (read back when partitions were assigned): a
   * rung with one of these ids is recorded as {@link NotSent#ALREADY_SENT}, not sent again.
   */
  void sentBefore(Iterable<String> ids) {
    for (String id : ids) {
      sentBefore.add(id);
    }
  }

  /** An alert changed; returns the records decided now (to publish, or not sent). */
  List<ActionRecord> onAlert(AlertUpdate u, long nowMs) {
    JobActions j = job(u.job());
    List<ActionRecord> out = new ArrayList<>(1);
    if (!u.firing()) {
      Episode e = j.episodes.remove(u.rule());
      if (e != null) {
        j.settling.remove(e);
        for (Held h : e.held) {
          out.add(notSent(j, h.rung(), u, NotSent.RESOLVED, "the alert went " + u.to()
              + " while this rung waited for " + (e.settling ? "another rule's change to show"
                  : "the last one's verdict"), nowMs));
        }
      }
      if ("resolved".equals(u.to()) && !u.retired()) {
        for (ActionRecord r : new ArrayList<>(j.pending)) {
          if (r.rule().equals(u.rule()) && r.alertResolved(j.losses.lastIter())) {
            j.pending.remove(r);
          }
        }
      }
      return out;
    }
    Episode e = u.wasFiring() ? j.episodes.get(u.rule()) : null;
    if (e == null) {
      e = new Episode();
      j.episodes.put(u.rule(), e);
    }
    for (ActionRequest a : u.actions()) {
      ActionRecord r = rung(j, e, u, a, nowMs);
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  private ActionRecord rung(JobActions j, Episode e, AlertUpdate u, ActionRequest a, long nowMs) {
    if (!e.tried.add(a.rung())) {
      return notSent(j, a, u, NotSent.DUPLICATE_RUNG, "rung " + a.rung()
          + " was already tried in this firing", nowMs);
    }
    if (!e.held.isEmpty()) {
      e.held.addLast(new Held(u, a)); // behind the rungs that came due before it
      return null;
    }
    ActionRecord prev = e.last;
    if (a.rung() > 0 && prev != null) {
      if (prev.verdict() == Verdict.PENDING) {
        e.held.addLast(new Held(u, a)); // sent or dropped when prev's verdict comes in
        return null;
      }
      if (prev.verdict() == Verdict.HELPED) {
        return notSent(j, a, u, NotSent.HELPED, "rung " + prev.rung() + " (" + prev.action()
            + ") helped", nowMs);
      }
    }
    if (waitsForChange(j, u, a)) {
      e.held.addLast(new Held(u, a));
      settle(j, e);
      return null;
    }
    ActionRecord c = j.lastChange;
    if (!u.critical() && "restart".equals(a.action()) && c != null && "restart".equals(c.action())
        && c.source() == Source.RULE && !c.rule().equals(a.rule())
        && c.verdict() != Verdict.NOT_APPLIED && c.changedIter() >= u.sinceIter()) {
      ActionRecord r = notSent(j, a, u, NotSent.SUPERSEDED, "rule " + c.rule() + " restarted the"
          + " job at iteration " + c.changedIter() + ", after this alert began at " + u.sinceIter(),
          nowMs);
      e.last = r;
      return r;
    }
    ActionRecord r = decide(j, rungId(u, a), Source.RULE, a.rule(), a.rung(), a.action(),
        a.params(), "", reason(u, a), nowMs);
    e.last = r;
    return r;
  }

  /** True while another rule's change to this job is younger than the verify window. */
  private boolean waitsForChange(JobActions j, AlertUpdate u, ActionRequest a) {
    ActionRecord c = j.lastChange;
    return !u.critical() && NUDGES.contains(a.action()) && c != null
        && !(c.source() == Source.RULE && c.rule().equals(a.rule()))
        && c.verdict() != Verdict.NOT_APPLIED
        && j.losses.lastIter() < c.changedIter() + verifyIterations;
  }

  private static void settle(JobActions j, Episode e) {
    if (!e.settling) {
      e.settling = true;
      j.settling.add(e);
    }
  }

  /**
   * An action asked for through the API; the record to publish, or {@link ActionRefused} with
   * the HTTP status and why. The API is not held to the cooldown (a person decided), but to the
   * budget.
   */
  ActionRecord request(String job, String run, String action, Map<String, Object> params,
      String reason, long nowMs) throws ActionRefused {
    if (issuer == null) {
      throw new ActionRefused(503, NotSent.NO_KEY,
          "the daemon has no command key (th.daemon.commands.key): it cannot sign commands");
    }
    JobActions j = job(job);
    ActionRecord r = decide(j, CommandIssuer.newId(), Source.API, "", -1, action, params, run,
        reason.isEmpty() ? "api" : "api: " + reason, nowMs);
    if (r.notSentReason() == NotSent.OVER_BUDGET) {
      throw new ActionRefused(429, NotSent.OVER_BUDGET, "job '" + job + "' has used its budget"
          + " of " + budget + " actions per hour");
    }
    if (r.notSentReason() != null) {
      throw new ActionRefused(400, r.notSentReason(), r.toJson(null).getString("not_sent_detail"));
    }
    return r;
  }

  /** Events of any job, in order; returns held-back rungs that were decided now. */
  List<ActionRecord> onEvent(Event ev, long nowMs) {
    JobActions j;
    if (ev instanceof Iteration it) {
      j = job(ev.job());
      j.losses.add(it.iter(), it.loss());
      if (j.pending.isEmpty() && j.settling.isEmpty()) {
        return List.of();
      }
      List<ActionRecord> out = new ArrayList<>(0);
      for (ActionRecord r : new ArrayList<>(j.pending)) {
        if (r.observe(it.iter(), it.loss(), verifyIterations)) {
          settled(j, r, out, nowMs);
        }
      }
      for (Episode e : new ArrayList<>(j.settling)) {
        Held h = e.held.peekFirst();
        if (h == null || !waitsForChange(j, h.update(), h.rung())) {
          j.settling.remove(e);
          e.settling = false;
          release(j, e, out, nowMs);
        }
      }
      return out;
    }
    if (ev instanceof ActionResult res) {
      ActionRecord r = byId.get(res.commandId());
      j = r == null ? null : jobs.get(r.job());
      if (j == null || !r.job().equals(res.job())) {
        return List.of();
      }
      List<ActionRecord> out = new ArrayList<>(0);
      if (r.result(res.outcome().wireName(), res.reason(), res.iter())) {
        settled(j, r, out, nowMs);
      }
      return out;
    }
    return List.of();
  }

  /** Kafka did not take the command; returns held-back rungs that were decided now. */
  List<ActionRecord> publishFailed(ActionRecord r, String why, long nowMs) {
    r.notSent(NotSent.PUBLISH_FAILED, why);
    JobActions j = jobs.get(r.job());
    List<ActionRecord> out = new ArrayList<>(0);
    if (j != null) {
      settled(j, r, out, nowMs);
    }
    return out;
  }

  // ------------------------------------------------------------------ queries

  /** The job's records, oldest first. */
  List<ActionRecord> history(String job) {
    JobActions j = jobs.get(job);
    return j == null ? List.of() : new ArrayList<>(j.records);
  }

  ActionRecord byId(String id) {
    return byId.get(id);
  }

  // ------------------------------------------------------------------ deciding

  private void settled(JobActions j, ActionRecord r, List<ActionRecord> out, long nowMs) {
    j.pending.remove(r);
    if (r.source() != Source.RULE) {
      return;
    }
    Episode e = j.episodes.get(r.rule());
    if (e == null || e.last != r || e.held.isEmpty() || e.settling) {
      return;
    }
    if (r.verdict() == Verdict.HELPED) {
      for (Held h; (h = e.held.pollFirst()) != null; ) {
        out.add(notSent(j, h.rung(), h.update(), NotSent.HELPED, "rung " + r.rung() + " ("
            + r.action() + ") helped", nowMs));
      }
      return;
    }
    release(j, e, out, nowMs);
  }

  /**
   * Sends the episode's held rungs in order until one is sent (the rest wait for its verdict),
   * or another rule's change makes the first wait (again).
   */
  private void release(JobActions j, Episode e, List<ActionRecord> out, long nowMs) {
    for (Held h; (h = e.held.peekFirst()) != null; ) {
      if (waitsForChange(j, h.update(), h.rung())) {
        settle(j, e);
        return;
      }
      e.held.pollFirst();
      ActionRequest a = h.rung();
      ActionRecord next = decide(j, rungId(h.update(), a), Source.RULE, a.rule(), a.rung(),
          a.action(), a.params(), "", reason(h.update(), a), nowMs);
      e.last = next;
      out.add(next);
      if (next.verdict() == Verdict.PENDING) {
        return;
      }
    }
  }

  private static String rungId(AlertUpdate u, ActionRequest a) {
    return CommandIssuer.rungId(u.job(), a.rule(), u.sinceIter(), u.sinceTs(), a.rung());
  }

  private ActionRecord decide(JobActions j, String id, Source source, String rule, int rung,
      String action, Map<String, Object> params, String run, String reason, long nowMs) {
    ActionRecord r = new ActionRecord(id, j.job, action, params, source, rule, rung, reason,
        nowMs);
    add(j, r);
    if (sentBefore.contains(id)) {
      r.notSent(NotSent.ALREADY_SENT, "command " + id + " is already on th.commands: an earlier"
          + " owner of this job sent it");
      return r;
    }
    if (issuer == null) {
      r.notSent(NotSent.NO_KEY, "no th.daemon.commands.key to sign it with");
      return r;
    }
    Command c;
    try {
      c = issuer.issue(r.id(), r.job(), run, action, params, reason, nowMs);
    } catch (IllegalArgumentException ex) {
      r.notSent(NotSent.INVALID, ex.getMessage());
      return r;
    }
    Long last = j.lastSentMsByAction.get(action);
    if (source == Source.RULE && last != null && nowMs - last < cooldownMs) {
      r.notSent(NotSent.COOLDOWN, action + " went to this job " + (nowMs - last)
          + " ms ago; the cooldown is " + cooldownMs + " ms");
      return r;
    }
    while (!j.sentMs.isEmpty() && nowMs - j.sentMs.peekFirst() >= BUDGET_WINDOW_MS) {
      j.sentMs.pollFirst();
    }
    if (j.sentMs.size() >= budget) {
      r.notSent(NotSent.OVER_BUDGET, j.sentMs.size() + " actions in the last hour; the budget is "
          + budget);
      return r;
    }
    j.sentMs.addLast(nowMs);
    j.lastSentMsByAction.put(action, nowMs);
    r.toSend(c, j.losses.lastIter(), j.losses.recovery());
    j.pending.add(r);
    if (CHANGES.contains(action)) {
      j.lastChange = r;
    }
    return r;
  }

  private ActionRecord notSent(JobActions j, ActionRequest a, AlertUpdate u, NotSent why,
      String detail, long nowMs) {
    ActionRecord r = new ActionRecord(CommandIssuer.newId(), u.job(), a.action(), a.params(),
        Source.RULE, a.rule(), a.rung(), reason(u, a), nowMs);
    r.notSent(why, detail);
    add(j, r);
    return r;
  }

  private static String reason(AlertUpdate u, ActionRequest a) {
    return "rule " + a.rule() + " rung " + a.rung() + " (" + a.action() + "), alert firing since"
        + " iteration " + u.sinceIter() + ": " + u.evidence();
  }

  private void add(JobActions j, ActionRecord r) {
    j.records.addLast(r);
    byId.put(r.id(), r);
    while (j.records.size() > history) {
      ActionRecord old = j.records.pollFirst();
      byId.remove(old.id());
      j.pending.remove(old);
    }
  }

  private JobActions job(String job) {
    JobActions j = jobs.get(job);
    if (j != null) {
      return j;
    }
    if (jobs.size() >= jobsMax) {
      Iterator<Map.Entry<String, JobActions>> it = jobs.entrySet().iterator();
      Map.Entry<String, JobActions> eldest = it.next();
      it.remove();
      for (ActionRecord r : eldest.getValue().records) {
        byId.remove(r.id());
      }
    }
    j = new JobActions(job);
    jobs.put(job, j);
    return j;
  }
}
