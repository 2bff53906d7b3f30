package dev.traininghealth.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.daemon.Daemon;
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
 * race the clock: it stays stuck however late the command comes.
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
    try (Daemon daemon = Daemon.start(RescueBench.daemonConfig(dir, 200))) {
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
}
