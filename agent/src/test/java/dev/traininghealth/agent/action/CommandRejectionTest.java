package dev.traininghealth.agent.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandCodec;
import dev.traininghealth.rules.command.CommandSigner;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.ActionResult.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every kind of rejection, each reported with its reason, and none of them touches the run. */
class CommandRejectionTest {
  private ActionHarness h;

  @BeforeEach
  void setUp() {
    h = ActionHarness.tiny(ActionSettings.builder());
    h.steps(2);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** Queues {@code c} as is, steps once, returns its result. */
  private ActionResult deliver(Command c) {
    h.executor.inbox().offer(c);
    h.step();
    return h.result(c.id());
  }

  private Command kick(double factor) {
    return h.command("lr_kick", Map.of("factor", factor, "iterations", 5L)).build();
  }

  private void assertRejected(ActionResult r, Outcome outcome, String because) {
    assertEquals(1.0, h.executor.learningRateFactor(), "a rejected command changed the rate");
    assertEquals(outcome, r.outcome(), r.reason());
    assertTrue(r.reason().contains(because), "reason '" + r.reason() + "' lacks '" + because + "'");
  }

  @Test
  void rejectsUnsignedCommand() {
    assertRejected(deliver(kick(2)), Outcome.REJECTED, "unsigned");
  }

  @Test
  void rejectsTamperedCommand() {
    Command signed = h.signer.sign(kick(2));
    // Same signature, different factor: what a man in the middle would send.
    Command tampered =
        withSig(signed.toBuilder().params(Map.of("factor", 50.0, "iterations", 5L)).build(),
            signed.sig());
    assertRejected(deliver(tampered), Outcome.REJECTED, "bad signature");
  }

  @Test
  void rejectsCommandSignedWithAnotherKey() {
    Command c = CommandSigner.withKey("another-key-of-16+bytes").sign(kick(2));
    assertRejected(deliver(c), Outcome.REJECTED, "bad signature");
  }

  @Test
  void reportsExpiredCommand() {
    long now = System.currentTimeMillis();
    Command c =
        h.signer.sign(
            h.command("lr_kick", Map.of("factor", 2.0)).issued(now - 60_000).expires(now - 1)
                .build());
    assertRejected(deliver(c), Outcome.EXPIRED, "expired at");
  }

  @Test
  void rejectsReplayedId() {
    Command c = h.signer.sign(h.command("swa_snapshot", Map.of()).build());
    assertEquals(Outcome.APPLIED, deliver(c).outcome());
    h.executor.inbox().offer(c);
    h.step();
    ActionResult second = h.results().get(h.results().size() - 1);
    assertEquals(c.id(), second.commandId());
    assertRejected(second, Outcome.REJECTED, "replayed");
  }

  @Test
  void rejectsActionNotOnTheAllowList() {
    Command c = h.signer.sign(h.command("stop", Map.of()).build());
    assertRejected(deliver(c), Outcome.REJECTED, "allow-list");
    assertTrue(!h.executor.stopRequested());
  }

  @Test
  void rejectsLearningRateFactorBeyondTheBound() {
    assertRejected(deliver(h.signer.sign(kick(1000))), Outcome.REJECTED, "factor=1000 outside [0.01, 100]");
  }

  @Test
  void rejectsKickLongerThanTheBound() {
    Command c =
        h.signer.sign(h.command("lr_kick", Map.of("factor", 2.0, "iterations", 20_000L)).build());
    assertRejected(deliver(c), Outcome.REJECTED, "iterations=20000 outside");
  }

  @Test
  void rejectsPerturbationBeyondTheBound() {
    Command c = h.signer.sign(h.command("restart", Map.of("perturb", 0.5)).build());
    assertRejected(deliver(c), Outcome.REJECTED, "perturb=0.5 outside [0, 0.1]");
  }

  @Test
  void rejectsUnitReplacementBeyondTheBound() {
    Command many = h.signer.sign(h.command("reinit_units", Map.of("units", 9L)).build());
    assertRejected(deliver(many), Outcome.REJECTED,
        "units=9 outside [1, 8] (actions.reinit_units.max.units)");
    Command half = h.signer.sign(h.command("reinit_units", Map.of("units", 1.5)).build());
    assertRejected(deliver(half), Outcome.REJECTED, "units must be a whole number");
  }

  @Test
  void rejectsMissingRequiredParameter() {
    Command c = h.signer.sign(h.command("lr_scale", Map.of()).build());
    assertRejected(deliver(c), Outcome.REJECTED, "missing required param 'factor'");
  }

  @Test
  void rejectsCommandForAnotherJob() {
    Command c = h.signer.sign(kick(2).toBuilder().job("other-job").build());
    assertRejected(deliver(c), Outcome.REJECTED, "wrong job");
  }

  @Test
  void rejectsCommandForAnotherRun() {
    Command c = h.signer.sign(kick(2).toBuilder().run("some-old-run").build());
    assertRejected(deliver(c), Outcome.REJECTED, "wrong run");
    Command mine = h.signer.sign(kick(2).toBuilder().id("mine").run(h.listener.run()).build());
    assertEquals(Outcome.APPLIED, deliver(mine).outcome());
  }

  @Test
  void rejectsMalformedRecordsWithTheirId() {
    h.executor.inbox().offerRecord("{\"v\":1,\"id\":\"junk-1\",\"job\":\"tiny\"}".getBytes(StandardCharsets.UTF_8));
    h.executor.inbox().offerRecord("not json".getBytes(StandardCharsets.UTF_8));
    byte[] goodButUnknownVersion =
        new String(new CommandCodec().encode(h.signer.sign(kick(2))), StandardCharsets.UTF_8)
            .replace("\"v\":1", "\"v\":2").getBytes(StandardCharsets.UTF_8);
    h.executor.inbox().offerRecord(goodButUnknownVersion);
    h.step();
    assertEquals(3, h.results().size(), h.describe());
    for (ActionResult r : h.results()) {
      assertRejected(r, Outcome.REJECTED, "malformed command");
    }
    assertEquals("junk-1", h.results().get(0).commandId());
    assertTrue(h.results().get(0).reason().contains("missing required field 'action'"), h.describe());
    assertTrue(h.results().get(2).reason().contains("unsupported command version"), h.describe());
  }

  @Test
  void reportsCommandsDroppedWhenTheInboxIsFull() {
    h.close();
    h = new ActionHarness(ActionHarness.tinyNet(7, new org.nd4j.linalg.learning.config.Adam(0.01)),
        ActionHarness.tinyBatch(3), ActionSettings.builder().queueCapacity(2));
    for (int i = 0; i < 5; i++) {
      h.executor.inbox().offer(h.signer.sign(h.command("checkpoint", Map.of("name", "c" + i)).build()));
    }
    h.step();
    assertEquals(3, h.results().size(), h.describe());
    assertRejected(h.results().get(2), Outcome.REJECTED, "3 command(s) dropped");
  }

  @Test
  void rejectedCommandsLeaveTrainingGoing() {
    INDArray before = h.net.params().dup();
    for (Command c :
        new Command[] {kick(2), h.signer.sign(kick(1e6)), h.signer.sign(h.command("stop", Map.of()).build())}) {
      h.executor.inbox().offer(c);
    }
    h.steps(3);
    assertEquals(3, h.results().size());
    for (ActionResult r : h.results()) {
      assertEquals(Outcome.REJECTED, r.outcome(), r.reason());
    }
    assertTrue(Set.of(4).contains(h.iteration()), "iterations went on: " + h.iteration());
    assertTrue(h.net.params().neq(before).any(), "parameters kept training");
  }

  private static Command withSig(Command unsigned, String sig) {
    try {
      CommandCodec codec = new CommandCodec();
      String json = new String(codec.encode(unsigned), StandardCharsets.UTF_8)
          .replace("\"sig\":\"\"", "\"sig\":\"" + sig + "\"");
      return codec.decode(json.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
