package dev.traininghealth.daemon.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.rule.ActionRequest;
import dev.traininghealth.rules.rule.Alert;
import dev.traininghealth.rules.rule.AlertChange;
import dev.traininghealth.rules.rule.AlertState;
import dev.traininghealth.rules.rule.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gate between computed alert changes and {@code th.alerts}, after a takeover. */
class PublishedAlertsTest {
  private static final String JOB = "j";
  private static final String RULE = "r";

  private static AlertChange change(AlertState from, AlertState to, long since, int... rungs) {
    Alert a = Alert.of(JOB, RULE, Severity.WARNING, to, since, since * 10, 1.0, "e");
    List<ActionRequest> actions = new java.util.ArrayList<>();
    for (int r : rungs) {
      actions.add(ActionRequest.of(RULE, r, r == 0 ? "checkpoint" : "swa_start", Map.of()));
    }
    return AlertChange.of(from, a, actions);
  }

  /** What the earlier owner published, as read back from th.alerts. */
  private static PublishedAlerts told(AlertChange... changes) {
    PublishedAlerts p = new PublishedAlerts();
    for (AlertChange c : changes) {
      p.seen(AlertJson.of(c, 0));
    }
    return p;
  }

  @Test
  void repeatsNoStateTheWorldWasAlreadyTold() {
    PublishedAlerts p = told(change(AlertState.INACTIVE, AlertState.PENDING, 20));
    assertNull(p.admit(change(AlertState.INACTIVE, AlertState.PENDING, 25)));
    PublishedAlerts.Admitted fired = p.admit(change(AlertState.PENDING, AlertState.FIRING, 50, 0));
    assertTrue(fired.publish());
    assertEquals(AlertState.FIRING, p.state(JOB, RULE));
    assertNull(p.admit(change(AlertState.INACTIVE, AlertState.PENDING, 60)),
        "back from firing to pending is what a short replay window does, not news");
  }

  @Test
  void aFiringAlreadyPublishedContinuesItsEpisodeWithTheRungsNotYetAskedFor() {
    PublishedAlerts p = told(change(AlertState.PENDING, AlertState.FIRING, 30, 0));
    // A replay that began mid-episode fires later; rung 0 was already asked for.
    PublishedAlerts.Admitted again = p.admit(change(AlertState.PENDING, AlertState.FIRING, 35, 0));
    assertFalse(again.publish(), "only the act verticle hears it, to check the command id");
    assertEquals(30, again.change().alert().sinceIter(), "under the published episode");
    PublishedAlerts.Admitted next = p.admit(change(AlertState.FIRING, AlertState.FIRING, 35, 1));
    assertTrue(next.publish());
    assertEquals(30, next.change().alert().sinceIter());
    assertEquals(300, next.change().alert().sinceTs());
    assertEquals(List.of(1), next.change().actions().stream().map(ActionRequest::rung).toList());
    assertFalse(p.admit(change(AlertState.FIRING, AlertState.FIRING, 35, 1)).publish(),
        "rung 1 is asked for once");
  }

  @Test
  void theLastReplayedChangeTheEarlierOwnerDidNotPublishIsPublishedOnce() {
    PublishedAlerts p = told(change(AlertState.INACTIVE, AlertState.PENDING, 20));
    p.replayed(change(AlertState.INACTIVE, AlertState.PENDING, 20));
    p.replayed(change(AlertState.PENDING, AlertState.FIRING, 50, 0));
    List<AlertChange> last = p.drainReplayed(JOB);
    assertEquals(1, last.size());
    PublishedAlerts.Admitted a = p.admit(last.get(0));
    assertTrue(a.publish());
    assertEquals(AlertState.PENDING, a.change().from());
    assertTrue(p.drainReplayed(JOB).isEmpty());
    assertFalse(p.admit(change(AlertState.PENDING, AlertState.FIRING, 50, 0)).publish());
  }

  @Test
  void resolvesOnlyWhatTheWorldThinksActive() {
    PublishedAlerts p = new PublishedAlerts();
    assertNull(p.admit(change(AlertState.FIRING, AlertState.RESOLVED, 70)),
        "nobody was told it fired");
    assertTrue(p.admit(change(AlertState.INACTIVE, AlertState.FIRING, 10, 0)).publish());
    assertTrue(p.admit(change(AlertState.FIRING, AlertState.RESOLVED, 70)).publish());
    assertNull(p.admit(change(AlertState.FIRING, AlertState.RESOLVED, 71)));
    assertTrue(p.admit(change(AlertState.RESOLVED, AlertState.PENDING, 90)).publish(),
        "a new episode after the resolve is news");
  }

  @Test
  void forgetsAJobThatLeft() {
    PublishedAlerts p = told(change(AlertState.INACTIVE, AlertState.PENDING, 20));
    p.forget(JOB);
    assertNull(p.state(JOB, RULE));
    assertTrue(p.admit(change(AlertState.INACTIVE, AlertState.PENDING, 20)).publish());
  }
}
