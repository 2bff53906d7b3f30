package dev.traininghealth.daemon.act;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.daemon.act.ActionRecord.Verdict;
import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandSigner;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.rule.ActionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ledger's decisions, fed by hand: no Kafka, no Vert.x, no sleeping. */
class ActionLedgerTest {
  private static final String KEY = "0123456789abcdef-ledger";
  private static final CommandSigner SIGNER = CommandSigner.withKey(KEY);
  private static final int K = 20;

  private static ActionLedger ledger(int budget, long cooldownMs) {
    return new ActionLedger(new CommandIssuer(SIGNER, 60_000), budget, cooldownMs, K, 50, 100);
  }

  private static AlertUpdate alert(String job, String from, String to, ActionRequest... rungs) {
    return new AlertUpdate(job, "nonfinite", from, to, 1, "loss is NaN at iteration 1",
        List.of(rungs));
  }

  private static ActionRequest rollback() {
    return ActionRequest.of("nonfinite", 0, "rollback", Map.of());
  }

  private static ActionRequest restart() {
    return ActionRequest.of("nonfinite", 1, "restart", Map.of("from", "best"));
  }

  private static Iteration iteration(String job, long iter, double loss) {
    return Iteration.builder(Header.of(job, "r", iter, 0, iter, 0, null)).loss(loss).build();
  }

  private static ActionResult applied(String job, String commandId, long iter) {
    return ActionResult.of(Header.of(job, "r", 10_000 + iter, 0, iter, 0, null), commandId,
        "rollback", ActionResult.Outcome.APPLIED, "rolled back one step");
  }

