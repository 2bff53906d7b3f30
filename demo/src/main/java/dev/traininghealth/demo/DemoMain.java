package dev.traininghealth.demo;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.zoo.HealthyMlp;
import dev.traininghealth.zoo.NanBatch;
import dev.traininghealth.zoo.ZooJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The demo: starts the daemon with its embedded Kafka broker, trains a healthy job and a job that
 * breaks (NaN in one input batch) with the agent attached, and shows what the daemon detected on
 * its {@code /metrics}. {@code --keep-running} leaves the daemon up afterwards for a look at the
 * metrics and the API; {@code --port N} picks the HTTP port (default 8080, 0 for a free one).
 */
public final class DemoMain {
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
    Path data = Files.createTempDirectory("th-demo-");
    step("1/4", "starting the daemon with an embedded Kafka broker (data in " + data + ")");
    // A fresh token per demo: the write API (POST /api/jobs/{id}/actions) always needs one.
    String token = java.util.UUID.randomUUID().toString();
    DaemonConfig config = DaemonConfig.builder().kafkaDir(data.resolve("kafka")).httpPort(port)
        .apiToken(token).build();
    try (Daemon daemon = Daemon.start(config)) {
      String base = "http://127.0.0.1:" + daemon.httpPort();
      System.out.println("      Kafka at " + daemon.bootstrapServers() + ", metrics at " + base
          + "/metrics, API at " + base + "/api/jobs (write API token: " + token + ")");

      step("2/4", "training a healthy job with the agent attached");
      train(new HealthyMlp(), "demo-healthy", daemon.bootstrapServers());

      step("3/4", "training a job with NaN in input batch " + NanBatch.BAD_BATCH);
      train(new NanBatch(), "demo-nan-batch", daemon.bootstrapServers());

      step("4/4", "waiting for the daemon to flag it");
      MetricsScraper scraper = new MetricsScraper(base);
      String text =
          scraper.awaitValue(Duration.ofSeconds(60), 1.0, "th_alerts_firing",
              "job", "demo-nan-batch", "rule", "nonfinite");
      System.out.println("      DETECTED on " + base + "/metrics:");
      text.lines()
          .filter(l -> l.startsWith("th_alerts_firing{") || l.startsWith("th_nonfinite_events"))
          .forEach(l -> System.out.println("        " + l));
      System.out.println("      healthy job alerts firing: "
          + MetricsScraper.value(text, "th_alerts_firing", "job", "demo-healthy", "rule",
              "nonfinite").orElse(0.0));
      System.out.println("      details: " + base + "/api/jobs/demo-nan-batch");
      if (keepRunning) {
        System.out.println("daemon keeps running; Ctrl-C stops it");
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
        forever.await();
      }
    }
    System.out.println("demo done");
  }

  private static void train(ZooJob job, String jobId, String bootstrap) {
    AgentConfig agent = AgentConfig.builder().job(jobId).bootstrapServers(bootstrap).build();
    MultiLayerNetwork net = job.network(42);
    try (HealthListener listener = HealthListener.create(agent)) {
      net.addListeners(listener);
      long t0 = System.nanoTime();
      job.train(net, 42);
      System.out.printf("      %s: %d iterations in %.1f s, final loss %.4f%n", jobId,
          net.getIterationCount(), (System.nanoTime() - t0) / 1e9, net.score());
    }
  }

  private static void step(String n, String what) {
    System.out.println("[" + n + "] " + what);
  }
}
