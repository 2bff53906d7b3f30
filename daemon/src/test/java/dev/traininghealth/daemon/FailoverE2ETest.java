package dev.traininghealth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three daemons, each in its own JVM, share many jobs (some trained by two workers); one is
 * killed hard mid-stream. Its jobs move to the other two within the session timeout, and end
 * to end, read back from {@code th.alerts} and {@code th.commands}, every job's alert went
 * pending once and firing once at the iteration its data says, and no rung was sent twice.
 */
@Tag("e2e")
class FailoverE2ETest {
  private static final EventCodec CODEC = new EventCodec();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String RULE = "failover-nan";
  private static final String RULES = """
      - name: failover-nan
        detector: nonfinite
        severity: warning
        for: 30 iterations
        actions:
          - { do: checkpoint }
          - { do: swa_start }
        escalate_after: 40 iterations
        cooldown: 1000 iterations
      """;
  private static final Pattern ITERATION =
      Pattern.compile("^th_job_iteration\\{job=\"([^\"]+)\",instance=\"[^\"]+\",} \\S+$");
  private static final Pattern RUNG = Pattern.compile("^rule (\\S+) rung (\\d+) ");
  private static final int JOBS = 24;
  private static final int TWO_WORKERS = 6; // jobs 0..5 have two workers
  private static final int LAST_ITER = 140;
  private static final int KILL_AT_ITER = 60;
  private static final int SESSION_TIMEOUT_MS = 6000;

  @TempDir Path dir;

