package dev.traininghealth.daemon.evaluate;

import dev.traininghealth.rules.rule.ActionRequest;
import dev.traininghealth.rules.rule.Alert;
import dev.traininghealth.rules.rule.AlertChange;
import dev.traininghealth.rules.rule.AlertState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the world was last told about each job's alerts on {@code th.alerts}, and the gate every
 * alert change passes before it is published, so that a daemon that takes a job over (after a
 * crash or a rebalance) neither repeats nor loses what the earlier owner published.
 *
 * <p>The new owner rebuilds the job's rule state by replaying a bounded window of its events; a
 * window that starts in the middle of an episode can put an alert into pending or firing later,
 * or with another {@code since_iter}, than the first owner did. So the gate compares states, not
 * changes: a change to the state already published is not published again (a firing that is
 * already firing continues the published episode, under its {@code since_iter}); the rungs of an
 * action ladder that were already asked for are not asked for again; a resolve or a pending
 * that lapses is published only if the world thinks the alert is active; and going back from
 * firing to pending is not published (a replay window shorter than the rule needs does that).
 * Seeded from {@code th.alerts} when partitions are assigned, then kept by every publication.
 * Not thread-safe; owned by the evaluate verticle.
 */
final class PublishedAlerts {
  /** The state last published for one rule of one job, and the rungs of its firing episode. */
  private static final class Known {
    AlertState state;
    long sinceIter;
    long sinceTs;
    final Set<Integer> rungs = new HashSet<>();
  }

  /** What to do with a change: publish it, hand it to the act verticle only, or drop it. */
  static final class Admitted {
    private final AlertChange change;
    private final boolean publish;

    private Admitted(AlertChange change, boolean publish) {
      this.change = change;
      this.publish = publish;
    }

    /** The change as published: its {@code from} the published state, its episode's since. */
    AlertChange change() {
      return change;
    }

    /**
     * True: on {@code th.alerts} and the event bus. False: only on the event bus, marked
     * unpublished, for the act verticle, which sends a rung only once per command id.
     */
    boolean publish() {
      return publish;
    }
  }

  private final Map<String, Map<String, Known>> known = new HashMap<>();
  private final Map<String, Map<String, AlertChange>> replayed = new HashMap<>();

  /** Takes a record read back from {@code th.alerts} (oldest first); ignores what it cannot read. */
  void seen(JsonObject alert) {
    String job = alert.getString("job");
    String rule = alert.getString("rule");
    AlertState from = state(alert.getString("from"));
    AlertState to = state(alert.getString("to"));
    if (job == null || rule == null || from == null || to == null) {
      return;
    }
    List<Integer> rungs = new ArrayList<>();
    JsonArray actions = alert.getJsonArray("actions", new JsonArray());
    for (int i = 0; i < actions.size(); i++) {
      Object a = actions.getValue(i);
      if (a instanceof JsonObject o && o.getInteger("rung") != null) {
        rungs.add(o.getInteger("rung"));
      }
    }
    record(job, rule, from, to, alert.getLong("since_iter", 0L), alert.getLong("since_ts", 0L),
        rungs);
  }

  /** Remembers a change computed while replaying; only each rule's last one matters. */
  void replayed(AlertChange c) {
    replayed.computeIfAbsent(c.alert().job(), j -> new LinkedHashMap<>()).put(c.alert().rule(), c);
  }

  /**
   * The job's last replayed change per rule, forgotten here: once its partition has caught up,
   * each goes through {@link #admit}, which publishes what the earlier owner computed but did
   * not get onto {@code th.alerts} before it died.
   */
  List<AlertChange> drainReplayed(String job) {
    Map<String, AlertChange> m = replayed.remove(job);
    return m == null ? List.of() : new ArrayList<>(m.values());
  }

  /** Decides about a live change, and remembers it as published if it is; null: drop it. */
  Admitted admit(AlertChange c) {
    Alert a = c.alert();
    Known k = known(a.job(), a.rule());
    AlertState to = c.to();
    if (k == null) {
      // Nothing published: a resolve or lapse of an alert nobody heard of is noise.
      if (to == AlertState.RESOLVED || to == AlertState.INACTIVE) {
        return null;
      }
      return published(c);
    }
    AlertState p = k.state;
    switch (to) {
      case FIRING -> {
        if (p != AlertState.FIRING) {
          return published(AlertChange.of(p, a, c.actions()));
        }
        // Continues the published episode: under its since, with only the rungs not yet asked.
        Alert same = Alert.of(a.job(), a.rule(), a.severity(), AlertState.FIRING, k.sinceIter,
            k.sinceTs, a.value(), a.evidence());
        List<ActionRequest> fresh = new ArrayList<>(c.actions().size());
        for (ActionRequest r : c.actions()) {
          if (!k.rungs.contains(r.rung())) {
            fresh.add(r);
          }
        }
        if (!fresh.isEmpty()) {
          return published(AlertChange.of(AlertState.FIRING, same, fresh));
        }
        return c.actions().isEmpty() ? null
            : new Admitted(AlertChange.of(c.from(), same, c.actions()), false);
      }
      case PENDING -> {
        return p == AlertState.PENDING || p == AlertState.FIRING ? null
            : published(AlertChange.of(p, a));
      }
      case INACTIVE -> {
        return p == AlertState.PENDING ? published(AlertChange.of(p, a)) : null;
      }
      case RESOLVED -> {
        return p == AlertState.PENDING || p == AlertState.FIRING
            ? published(AlertChange.of(p, a)) : null;
      }
      default -> {
        return null;
      }
    }
  }

  /** Forgets a job whose state this daemon dropped (evicted, or its partition went elsewhere). */
  void forget(String job) {
    known.remove(job);
    replayed.remove(job);
  }

  /** The state last published for the rule of the job, or null. */
  AlertState state(String job, String rule) {
    Known k = known(job, rule);
    return k == null ? null : k.state;
  }

  private Admitted published(AlertChange c) {
    Alert a = c.alert();
    List<Integer> rungs = new ArrayList<>(c.actions().size());
    for (ActionRequest r : c.actions()) {
      rungs.add(r.rung());
    }
    record(a.job(), a.rule(), c.from(), c.to(), a.sinceIter(), a.sinceTs(), rungs);
    return new Admitted(c, true);
  }

  private void record(String job, String rule, AlertState from, AlertState to, long sinceIter,
      long sinceTs, List<Integer> rungs) {
    Known k = known.computeIfAbsent(job, j -> new HashMap<>()).computeIfAbsent(rule,
        r -> new Known());
    boolean sameEpisode = to == AlertState.FIRING && from == AlertState.FIRING
        && k.state == AlertState.FIRING;
    if (!sameEpisode) {
      k.rungs.clear();
      k.sinceIter = sinceIter;
      k.sinceTs = sinceTs;
    }
    k.state = to;
    k.rungs.addAll(rungs);
  }

  private Known known(String job, String rule) {
    Map<String, Known> m = known.get(job);
    return m == null ? null : m.get(rule);
  }

  private static AlertState state(String wire) {
    if (wire == null) {
      return null;
    }
    for (AlertState s : AlertState.values()) {
      if (s.wireName().equals(wire)) {
        return s;
      }
    }
    return null;
  }
}
