package dev.traininghealth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons in one consumer group share the jobs: once the second has joined, every job is on
 * exactly one daemon's /metrics (the first dropped the jobs of the partitions it gave up), every
 * sample says which daemon it comes from, and both go on evaluating their jobs.
 */
@Tag("e2e")
class ScaleOutE2ETest {
  private static final EventCodec CODEC = new EventCodec();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern ITERATION =
      Pattern.compile("^th_job_iteration\\{job=\"([^\"]+)\",instance=\"([^\"]+)\",} (\\S+)$");
  private static final int JOBS = 12;

  @TempDir java.nio.file.Path dir;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void twoDaemonsInOneGroupEachExportADisjointShareOfTheJobs() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
      DaemonConfig base = DaemonConfig.builder()
          .bootstrapServers(kafka.bootstrapServers())
          .httpPort(0)
          .apiToken("scale-out-token")
          .topicPartitions(6)
          .build();
      Properties pp = new Properties();
      pp.put("bootstrap.servers", kafka.bootstrapServers());
      try (Daemon a = Daemon.start(base.toBuilder().instanceId("daemon-a").build());
          KafkaProducer<String, byte[]> agent =
              new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
        send(agent, 1);
        awaitJobs(a, JOBS);
        try (Daemon b = Daemon.start(base.toBuilder().instanceId("daemon-b").build())) {
          long deadline = System.currentTimeMillis() + 30_000;
          Set<String> onA = Set.of();
          Set<String> onB = Set.of();
          int iter = 2;
          while (System.currentTimeMillis() < deadline) {
            send(agent, iter++); // the jobs go on while the partitions move
            Thread.sleep(200);
            onA = jobs(scrape(a), "daemon-a", iter - 1);
            onB = jobs(scrape(b), "daemon-b", iter - 1);
            if (!onA.isEmpty() && !onB.isEmpty() && onA.size() + onB.size() == JOBS
                && disjoint(onA, onB)) {
              break;
            }
          }
          assertTrue(!onA.isEmpty() && !onB.isEmpty(), "a: " + onA + ", b: " + onB);
          assertTrue(disjoint(onA, onB), "on both: a " + onA + ", b " + onB);
          Set<String> all = new TreeSet<>(onA);
          all.addAll(onB);
          assertEquals(JOBS, all.size(), "a: " + onA + ", b: " + onB);
          // Every sample of each daemon names it.
          for (Daemon d : new Daemon[] {a, b}) {
            String instance = d.config().instanceId();
            for (String line : scrape(d).split("\n")) {
              if (!line.startsWith("#") && !line.isBlank()) {
                assertTrue(line.contains("instance=\"" + instance + "\""), line);
              }
            }
          }
          Scrape sa = new Scrape(scrape(a));
          Scrape sb = new Scrape(scrape(b));
          double partitionsA = sa.value("th_partitions_assigned",
              java.util.Map.of("instance", "daemon-a"));
          double partitionsB = sb.value("th_partitions_assigned",
              java.util.Map.of("instance", "daemon-b"));
          assertEquals(6, partitionsA + partitionsB, sa.text());
          System.out.printf("scale-out: daemon-a %s partitions, jobs %s; daemon-b %s partitions,"
              + " jobs %s%n", partitionsA, onA, partitionsB, onB);
        }
      }
    }
  }

  private static boolean disjoint(Set<String> x, Set<String> y) {
    Set<String> both = new HashSet<>(x);
    both.retainAll(y);
    return both.isEmpty();
  }

  private static void send(KafkaProducer<String, byte[]> agent, int iter) throws Exception {
    for (int j = 0; j < JOBS; j++) {
      String job = "job-" + j;
      Iteration it = Iteration.builder(Header.of(job, "run-1", iter, System.currentTimeMillis(),
          iter, 0, null)).loss(1.0 / iter).build();
      agent.send(new ProducerRecord<>(Topics.EVENTS, job, CODEC.encode(it)));
    }
    agent.flush();
  }

  private static void awaitJobs(Daemon d, int n) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      if (jobs(scrape(d), d.config().instanceId(), 1).size() == n) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("jobs not all on " + d.config().instanceId() + ": " + scrape(d));
  }

  /** Jobs with an iteration series on this /metrics, at or after {@code minIter}. */
  private static Set<String> jobs(String metrics, String instance, int minIter) {
    Set<String> out = new TreeSet<>();
    for (String line : metrics.split("\n")) {
      Matcher m = ITERATION.matcher(line);
      if (m.matches()) {
        assertEquals(instance, m.group(2), line);
        if (Double.parseDouble(m.group(3)) >= minIter - 1) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }

  private static String scrape(Daemon d) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(d.metricsUrl()))
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