  /** The first NaN iteration of job j: pending there, firing 30 later. */
  private static int nanAt(int j) {
    return 10 + (j % 5) * 20;
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void killingOneOfThreeDaemonsMovesItsJobsAndLosesOrDoublesNoAlert() throws Exception {
    long t0 = System.currentTimeMillis();
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("failover.yaml"), RULES);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
      Map<String, String> settings = new LinkedHashMap<>();
      settings.put(DaemonConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      settings.put(DaemonConfig.HTTP_PORT, "0");
      settings.put(DaemonConfig.API_TOKEN, "test-token");
      settings.put(DaemonConfig.COMMANDS_KEY, "a-commands-key-of-32-bytes-length");
      settings.put(DaemonConfig.TOPIC_PARTITIONS, "6");
      settings.put(DaemonConfig.ACTIONS_VERIFY_ITERATIONS, "10");
      settings.put(DaemonConfig.RULES_DIRS, rules.toString());
      settings.put(DaemonConfig.KAFKA_CLIENT_PREFIX + "session.timeout.ms",
          String.valueOf(SESSION_TIMEOUT_MS));
      settings.put(DaemonConfig.KAFKA_CLIENT_PREFIX + "heartbeat.interval.ms", "1000");
      List<DaemonProcess> daemons = new ArrayList<>();
      try {
        // One daemon creates the topics first, so that the others do not race it.
        daemons.add(start(settings, "d1"));
        String m1 = daemons.get(0).awaitUp(30_000);
        daemons.add(start(settings, "d2"));
        daemons.add(start(settings, "d3"));
        List<String> urls = new ArrayList<>(List.of(m1, daemons.get(1).awaitUp(30_000),
            daemons.get(2).awaitUp(30_000)));
        long up = System.currentTimeMillis();
        Properties pp = new Properties();
        pp.put("bootstrap.servers", kafka.bootstrapServers());
        pp.put("linger.ms", "5");
        try (KafkaProducer<String, byte[]> agents =
            new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
          Map<String, Set<String>> owners = new TreeMap<>();
          long killedAt = 0;
          long movedMs = -1;
          Set<String> orphans = Set.of();
          for (int i = 0; i <= LAST_ITER; i++) {
            send(agents, i);
            Thread.sleep(40);
            if (i == KILL_AT_ITER) {
              // Kill the daemon that holds the most jobs, once every job has an owner.
              owners = owners(urls);
              String victim = owners.entrySet().stream()
                  .max((a, b) -> Integer.compare(a.getValue().size(), b.getValue().size()))
                  .get().getKey();
              orphans = owners.get(victim);
              daemons.get(urls.indexOf(victim)).kill();
              killedAt = System.currentTimeMillis();
              urls.set(urls.indexOf(victim), null);
            }
            if (killedAt > 0 && movedMs < 0 && i % 5 == 0) {
              Set<String> held = new TreeSet<>();
              owners(urls).values().forEach(held::addAll);
              if (held.containsAll(orphans)) {
                movedMs = System.currentTimeMillis() - killedAt;
              }
            }
          }
          long streamed = System.currentTimeMillis();
          // Every job fires by iteration 130; wait for the last of them.
          try (Published out = new Published(kafka.bootstrapServers())) {
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline && out.firings() < JOBS) {
              out.poll();
            }
            Thread.sleep(1_500); // anything doubled would come now
            out.poll();
            while (movedMs < 0 && System.currentTimeMillis() < deadline) {
              Set<String> held = new TreeSet<>();
              owners(urls).values().forEach(held::addAll);
              if (held.containsAll(orphans)) {
                movedMs = System.currentTimeMillis() - killedAt;
              }
            }
            assertTrue(orphans.size() > 0, "the killed daemon held no job: " + owners);
            assertTrue(movedMs >= 0, "jobs " + orphans + " did not move");

            int pendings = 0;
            int firings = 0;
            int rung0 = 0;
            for (int j = 0; j < JOBS; j++) {
              String job = job(j);
              List<String> t = out.transitions(job);
              int fire = nanAt(j) + 30;
              List<String> expected = new ArrayList<>(List.of(
                  "inactive>pending@" + nanAt(j), "pending>firing@" + fire));
              if (t.size() == 3) {
                expected.add("firing>firing@" + fire); // rung 1, when its verdict came in time
              }
              assertEquals(expected, t, job + " (killed daemon held " + orphans + ")");
              pendings++;
              firings++;
            }
            Map<String, Integer> rungs = out.rungCounts();
            for (Map.Entry<String, Integer> e : rungs.entrySet()) {
              assertEquals(1, e.getValue(), "sent more than once: " + e.getKey());
            }
            for (int j = 0; j < JOBS; j++) {
              assertEquals(1, rungs.getOrDefault(job(j) + "/0", 0), job(j) + ": " + rungs);
              rung0++;
            }
            System.out.printf("failover: 3 daemons up %d ms after start; killed the owner of %d"
                + " of %d jobs at iteration %d; they were all on the other daemons %d ms"
                + " later (session timeout %d ms); end to end: %d pending, %d firing, %d"
                + " escalations, %d rung-0 and %d rung-1 commands, none doubled, none lost;"
                + " streaming took %d ms, test %d ms%n", up - t0, orphans.size(), JOBS,
                KILL_AT_ITER, movedMs, SESSION_TIMEOUT_MS, pendings, firings,
                out.escalations(), rung0, rungs.size() - rung0, streamed - up,
                System.currentTimeMillis() - t0);
          }
        }
      } finally {
        for (DaemonProcess d : daemons) {
          d.close();
        }
      }
    }
  }

  private DaemonProcess start(Map<String, String> settings, String id) throws Exception {
    Map<String, String> s = new LinkedHashMap<>(settings);
    s.put(DaemonConfig.INSTANCE_ID, id);
    return DaemonProcess.start(id, s, dir.resolve(id + ".log"));
  }

  private static String job(int j) {
    return "job-" + j;
  }

  /** Each job's iteration i: NaN from nanAt(j); jobs with two workers send one per worker. */
  private static void send(KafkaProducer<String, byte[]> agents, int i) {
    for (int j = 0; j < JOBS; j++) {
      int workers = j < TWO_WORKERS ? 2 : 1;
      for (int w = 0; w < workers; w++) {
        String worker = workers == 1 ? null : "w" + w;
        Iteration it = Iteration.builder(Header.of(job(j), "run-" + w, i,
            System.currentTimeMillis(), i, 0, worker))
            .loss(i < nanAt(j) ? 1.0 / (i + 1) : Double.NaN).build();
        agents.send(new ProducerRecord<>(Topics.EVENTS, job(j), CODEC.encode(it)));
      }
    }
    agents.flush();
  }

  /** Jobs on each live daemon's /metrics; a job on two daemons fails the test. */
  private static Map<String, Set<String>> owners(List<String> urls) throws Exception {
    Map<String, Set<String>> out = new TreeMap<>();
    Map<String, String> seen = new HashMap<>();
    for (String url : urls) {
      if (url == null) {
        continue;
      }
      Set<String> jobs = new TreeSet<>();
      String body = HTTP.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
      for (String line : body.split("\n")) {
        Matcher m = ITERATION.matcher(line);
        if (m.matches()) {
          jobs.add(m.group(1));
          String other = seen.put(m.group(1), url);
          assertTrue(other == null, m.group(1) + " on " + other + " and " + url);
        }
      }
      out.put(url, jobs);
    }
    return out;
  }

  /** Everything on th.alerts and th.commands, from the beginning. */
  private static final class Published implements AutoCloseable {
    final List<JsonObject> alerts = new ArrayList<>();
    final List<JsonObject> commands = new ArrayList<>();
    private final KafkaConsumer<String, String> consumer;

    Published(String bootstrapServers) {
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrapServers);
      p.put("enable.auto.commit", "false");
      consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
      List<TopicPartition> tps = new ArrayList<>();
      for (String t : List.of(Topics.ALERTS, Topics.COMMANDS)) {
        for (PartitionInfo i : consumer.partitionsFor(t, Duration.ofSeconds(10))) {
          tps.add(new TopicPartition(t, i.partition()));
        }
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
    }

    void poll() {
      for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
        (r.topic().equals(Topics.ALERTS) ? alerts : commands).add(new JsonObject(r.value()));
      }
    }

    long firings() {
      return alerts.stream().filter(a -> RULE.equals(a.getString("rule"))
          && "firing".equals(a.getString("to")) && !"firing".equals(a.getString("from")))
          .count();
    }

    long escalations() {
      return alerts.stream().filter(a -> RULE.equals(a.getString("rule"))
          && "firing".equals(a.getString("to")) && "firing".equals(a.getString("from")))
          .count();
    }

    List<String> transitions(String job) {
      List<String> out = new ArrayList<>();
      for (JsonObject a : alerts) {
        if (job.equals(a.getString("job")) && RULE.equals(a.getString("rule"))) {
          out.add(a.getString("from") + ">" + a.getString("to") + "@" + a.getLong("since_iter"));
        }
      }
      return out;
    }

    Map<String, Integer> rungCounts() {
      Map<String, Integer> out = new TreeMap<>();
      for (JsonObject c : commands) {
        Matcher m = RUNG.matcher(c.getString("reason", ""));
        if (m.find() && m.group(1).equals(RULE)) {
          out.merge(c.getString("job") + "/" + m.group(2), 1, Integer::sum);
        }
      }
      return out;
    }

    @Override
    public void close() {
      consumer.close(Duration.ofSeconds(2));
    }
  }
}
