package dev.traininghealth.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.daemon.DaemonConfig;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rescue end to end, one run: the zoo's saddle (gradient exactly 0, stuck for ever without
 * help) trained with the agent against a daemon running the rescue rules, which sends a
 * curvature step that gets it to the target. The saddle is the scenario whose rescue does not
 * race the clock: it stays stuck however late the command comes. And XOR seed 13, which every
 * learning-rate schedule leaves on its second plateau: the kick and then a unit replacement.
 * The first runs the daemon in a child JVM, the second in this one: the bench's two ways.
 */
@Tag("e2e")
class RescueBenchE2ETest {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  void theDaemonStepsTheSaddleRunOffTheSaddle() throws Exception {
    RescueScenario saddle = RescueScenario.all().stream()
        .filter(s -> s.name().equals("saddle")).findFirst().orElseThrow();
    RescueRun.Result none = RescueRun.run(saddle, 1, RescueArm.NONE, null, 0);
    assertFalse(none.reached(saddle.target()), "stuck without help: " + none.finalLoss());
    // The daemon in a JVM of its own, as the bench runs it by default.
    try (DaemonProcess daemon =
        DaemonProcess.child(RescueBench.daemonSettings(dir, 200), dir, "512m")) {
      String job = "e2e-saddle-1";
      RescueRun.Result r = RescueRun.run(saddle, 1, RescueArm.DAEMON,
          RescueBench.agent(job, daemon, dir), 10);
      List<RescueRun.ActionLog> actions =
          RescueBench.actions(HttpClient.newHttpClient(), daemon, job);
      assertTrue(r.reached(saddle.target()), "loss " + r.finalLoss() + ", actions " + actions);
      RescueRun.ActionLog first = actions.get(0);
      assertEquals("curvature_step", first.action(), actions.toString());
      assertEquals("saddle-rescue", first.rule());
      assertEquals("applied", first.outcome());
    }
  }

  @Test
  @Timeout(180)
  void theDaemonKicksXorOffItsPlateauAndReplacesAUnitOnTheNext() throws Exception {
    RescueScenario xor = RescueScenario.all().stream()
        .filter(s -> s.name().equals("xor-plateau")).findFirst().orElseThrow();
    // The kick alone, timed by hand as the rule times it, leaves seed 13 at 0.168.
    dev.traininghealth.zoo.XorPlateau zoo = new dev.traininghealth.zoo.XorPlateau();
    org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = zoo.network(13);
    org.nd4j.linalg.dataset.DataSet batch = zoo.data(13).next();
    for (int t = 0; t < dev.traininghealth.zoo.XorPlateau.BUDGET; t++) {
      net.setLearningRate(dev.traininghealth.zoo.XorPlateau.LEARNING_RATE
          * (t >= 120 && t < 420 ? 10 : 1));
      net.fit(batch);
    }
    assertFalse(net.score() <= xor.target(), "the kick alone: " + net.score());
    try (DaemonProcess daemon = DaemonProcess.inThisJvm(
        DaemonConfig.load(RescueBench.daemonSettings(dir, 200)))) {
      String job = "e2e-xor-13";
      RescueRun.Result r = RescueRun.run(xor, 13, RescueArm.DAEMON,
          RescueBench.agent(job, daemon, dir), 10);
      List<RescueRun.ActionLog> actions =
          RescueBench.actions(HttpClient.newHttpClient(), daemon, job);
      assertTrue(r.reached(xor.target()), "loss " + r.finalLoss() + ", actions " + actions);
      List<String> applied = actions.stream().filter(a -> a.outcome().equals("applied"))
          .map(a -> a.rule() + ":" + a.action()).toList();
      assertEquals(List.of("plateau-kick:lr_kick", "plateau-reinit:reinit_units"), applied,
          actions.toString());
    }
  }
}
