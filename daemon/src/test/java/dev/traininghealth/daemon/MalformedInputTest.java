package dev.traininghealth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.LayerStats;
import dev.traininghealth.rules.event.MalformedEventException;
import dev.traininghealth.rules.event.NonFinite;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A few hundred generated bad records on {@code th.events}, mixed with good ones whose {@code
 * seq} repeats and runs backwards: every bad record comes out on {@code th.events.dlq} with a
 * reason (count in = dead letters out), every good one is counted, and the daemon keeps working.
 */
@Tag("e2e")
class MalformedInputTest {
  private static final EventCodec CODEC = new EventCodec();
  private static final int BAD = 300;
  private static final String JOB = "fuzzed";

  @Test
  void everyBadRecordIsDeadLetteredWithAReasonAndTheDaemonCarriesOn() throws Exception {
    List<byte[]> bad = badRecords(new Random(17), BAD);
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        Daemon daemon = Daemon.start(DaemonConfig.builder()
            .bootstrapServers(kafka.bootstrapServers()).httpPort(0).apiToken("test-token").topicPartitions(2)
            .tickMs(200).build());
        KafkaProducer<String, byte[]> producer = producer(kafka)) {
      int good = 0;
      // Good records with duplicate, out-of-order and restarting seq between the bad ones.
      long[] seqs = {0, 1, 1, 5, 3, 2, 2, 9, 0, 7};
      for (int i = 0; i < bad.size(); i++) {
        producer.send(new ProducerRecord<>(Topics.EVENTS, JOB, bad.get(i)));
        if (i % 30 == 0) {
          long seq = seqs[(i / 30) % seqs.length];
          producer.send(new ProducerRecord<>(Topics.EVENTS, JOB,
              CODEC.encode(Iteration.builder(header(seq, seq)).loss(0.5).gradNorm(1).build())));
          good++;
        }
      }
      // A record whose key is not its job is dead-lettered too (key_mismatch).
      producer.send(new ProducerRecord<>(Topics.EVENTS, "someone-else",
          CODEC.encode(Heartbeat.of(header(99, 0), "idle", 0))));
      // And after all that, a NaN loss must still fire the alert.
      producer.send(new ProducerRecord<>(Topics.EVENTS, JOB,
          CODEC.encode(Iteration.builder(header(100, 100)).loss(Double.NaN).build())));
      good++;
      producer.flush();
      int deadLetters = BAD + 1;
      int goodTotal = good;

      String metrics = scrapeUntil(daemon, m ->
          sum(m, "th_dead_letters_total") >= deadLetters
              && sum(m, "th_events_total") >= goodTotal
              && m.contains("th_alerts_firing{job=\"" + JOB + "\",rule=\"nonfinite\""));
      assertEquals(deadLetters, sum(metrics, "th_dead_letters_total"), "each bad record counted once");
      assertEquals(0.0, sum(metrics, "th_dead_letters_unsent_total"), "all dead letters written");
      assertEquals(good, sum(metrics, "th_events_total"), "each good record counted once");

      List<ConsumerRecord<String, byte[]>> dlq = readDeadLetters(kafka, deadLetters);
      assertEquals(deadLetters, dlq.size(), "count in = dead letters out");
      Map<String, Integer> byClass = new HashMap<>();
      for (ConsumerRecord<String, byte[]> r : dlq) {
        String reason = header(r, "th.reason");
        assertTrue(reason != null && !reason.isEmpty(), "a reason on every dead letter");
        byClass.merge(header(r, "th.reason.class"), 1, Integer::sum);
        if ("too_large".equals(header(r, "th.reason.class"))) {
          assertEquals(String.valueOf(bad.get(2).length), header(r, "th.original.bytes"),
              "an oversized record is dead-lettered cut, with its size");
        }
      }
      System.out.println("dead letters by reason: " + byClass);
      assertTrue(byClass.size() >= 5, "the generator hits many kinds of error: " + byClass);

      HttpResponse<String> health = get(daemon, "/healthz");
      assertEquals(200, health.statusCode(), "still healthy");
    }
  }

  private static Header header(long seq, long iter) {
    return Header.of(JOB, "run-1", seq, System.currentTimeMillis(), iter, 0, null);
  }

  /** Mutants of valid records that the codec rejects, in every shape it has a reason for. */
  static List<byte[]> badRecords(Random random, int n) {
    List<byte[]> valid = new ArrayList<>();
    valid.add(CODEC.encode(Iteration.builder(header(1, 1)).loss(0.5).gradNorm(2).batchSize(32)
        .layers(List.of(LayerStats.of("0", "W", 1, 2, 3))).build()));
    valid.add(CODEC.encode(NonFinite.of(header(2, 2), NonFinite.Where.GRADIENT, "0", 1, 0, 3,
        List.of(1), List.of(2), "ab")));
    valid.add(CODEC.encode(Heartbeat.of(header(3, 2), "training", 0)));
    String[] junk = {"\"NaN\"", "1e400x", "-1", "99999999999999999999999", "null", "[]", "{}",
        "\"x\"", "true", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"};
    String[] fields = {"v", "type", "job", "run", "seq", "ts", "iter", "epoch", "loss", "where",
        "nan", "phase", "layers"};
    List<byte[]> out = new ArrayList<>();
    out.add(new byte[0]);
    out.add(null); // a tombstone
    out.add(("{\"v\":1,\"pad\":\"" + "p".repeat(EventCodec.MAX_RECORD_BYTES) + "\"}")
        .getBytes(StandardCharsets.UTF_8)); // oversized
    out.add("{\"a\":".repeat(2_000).getBytes(StandardCharsets.UTF_8)); // deeply nested
    while (out.size() < n) {
      byte[] v = valid.get(random.nextInt(valid.size()));
      byte[] m;
      switch (random.nextInt(4)) {
        case 0 -> {
          m = v.clone();
          m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
        }
        case 1 -> m = Arrays.copyOf(v, random.nextInt(v.length));
        default -> {
          String s = new String(v, StandardCharsets.UTF_8);
          String key = "\"" + fields[random.nextInt(fields.length)] + "\":";
          int at = s.indexOf(key);
          if (at < 0) {
            continue;
          }
          int start = at + key.length();
          int end = start;
          while (end < s.length() && ",}".indexOf(s.charAt(end)) < 0) {
            end++;
          }
          m = (s.substring(0, start) + junk[random.nextInt(junk.length)] + s.substring(end))
              .getBytes(StandardCharsets.UTF_8);
        }
      }
      if (isRejected(m)) {
        out.add(m);
      }
    }
    return out;
  }

  private static boolean isRejected(byte[] record) {
    try {
      Event e = CODEC.decode(record);
      return !e.job().equals(JOB); // a flipped bit in the job name: a key mismatch, also bad
    } catch (MalformedEventException e) {
      return true;
    }
  }

  private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    // The oversized record must reach the topic for the daemon to see it: allow it in the
    // request and compress it below the broker's limit.
    p.put("max.request.size", String.valueOf(4 << 20));
    p.put("compression.type", "lz4");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static List<ConsumerRecord<String, byte[]>> readDeadLetters(EmbeddedKafka kafka, int n) {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(Topics.EVENTS_DLQ).forEach(i -> parts.add(new TopicPartition(i.topic(),
          i.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (out.size() < n && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      // Anything beyond n would be a record dead-lettered twice.
      c.poll(Duration.ofMillis(500)).forEach(out::add);
    }
    return out;
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})? (\\S+)$",
      Pattern.MULTILINE);

  /** The sum of every sample of {@code name}, over all its label values. */
  static double sum(String exposition, String name) {
    double s = 0;
    Matcher m = SAMPLE.matcher(exposition);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        s += Double.parseDouble(m.group(3));
      }
    }
    return s;
  }

  private static HttpResponse<String> get(Daemon daemon, String path) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.httpPort()
        + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String scrapeUntil(Daemon daemon, Predicate<String> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      last = get(daemon, "/metrics").body();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("not reached in 60 s; last scrape:\n" + last.lines()
        .filter(l -> l.startsWith("th_")).toList());
  }
}
