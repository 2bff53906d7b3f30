package dev.traininghealth.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.zoo.XorPlateau;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rescue, all real: the embedded broker, the daemon with the demo's rule file and a command
 * key, and two runs of the zoo's stuck XOR job (seed 3) with the agent, side by side. The daemon
 * sees both stand still on the plateau and sends both a signed {@code lr_kick}; one agent may
 * apply it, the other's allow-list refuses it. Only the first gets off the plateau, so the kick,
 * not luck or the daemon's bookkeeping, is what rescued it.
 */
@Tag("e2e")
class XorRescueEndToEndTest {
  private static final String KEY = "xor-rescue-e2e-shared-key";
  private static final long SEED = 3;
  /** A stand-in step time, so that the daemon's round trip fits inside the 500 iterations. */
  private static final long PAUSE_MS = 5;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void theKickTakesAStuckRunOffThePlateauWhileARunThatRefusesItStaysStuck(@TempDir Path dir)
      throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    try (InputStream in = DemoMain.class.getResourceAsStream(DemoMain.RULES)) {
      Files.copy(in, rules.resolve(DemoMain.RULES));
    }
    DaemonConfig config = DaemonConfig.builder().kafkaDir(dir.resolve("kafka")).httpPort(0)
        .apiToken("e2e-test-token").commandsKey(KEY)
        .actionsVerifyIterations(DemoMain.VERIFY_ITERATIONS).rulesDirs(List.of(rules)).build();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (Daemon daemon = Daemon.start(config)) {
      String kafka = daemon.bootstrapServers();
      Future<MultiLayerNetwork> rescued = pool.submit(
          () -> WatchedRun.train(new XorPlateau(), SEED, agent("e2e-xor-kicked", kafka, "lr_kick"),
              PAUSE_MS));
      Future<MultiLayerNetwork> control = pool.submit(
          () -> WatchedRun.train(new XorPlateau(), SEED, agent("e2e-xor-control", kafka,
              "rollback"), PAUSE_MS));
      double rescuedLoss = rescued.get(60, TimeUnit.SECONDS).score();
      double controlLoss = control.get(60, TimeUnit.SECONDS).score();

      DaemonApi api = new DaemonApi("http://127.0.0.1:" + daemon.httpPort());
      JsonObject kicked = settled(api, "e2e-xor-kicked");
      JsonObject refused = settled(api, "e2e-xor-control");

      assertTrue(DemoMain.firing(kicked, "xor-plateau-rescue"), kicked.encodePrettily());
      JsonObject kick = onlyKick(kicked);
      assertEquals("sent", kick.getString("status"), kick.encodePrettily());
      assertNotNull(kick.getJsonObject("command").getString("sig"), "the command is signed");
      assertEquals("applied", kick.getString("outcome"), kick.encodePrettily());
      assertTrue(kick.getLong("outcome_iter") < 400, "applied in time: " + kick.encodePrettily());
      assertEquals("helped", kick.getString("verdict"), kick.encodePrettily());
      assertTrue(rescuedLoss < 0.05, "rescued run ends under 0.05: " + rescuedLoss);

      assertTrue(DemoMain.firing(refused, "xor-plateau-rescue"), refused.encodePrettily());
      JsonObject refusedKick = onlyKick(refused);
      assertEquals("rejected", refusedKick.getString("outcome"), refusedKick.encodePrettily());
      assertEquals("not_applied", refusedKick.getString("verdict"));
      assertTrue(controlLoss > XorPlateau.PLATEAU_LOSS - 0.01,
          "without the kick the run stays on the plateau: " + controlLoss);
    } finally {
      pool.shutdownNow();
    }
  }

  private static AgentConfig agent(String job, String kafka, String allow) {
    return AgentConfig.builder().job(job).bootstrapServers(kafka).heartbeatIntervalMs(0)
        .action("commands.enabled", "true").action("commands.key", KEY)
        .action("actions.allow", allow).build();
  }

  private static JsonObject onlyKick(JsonObject job) {
    List<JsonObject> kicks = JobTimeline.actions(job).stream()
        .filter(a -> "lr_kick".equals(a.getString("action"))).toList();
    assertEquals(1, kicks.size(), job.encodePrettily());
    return kicks.get(0);
  }

  /** The job once the daemon has its end and a verdict on every command sent. */
  private static JsonObject settled(DaemonApi api, String job) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      last = api.job(job, 0).orElse(null);
      if (last != null && last.containsKey("outcome") && JobTimeline.actions(last).stream()
          .noneMatch(a -> "pending".equals(a.getString("verdict")))) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("job " + job + " not settled: "
        + (last == null ? "unknown" : last.encodePrettily()));
  }
}