  /** Feeds iterations from..to with one loss; returns what the ledger decided meanwhile. */
  private static List<ActionRecord> iterations(ActionLedger l, String job, long from, long to,
      double loss) {
    List<ActionRecord> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.addAll(l.onEvent(iteration(job, i, loss), 0));
    }
    return out;
  }

  /** Losses of 0.5 over iterations 1..40, a plateau alert's kick, applied at 41. */
  private static ActionRecord kickAppliedAt41(ActionLedger l, String job) {
    iterations(l, job, 1, 40, 0.5);
    ActionRequest kick = ActionRequest.of("plateau", 0, "lr_kick", Map.of("factor", 10));
    ActionRecord r = l.onAlert(new AlertUpdate(job, "plateau", "pending", "firing", 40, "flat",
        List.of(kick)), 0).get(0);
    l.onEvent(ActionResult.of(Header.of(job, "r", 99, 0, 41, 0, null), r.id(), "lr_kick",
        ActionResult.Outcome.APPLIED, ""), 0);
    return r;
  }

  @Test
  void aFiringAlertWithALadderBecomesASignedCommandForItsFirstRung() {
    ActionLedger l = ledger(10, 0);
    l.onEvent(iteration("j", 1, Double.NaN), 0);
    List<ActionRecord> out = l.onAlert(alert("j", "inactive", "firing", rollback()), 1_000);
    assertEquals(1, out.size());
    Command c = out.get(0).command();
    assertEquals("rollback", c.action());
    assertEquals("j", c.job());
    assertEquals(1_000, c.issued());
    assertEquals(61_000, c.expires());
    assertTrue(c.reason().contains("nonfinite") && c.reason().contains("loss is NaN"),
        c.reason());
    assertTrue(SIGNER.verify(c), "signature does not verify with the shared key");
    assertEquals(1, out.get(0).sentIter());
  }

  @Test
  void aRungIsNeverSentTwiceInOneFiring() {
    ActionLedger l = ledger(10, 0);
    AlertUpdate fire = alert("j", "inactive", "firing", rollback());
    assertTrue(l.onAlert(fire, 0).get(0).command() != null);
    AlertUpdate again = alert("j", "firing", "firing", rollback());
    ActionRecord dup = l.onAlert(again, 0).get(0);
    assertNull(dup.command());
    assertEquals(NotSent.DUPLICATE_RUNG, dup.notSentReason());
  }

  @Test
  void theNextRungWaitsForKIterationsWithoutRecoveryAfterTheLastWasApplied() {
    ActionLedger l = ledger(10, 0);
    l.onEvent(iteration("j", 1, Double.NaN), 0);
    ActionRecord first = l.onAlert(alert("j", "inactive", "firing", rollback()), 0).get(0);
    l.onEvent(applied("j", first.id(), 2), 0);
    // The rules escalate before the verdict is in: the rung is held, not sent.
    assertEquals(List.of(), iterations(l, "j", 3, 10, Double.NaN));
    assertEquals(List.of(), l.onAlert(alert("j", "firing", "firing", restart()), 0));
    assertEquals(List.of(), iterations(l, "j", 11, 2 + K - 1, Double.NaN));
    List<ActionRecord> released = iterations(l, "j", 2 + K, 2 + K, Double.NaN);
    assertEquals(1, released.size());
    assertEquals("restart", released.get(0).command().action());
    assertEquals(2 + K, released.get(0).sentIter());
    assertEquals(Verdict.NOT_HELPED, first.verdict());
    // A repeat of the escalation does not send the rung again.
    assertEquals(NotSent.DUPLICATE_RUNG,
        l.onAlert(alert("j", "firing", "firing", restart()), 0).get(0).notSentReason());
  }

  @Test
  void anAlertRetiredByARestartLeavesTheVerdictToTheLosses() {
    ActionLedger l = ledger(10, 0);
    ActionRecord r = kickAppliedAt41(l, "j");
    l.onAlert(new AlertUpdate("j", "plateau", "firing", "resolved", 45,
        dev.traininghealth.rules.rule.Alert.RETIRED + "the run was restarted at iteration 45",
        List.of()), 0);
    assertEquals(Verdict.PENDING, r.verdict(), "a retirement is not a recovery");
    iterations(l, "j", 46, 41 + K, 0.5);
    assertEquals(Verdict.NOT_HELPED, r.verdict(), "the losses did not fall");
  }

  @Test
  void aRungThatHelpedEndsTheLadder() {
    ActionLedger l = ledger(10, 0);
    l.onEvent(iteration("j", 1, Double.NaN), 0);
    ActionRecord first = l.onAlert(alert("j", "inactive", "firing", rollback()), 0).get(0);
    l.onEvent(applied("j", first.id(), 2), 0);
    iterations(l, "j", 3, 3, 0.7);
    assertEquals(Verdict.HELPED, first.verdict());
    ActionRecord next = l.onAlert(alert("j", "firing", "firing", restart()), 0).get(0);
    assertEquals(NotSent.HELPED, next.notSentReason());
  }

  @Test
  void aPlateauActionHelpsOnlyWhenTheLossFallsBelowItsStalledLevel() {
    ActionLedger l = ledger(10, 0);
    ActionRecord r = kickAppliedAt41(l, "p");
    iterations(l, "p", 42, 50, 0.5);
    assertEquals(Verdict.PENDING, r.verdict());
    iterations(l, "p", 51, 51, 0.497);
    assertEquals(Verdict.PENDING, r.verdict(), "0.6% under the stalled level is noise");
    iterations(l, "p", 52, 52, 0.49);
    assertEquals(Verdict.HELPED, r.verdict());
  }

  @Test
  void aRejectedCommandLetsTheNextRungGoAtOnce() {
    ActionLedger l = ledger(10, 0);
    ActionRecord first = l.onAlert(alert("j", "inactive", "firing", rollback()), 0).get(0);
    assertEquals(List.of(), l.onAlert(alert("j", "firing", "firing", restart()), 0));
    List<ActionRecord> released = l.onEvent(ActionResult.of(Header.of("j", "r", 5, 0, 5, 0,
        null), first.id(), "rollback", ActionResult.Outcome.REJECTED, "bad signature"), 0);
    assertEquals("restart", released.get(0).command().action());
    assertEquals(Verdict.NOT_APPLIED, first.verdict());
  }

  @Test
  void theBudgetStopsCommandsFromRulesAndTheApi() throws Exception {
    ActionLedger l = ledger(1, 0);
    assertTrue(l.onAlert(alert("j", "inactive", "firing", rollback()), 0).get(0).command()
        != null);
    ActionRefused e = assertThrows(ActionRefused.class,
        () -> l.request("j", "", "lr_kick", Map.of(), "try", 1_000));
    assertEquals(429, e.status());
    // Another job has its own budget, and an hour later this one has again.
    assertTrue(l.request("k", "", "lr_kick", Map.of(), "", 1_000).command() != null);
    l.onAlert(alert("j", "firing", "resolved"), 0);
    ActionRecord later = l.onAlert(alert("j", "resolved", "firing", rollback()),
        ActionLedger.BUDGET_WINDOW_MS).get(0);
    assertTrue(later.command() != null, String.valueOf(later.notSentReason()));
    l.onAlert(alert("j", "firing", "resolved"), 0);
    ActionRecord over = l.onAlert(alert("j", "resolved", "firing", rollback()),
        ActionLedger.BUDGET_WINDOW_MS).get(0);
    assertEquals(NotSent.OVER_BUDGET, over.notSentReason());
  }

  @Test
  void theSameActionWaitsForItsCooldownAcrossFirings() {
    ActionLedger l = ledger(10, 60_000);
    assertTrue(l.onAlert(alert("j", "inactive", "firing", rollback()), 0).get(0).command()
        != null);
    l.onAlert(alert("j", "firing", "resolved"), 1_000);
    ActionRecord soon = l.onAlert(alert("j", "resolved", "firing", rollback()), 30_000).get(0);
    assertEquals(NotSent.COOLDOWN, soon.notSentReason());
    l.onAlert(alert("j", "firing", "resolved"), 31_000);
    assertTrue(l.onAlert(alert("j", "resolved", "firing", rollback()), 60_000).get(0).command()
        != null);
  }

  @Test
  void withoutAKeyActionsAreRecordedAsNotSent() {
    ActionLedger l = new ActionLedger(null, 10, 0, K, 50, 100);
    ActionRecord r = l.onAlert(alert("j", "inactive", "firing", rollback()), 0).get(0);
    assertEquals(NotSent.NO_KEY, r.notSentReason());
    assertEquals("not_sent", r.toJson(null).getString("status"));
    ActionRefused e = assertThrows(ActionRefused.class,
        () -> l.request("j", "", "stop", Map.of(), "", 0));
    assertEquals(503, e.status());
  }

  @Test
  void historyIsBoundedPerJob() {
    ActionLedger l = new ActionLedger(new CommandIssuer(SIGNER, 60_000), 100, 0, K, 3, 100);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(l.onAlert(alert("j", "inactive", "firing", rollback()), i).get(0).id());
      l.onAlert(alert("j", "firing", "resolved"), i);
    }
    assertEquals(3, l.history("j").size());
    assertNull(l.byId(ids.get(0)));
    assertEquals(ids.get(4), l.history("j").get(2).id());
  }

  @Test
  void aRungHasTheSameIdOnEveryDaemonAndOneAlreadySentIsNotSentAgain() {
    ActionLedger first = ledger(10, 0);
    ActionRecord sent = first.onAlert(alert("j", "inactive", "firing", rollback()), 1_000).get(0);
    // A daemon that takes the job over computes the same firing and reads th.commands back.
    ActionLedger next = ledger(10, 0);
    next.sentBefore(List.of(sent.id()));
    ActionRecord again = next.onAlert(alert("j", "pending", "firing", rollback()), 9_000).get(0);
    assertEquals(sent.id(), again.id());
    assertEquals(NotSent.ALREADY_SENT, again.notSentReason());
    assertNull(again.command());
    // The ladder goes on under the same episode: rung 1 is new, so it is sent.
    ActionRecord rung1 = next.onAlert(alert("j", "firing", "firing", restart()), 9_500).get(0);
    assertNull(rung1.notSentReason());
    assertEquals("restart", rung1.command().action());
    assertTrue(!rung1.id().equals(sent.id()));
    // Another episode (another since) gets other ids.
    AlertUpdate later = new AlertUpdate("j", "nonfinite", "resolved", "firing", 500, 5_000, "x",
        List.of(rollback()));
    assertTrue(!ledger(10, 0).onAlert(later, 20_000).get(0).id().equals(sent.id()));
  }

  private static AlertUpdate firing(String rule, long since, String severity,
      ActionRequest rung) {
    return new AlertUpdate("s", rule, "pending", "firing", since, since, "flat", List.of(rung),
        severity);
  }

  private static ActionRecord appliedCurvatureStep(ActionLedger l) {
    iterations(l, "s", 1, 100, 0.5);
    ActionRecord step = l.onAlert(firing("saddle-rescue", 100, "warning",
        ActionRequest.of("saddle-rescue", 0, "curvature_step", Map.of("step", 1.0))), 0).get(0);
    l.onEvent(ActionResult.of(Header.of("s", "r", 9_001, 0, 101, 0, null), step.id(),
        "curvature_step", ActionResult.Outcome.APPLIED, "stepped"), 0);
    return step;
  }

  @Test
  void aKickWaitsForAnotherRulesChangeToShowAndGoesOutIfItsAlertStillFires() {
    ActionLedger l = ledger(10, 0);
    appliedCurvatureStep(l);
    ActionRequest kick = ActionRequest.of("plateau-kick", 0, "lr_kick", Map.of("factor", 10));
    assertEquals(List.of(), l.onAlert(firing("plateau-kick", 90, "warning", kick), 0),
        "the plateau's evidence predates the curvature step");
    assertEquals(List.of(), iterations(l, "s", 101, 101 + K - 1, 0.5));
    List<ActionRecord> out = iterations(l, "s", 101 + K, 101 + K, 0.5);
    assertEquals(1, out.size(), "still flat a verify window after the step: the kick goes");
    assertEquals("lr_kick", out.get(0).command().action());
    assertEquals(101 + K, out.get(0).sentIter());
  }

  @Test
  void aWaitingKickIsDroppedWhenItsAlertResolvesMeanwhile() {
    ActionLedger l = ledger(10, 0);
    appliedCurvatureStep(l);
    ActionRequest kick = ActionRequest.of("plateau-kick", 0, "lr_kick", Map.of("factor", 10));
    l.onAlert(firing("plateau-kick", 90, "warning", kick), 0);
    iterations(l, "s", 101, 110, 0.4);
    List<ActionRecord> out = l.onAlert(new AlertUpdate("s", "plateau-kick", "firing", "resolved",
        90, 90, "", List.of(), "warning"), 0);
    assertEquals(NotSent.RESOLVED, out.get(0).notSentReason());
    assertTrue(out.get(0).toJson(null).getString("not_sent_detail").contains("another rule"),
        out.get(0).toJson(null).toString());
    assertEquals(List.of(), iterations(l, "s", 111, 200, 0.3), "nothing is sent later");
  }

  @Test
  void restartsCriticalAlertsAndTheApiDoNotWaitForAnotherChange() {
    ActionLedger l = ledger(10, 0);
    appliedCurvatureStep(l);
    ActionRecord cut = l.onAlert(firing("exploding-lr-cut", 105, "critical",
        ActionRequest.of("exploding-lr-cut", 0, "lr_scale", Map.of("factor", 0.1))), 0).get(0);
    assertEquals("lr_scale", cut.command().action());
    ActionRecord restart = l.onAlert(firing("plateau-restart", 105, "warning",
        ActionRequest.of("plateau-restart", 0, "restart", Map.of("from", "init"))), 0).get(0);
    assertEquals("restart", restart.command().action());
    ActionRecord api = assertDoesNotThrow(() -> l.request("s", "", "lr_kick", Map.of(), "", 0));
    assertEquals("lr_kick", api.command().action());
  }

  @Test
  void aRejectedChangeHoldsNothingBack() {
    ActionLedger l = ledger(10, 0);
    iterations(l, "s", 1, 100, 0.5);
    ActionRecord step = l.onAlert(firing("saddle-rescue", 100, "warning",
        ActionRequest.of("saddle-rescue", 0, "curvature_step", Map.of("step", 1.0))), 0).get(0);
    l.onEvent(ActionResult.of(Header.of("s", "r", 9_001, 0, 101, 0, null), step.id(),
        "curvature_step", ActionResult.Outcome.REJECTED, "not allowed"), 0);
    ActionRequest kick = ActionRequest.of("plateau-kick", 0, "lr_kick", Map.of("factor", 10));
    assertEquals("lr_kick", l.onAlert(firing("plateau-kick", 90, "warning", kick), 0).get(0)
        .command().action());
  }

  @Test
  void aLaterRungOfAWaitingLadderGoesOnlyAfterTheWaitingOneAndItsVerdict() {
    ActionLedger l = ledger(10, 0);
    iterations(l, "s", 1, 100, 0.5);
    ActionRecord kick = l.onAlert(firing("plateau-kick", 100, "warning",
        ActionRequest.of("plateau-kick", 0, "lr_kick", Map.of("factor", 10))), 0).get(0);
    l.onEvent(ActionResult.of(Header.of("s", "r", 9_001, 0, 101, 0, null), kick.id(),
        "lr_kick", ActionResult.Outcome.APPLIED, "kicked"), 0);
    AlertUpdate saddle = firing("saddle-rescue", 105, "warning",
        ActionRequest.of("saddle-rescue", 0, "curvature_step", Map.of("step", 1.0)));
    assertEquals(List.of(), l.onAlert(saddle, 0), "the step waits for the kick to show");
    AlertUpdate escalated = new AlertUpdate("s", "saddle-rescue", "firing", "firing", 105, 105,
        "flat", List.of(ActionRequest.of("saddle-rescue", 1, "restart", Map.of("from", "init"))),
        "warning");
    assertEquals(List.of(), l.onAlert(escalated, 0),
        "a restart does not wait for other rules, but it does not overtake its own rung 0");
    List<ActionRecord> out = iterations(l, "s", 102, 101 + K, 0.5);
    assertEquals(1, out.size(), out.toString());
    ActionRecord step = out.get(0);
    assertEquals("curvature_step", step.command().action());
    l.onEvent(ActionResult.of(Header.of("s", "r", 9_002, 0, 102 + K, 0, null), step.id(),
        "curvature_step", ActionResult.Outcome.APPLIED, "stepped"), 0);
    out = iterations(l, "s", 102 + K, 102 + 2 * K, 0.5);
    assertEquals(1, out.size(), "the restart goes when the step did not help: " + out);
    assertEquals("restart", out.get(0).command().action());
  }

  @Test
  void aSecondRuleAskingToRestartTheSameDrawIsSupersededALaterDrawIsNot() {
    ActionLedger l = ledger(10, 0);
    iterations(l, "s", 1, 341, 0.4);
    ActionRecord dead = l.onAlert(firing("dead-units-restart", 341, "warning",
        ActionRequest.of("dead-units-restart", 0, "restart", Map.of("from", "init"))), 0).get(0);
    assertEquals("restart", dead.command().action());
    ActionRecord blind = l.onAlert(firing("blind-restart", 341, "warning",
        ActionRequest.of("blind-restart", 0, "restart", Map.of("from", "init"))), 0).get(0);
    assertEquals(NotSent.SUPERSEDED, blind.notSentReason());
    assertNull(blind.command());
    l.onEvent(ActionResult.of(Header.of("s", "r", 9_001, 0, 343, 0, null), dead.id(),
        "restart", ActionResult.Outcome.APPLIED, "restarted"), 0);
    l.onAlert(new AlertUpdate("s", "blind-restart", "firing", "resolved", 341, 341, "", List.of(),
        "warning"), 0);
    iterations(l, "s", 342, 400, 0.4);
    ActionRecord later = l.onAlert(firing("blind-restart", 400, "warning",
        ActionRequest.of("blind-restart", 0, "restart", Map.of("from", "init"))), 0).get(0);
    assertEquals("restart", later.command().action(), "the new draw is blind as well");
  }
}
