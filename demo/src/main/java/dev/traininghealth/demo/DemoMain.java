package dev.traininghealth.demo;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.zoo.HealthyMlp;
import dev.traininghealth.zoo.NanBatch;
import dev.traininghealth.zoo.XorPlateau;
import dev.traininghealth.zoo.ZooJob;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The demo: detection and rescue, end to end with the real parts. It starts the daemon (embedded
 * Kafka, the demo's rule file, a command key, an API token), then:
 * <ol>
 *   <li>trains the zoo's stuck XOR job in a JVM of its own that knows nothing of Training Health
 *       but for {@code -javaagent}, and prints from the daemon's API how the plateau alert fires,
 *       the daemon sends a signed {@code lr_kick}, the agent applies it and the loss falls;</li>
 *   <li>trains a job with NaN in one input batch (agent library in this JVM): the non-finite alert,
 *       a rollback, the loss finite again;</li>
 *   <li>trains a healthy control, which draws no alert.</li>
 * </ol>
 * It exits 1 if any of that did not happen. {@code --keep-running} leaves the daemon up
 * afterwards; {@code --port N} picks the HTTP port (default 8080, 0 for a free one).
 */
public final class DemoMain {
  static final String RULES = "demo-rescue-rules.yaml";
  private static final String DAEMON_LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.traininghealth";
  static final String STUCK = "demo-xor-stuck";
  static final String NAN = "demo-nan-batch";
  static final String HEALTHY = "demo-healthy";
  /** XOR seed 3 stays on the plateau past iteration 1000 when left alone. */
  static final long STUCK_SEED = 3;
  /**
   * Pauses after each step that stand in for a real job's step time: the zoo's nets step in about
   * a millisecond, faster than the round trip event, alert, command (about 100 ms).
   */
  static final long STUCK_PAUSE_MS = 20;
  static final long NAN_PAUSE_MS = 150;
  static final long HEALTHY_PAUSE_MS = 10;
  /** Iterations the daemon waits for a command to help; the kick needs about 60 (see the rules). */
  static final int VERIFY_ITERATIONS = 250;

  private DemoMain() {}

  public static void main(String[] args) throws Exception {
    boolean keepRunning = false;
    int port = 8080;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keep-running" -> keepRunning = true;
        case "--port" -> port = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("usage: DemoMain [--keep-running] [--port N]");
          System.exit(2);
        }
      }
    }
    // The timeline below tells what the daemon does; its own log lines would say it twice.
    if (System.getProperty(DAEMON_LOG_LEVEL) == null) {
      System.setProperty(DAEMON_LOG_LEVEL, "warn");
    }
    long t0 = System.nanoTime();
    Path data = Files.createTempDirectory("th-demo-");
    Path rulesDir = Files.createDirectories(data.resolve("rules"));
    try (InputStream in = DemoMain.class.getResourceAsStream(RULES)) {
      Files.copy(in, rulesDir.resolve(RULES));
    }
    step("1/5", "starting the daemon: embedded Kafka, rules " + RULES + ", a command key");
    // Fresh secrets per demo: the token guards the write API, the key signs commands.
    String token = java.util.UUID.randomUUID().toString();
    String commandKey = randomKey();
    DaemonConfig config = DaemonConfig.builder().kafkaDir(data.resolve("kafka")).httpPort(port)
        .apiToken(token).commandsKey(commandKey).actionsVerifyIterations(VERIFY_ITERATIONS)
        .rulesDirs(List.of(rulesDir)).build();
    List<String> missing = new ArrayList<>();
    try (Daemon daemon = Daemon.start(config)) {
      String base = "http://127.0.0.1:" + daemon.httpPort();
      String kafka = daemon.bootstrapServers();
      System.out.println("      Kafka at " + kafka + ", API at " + base + "/api/jobs, metrics at "
          + base + "/metrics (write API token: " + token + ")");
      DaemonApi api = new DaemonApi(base);

      step("2/5", "a stuck job: XOR 2-2-1 sigmoid, seed " + STUCK_SEED + ", in a JVM of its own"
          + " with only -javaagent");
      stuckJob(api, kafka, commandKey, missing);

      step("3/5", "a job with NaN in input batch " + NanBatch.BAD_BATCH
          + " (agent library in this JVM)");
      nanJob(api, kafka, commandKey, missing);

      step("4/5", "a healthy control (agent library in this JVM)");
      healthyJob(api, kafka, commandKey, missing);

      step("5/5", "what Prometheus sees on " + base + "/metrics");
      String text = new MetricsScraper(base).scrape();
      text.lines()
          .filter(l -> (l.startsWith("th_alerts_firing{") || l.startsWith("th_actions_sent_total{")
              || l.startsWith("th_action_results_total{")) && !l.endsWith(" 0.0"))
          .forEach(l -> System.out.println("      " + l));
      System.out.printf(Locale.ROOT, "demo %s in %.0f s%n",
          missing.isEmpty() ? "done" : "FAILED", (System.nanoTime() - t0) / 1e9);
      for (String m : missing) {
        System.out.println("      missing: " + m);
      }
      if (keepRunning) {
        System.out.println("daemon keeps running; Ctrl-C stops it");
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
        forever.await();
      }
    }
    System.exit(missing.isEmpty() ? 0 : 1);
  }

  private static void stuckJob(DaemonApi api, String kafka, String key, List<String> missing)
      throws Exception {
    String options = "job=" + STUCK + ",bootstrap.servers=" + kafka
        + ",commands.enabled=true,actions.allow=lr_kick";
    System.out.println("      $ " + AgentJvm.KEY_ENV + "=... java -javaagent:"
        + AgentJvm.agentJar().getFileName() + "=" + options + " -cp <zoo + DL4J> "
        + "dev.traininghealth.zoo.ZooMain xor-plateau " + STUCK_SEED + " 1 " + STUCK_PAUSE_MS);
    Process p = AgentJvm.start(options, key, "dev.traininghealth.zoo.ZooMain", System.out,
        "      | ", "xor-plateau", String.valueOf(STUCK_SEED), "1", String.valueOf(STUCK_PAUSE_MS));
    JsonObject job;
    try {
      job = new JobTimeline(api, STUCK, 50, System.out)
          .follow(() -> !p.isAlive(), Duration.ofSeconds(15));
    } finally {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    expect(p.exitValue() == 0, "the stuck job's JVM exited " + p.exitValue(), missing);
    expect(firing(job, "xor-plateau-rescue"), "plateau alert on " + STUCK, missing);
    expect(helped(job, "lr_kick"), "an lr_kick applied and judged helped on " + STUCK, missing);
    double loss = loss(job);
    expect(loss < 0.05, "the stuck job's final loss under 0.05 (was " + loss + ")", missing);
  }

  private static void nanJob(DaemonApi api, String kafka, String key, List<String> missing)
      throws Exception {
    JsonObject job = inProcess(new NanBatch(), 42, NAN, kafka, key, NAN_PAUSE_MS, 5, api);
    expect(firing(job, "nonfinite"), "nonfinite alert on " + NAN, missing);
    expect(helped(job, "rollback"), "a rollback applied and judged helped on " + NAN, missing);
  }

  private static void healthyJob(DaemonApi api, String kafka, String key, List<String> missing)
      throws Exception {
    JsonObject job = inProcess(new HealthyMlp(), 42, HEALTHY, kafka, key, HEALTHY_PAUSE_MS, 20,
        api);
    // Fired: firing now or resolved since. A pending alert (a condition that did not last its
    // rule's "for") never reaches anyone.
    List<String> fired = job == null ? List.of("(job unknown to the daemon)")
        : job.getJsonArray("alerts").stream().map(JsonObject.class::cast)
            .filter(a -> List.of("firing", "resolved").contains(a.getString("state")))
            .map(a -> a.getString("rule")).toList();
    System.out.println("      alerts fired on " + HEALTHY + ": " + fired.size()
        + (fired.isEmpty() ? "" : " " + fired) + ", commands: "
        + (job == null ? -1 : JobTimeline.actions(job).size()));
    expect(fired.isEmpty(), "no alert on the healthy control (fired: " + fired + ")", missing);
  }

  private static JsonObject inProcess(ZooJob zoo, long seed, String id, String kafka, String key,
      long pauseMs, int lossEvery, DaemonApi api) throws Exception {
    AgentConfig agent = AgentConfig.builder().job(id).bootstrapServers(kafka)
        .action("commands.enabled", "true").action("commands.key", key).build();
    long t0 = System.nanoTime();
    CompletableFuture<MultiLayerNetwork> run = CompletableFuture.supplyAsync(() -> {
      try {
        return WatchedRun.train(zoo, seed, agent, pauseMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    });
    JsonObject job = new JobTimeline(api, id, lossEvery, System.out)
        .follow(run::isDone, Duration.ofSeconds(15));
    MultiLayerNetwork net = run.get();
    System.out.printf(Locale.ROOT, "      %s: %d iterations in %.1f s, final loss %.4f%n", id,
        net.getIterationCount(), (System.nanoTime() - t0) / 1e9, net.score());
    return job;
  }

  /** Whether {@code rule}'s alert fired on the job at some point (firing or resolved now). */
  static boolean firing(JsonObject job, String rule) {
    if (job == null) {
      return false;
    }
    return job.getJsonArray("alerts").stream().map(JsonObject.class::cast)
        .anyMatch(a -> rule.equals(a.getString("rule"))
            && List.of("firing", "resolved").contains(a.getString("state")));
  }

  /** Whether an {@code action} command was applied by the agent and judged to have helped. */
  static boolean helped(JsonObject job, String action) {
    return job != null && JobTimeline.actions(job).stream()
        .anyMatch(a -> action.equals(a.getString("action"))
            && "applied".equals(a.getString("outcome")) && "helped".equals(a.getString("verdict")));
  }

  private static double loss(JsonObject job) {
    Object l = job == null ? null : job.getValue("loss");
    return l instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static void expect(boolean ok, String what, List<String> missing) {
    if (!ok) {
      missing.add(what);
    }
  }

  private static String randomKey() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static void step(String n, String what) {
    System.out.println("[" + n + "] " + what);
  }
}
