package dev.traininghealth.bench;

import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.Topics;
import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.LayerStats;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Load and soak: N simulated jobs each send R {@code iteration} events per second for T seconds
 * to one daemon, in this process, with an embedded broker on loopback. It stops by itself.
 *
 * <p>Measured end to end: events acknowledged by the broker against {@code th_events_total} on
 * the daemon's {@code /metrics} (none may be lost); the heap after a full GC every 30 s (it must
 * stay flat once all jobs are known); and latency from produce to evaluated, timed through the
 * alert path: a few probe jobs per second each send one NaN loss, which the {@code nonfinite}
 * rule (for: 0) turns into a firing alert on {@code th.alerts} at once, so the time from send to
 * that alert record is ingest + evaluation + the alert's own trip through Kafka (an upper bound
 * of produce-to-evaluated). Everything shares one JVM and the machine's cores, so the figures
 * are for this box under this load, not the daemon alone.
 *
 * <pre>
 * scripts/bench.sh SoakBench [--jobs 10000] [--rate 10] [--seconds 600] [--producers 2]
 *                            [--probes 20] [--heap-every 30] [--partitions 12]
 * </pre>
 */
public final class SoakBench {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})? (\\S+)$", Pattern.MULTILINE);

  private final int jobs;
  private final int rate;
  private final int seconds;
  private final int producers;
  private final int probesPerSecond;
  private final int heapEverySeconds;
  private final int partitions;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final Map<String, Long> probeSentNanos = new ConcurrentHashMap<>();
  private final List<Double> latenciesMs = new ArrayList<>();
  /** Latencies by the 10-second window of their send, to see where a tail comes from. */
  private final Map<Long, List<Double>> latenciesByWindow = new java.util.TreeMap<>();
  private volatile long startNanos;
  private volatile boolean producing = true;

  private SoakBench(Map<String, Integer> o) {
    jobs = o.getOrDefault("jobs", 10_000);
    rate = o.getOrDefault("rate", 10);
    seconds = o.getOrDefault("seconds", 600);
    producers = o.getOrDefault("producers", 2);
    probesPerSecond = o.getOrDefault("probes", 20);
    heapEverySeconds = o.getOrDefault("heap-every", 30);
    partitions = o.getOrDefault("partitions", 12);
  }

  public static void main(String[] args) throws Exception {
    Map<String, Integer> o = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      o.put(args[i].substring(2), Integer.parseInt(args[i + 1]));
    }
    new SoakBench(o).run();
    System.exit(0);
  }

  private void run() throws Exception {
    System.out.printf("soak: %d jobs x %d events/s x %d s = %,d events (%,d/s), %d producer"
            + " threads, %d probe jobs/s, %d partitions; %d cores, max heap %d MB%n",
        jobs, rate, seconds, (long) jobs * rate * seconds, (long) jobs * rate, producers,
        probesPerSecond, partitions, Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(partitions, Topics.EVENTS);
      DaemonConfig config = DaemonConfig.builder()
          .bootstrapServers(kafka.bootstrapServers())
          .httpPort(0)
          .apiToken("bench-token")
          .topicPartitions(partitions)
          // Every job stays in memory (probe jobs too), so the heap shows the cost of all of them.
          .jobsMax(jobs + probesPerSecond * seconds + 1_000)
          .build();
      try (Daemon daemon = Daemon.start(config)) {
        Thread alerts = new Thread(() -> readAlerts(kafka.bootstrapServers()), "soak-alerts");
        alerts.setDaemon(true);
        alerts.start();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        startNanos = start;
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
          for (int p = 0; p < producers; p++) {
            int first = p;
            Thread t = new Thread(() -> produce(producer, first, start), "soak-producer-" + p);
            t.start();
            threads.add(t);
          }
          Thread probes = new Thread(() -> probe(producer, start), "soak-probes");
          probes.start();
          threads.add(probes);
          List<String> heap = new ArrayList<>();
          heap.add(heapSample(0));
          long nextHeap = heapEverySeconds;
          long lastReport = 0;
          while (threads.get(0).isAlive()) {
            Thread.sleep(1_000);
            long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            if (elapsed >= nextHeap) {
              heap.add(heapSample(elapsed));
              nextHeap += heapEverySeconds;
            }
            if (elapsed - lastReport >= 10) {
              lastReport = elapsed;
              System.out.printf("  t=%3d s: sent %,d, acked %,d, daemon counted %,.0f%n", elapsed,
                  sent.get(), acked.get(), sum(scrape(daemon), "th_events_total"));
            }
          }
          for (Thread t : threads) {
            t.join();
          }
          producer.flush();
          long producedAt = System.nanoTime();
          double counted = 0;
          String metrics = "";
          while (System.nanoTime() - producedAt < TimeUnit.SECONDS.toNanos(120)) {
            metrics = scrape(daemon);
            counted = sum(metrics, "th_events_total");
            if (counted >= acked.get()) {
              break;
            }
            Thread.sleep(250);
          }
          double drainS = (System.nanoTime() - producedAt) / 1e9;
          heap.add(heapSample(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)));
          producing = false;
          Thread.sleep(1_000);
          report(metrics, counted, drainS, heap);
        }
      }
    }
  }

  // ------------------------------------------------------------------ producing

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", "all");
    p.put("compression.type", "lz4");
    p.put("linger.ms", "5");
    p.put("batch.size", String.valueOf(64 * 1024));
    p.put("buffer.memory", String.valueOf(256L << 20));
    p.put("delivery.timeout.ms", "300000");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Sends one event per job of this thread's share, {@code rate} times a second. */
  private void produce(KafkaProducer<byte[], byte[]> producer, int thread, long start) {
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> heads = new ArrayList<>();
    for (int j = thread; j < jobs; j += producers) {
      String job = String.format("soak-%05d", j);
      keys.add(job.getBytes(StandardCharsets.UTF_8));
      heads.add(("{\"v\":1,\"type\":\"iteration\",\"job\":\"" + job + "\",\"run\":\"run-" + j
          + "\",\"seq\":").getBytes(StandardCharsets.UTF_8));
    }
    byte[][] bodies = bodies();
    long rounds = (long) rate * seconds;
    long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
    for (long round = 0; round < rounds; round++) {
      sleepUntil(start + round * periodNanos);
      long ts = System.currentTimeMillis();
      byte[] body = bodies[(int) (round % bodies.length)];
      for (int j = 0; j < keys.size(); j++) {
        byte[] value = iteration(heads.get(j), round, ts, body);
        sent.incrementAndGet();
        producer.send(new ProducerRecord<>(Topics.EVENTS, keys.get(j), value), (m, e) -> {
          if (e == null) {
            acked.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
        });
      }
    }
  }

  /**
   * The rest of an iteration event after {@code "epoch":}, pre-encoded: a loss falling with the
   * round and per-layer norms, about 300 bytes in all, like the agent's cheap tier.
   */
  private static byte[][] bodies() {
    EventCodec codec = new EventCodec();
    byte[][] out = new byte[1000][];
    for (int i = 0; i < out.length; i++) {
      Iteration it = Iteration.builder(Header.of("j", "r", 0, 0, 0, 0, null))
          .loss(2.3 / (1 + i / 200.0) * (1 + 0.01 * Math.sin(i)))
          .learningRate(1e-3).gradNorm(0.8 + 0.1 * Math.cos(i)).stepMs(12.5).batchSize(128)
          .layers(List.of(LayerStats.of("0", "W", 0.5, Double.NaN, Double.NaN),
              LayerStats.of("1", "W", 0.3, Double.NaN, Double.NaN)))
          .build();
      String json = new String(codec.encode(it), StandardCharsets.UTF_8);
      out[i] = json.substring(json.indexOf("\"epoch\":0,") + "\"epoch\":0,".length())
          .getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static byte[] iteration(byte[] head, long iter, long ts, byte[] body) {
    byte[] mid = (iter + ",\"ts\":" + ts + ",\"iter\":" + iter + ",\"epoch\":0,")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + mid.length + body.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(mid, 0, out, head.length, mid.length);
    System.arraycopy(body, 0, out, head.length + mid.length, body.length);
    return out;
  }

  /** Each probe job sends one NaN loss; its alert's arrival on th.alerts times the path. */
  private void probe(KafkaProducer<byte[], byte[]> producer, long start) {
    if (probesPerSecond <= 0) {
      return;
    }
    EventCodec codec = new EventCodec();
    long total = (long) probesPerSecond * seconds;
    long periodNanos = TimeUnit.SECONDS.toNanos(1) / probesPerSecond;
    for (long k = 0; k < total; k++) {
      sleepUntil(start + k * periodNanos + periodNanos / 2);
      String job = "probe-" + k;
      byte[] value = codec.encode(Iteration.builder(
          Header.of(job, "run", 0, System.currentTimeMillis(), 0, 0, null))
          .loss(Double.NaN).build());
      probeSentNanos.put(job, System.nanoTime());
      sent.incrementAndGet();
      producer.send(new ProducerRecord<>(Topics.EVENTS, job.getBytes(StandardCharsets.UTF_8),
          value), (m, e) -> {
            if (e == null) {
              acked.incrementAndGet();
            } else {
              failed.incrementAndGet();
            }
          });
    }
  }

  private void readAlerts(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    try (KafkaConsumer<String, String> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(Topics.ALERTS).forEach(i -> parts.add(new TopicPartition(i.topic(),
          i.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      while (producing) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
          long now = System.nanoTime();
          Long sentAt = r.key() == null ? null : probeSentNanos.remove(r.key());
          if (sentAt != null && r.value().contains("\"to\":\"firing\"")) {
            synchronized (latenciesMs) {
              latenciesMs.add((now - sentAt) / 1e6);
              latenciesByWindow.computeIfAbsent(TimeUnit.NANOSECONDS.toSeconds(sentAt
                  - startNanos) / 10 * 10, k -> new ArrayList<>()).add((now - sentAt) / 1e6);
            }
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ measuring

  private static String heapSample(long atSeconds) {
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return String.format("t=%d s: %d MB", atSeconds, used >> 20);
  }

  private static String scrape(Daemon daemon) {
    try {
      HttpClient http = HttpClient.newHttpClient();
      return http.send(HttpRequest.newBuilder(URI.create(daemon.metricsUrl()))
              .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      return "";
    }
  }

  private static double sum(String exposition, String name) {
    double s = 0;
    Matcher m = SAMPLE.matcher(exposition);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        s += Double.parseDouble(m.group(3));
      }
    }
    return s;
  }

  private void report(String metrics, double counted, double drainS, List<String> heap) {
    double[] lat;
    synchronized (latenciesMs) {
      lat = latenciesMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
    long probes = (long) probesPerSecond * seconds;
    System.out.printf("events: sent %,d, acked by the broker %,d, send failures %,d, counted by"
            + " the daemon (th_events_total) %,.0f, lost %,.0f; daemon caught up %.1f s after"
            + " the last send%n", sent.get(), acked.get(), failed.get(), counted,
        acked.get() - counted, drainS);
    System.out.printf("dead letters %,.0f, jobs tracked %,.0f, jobs evicted %,.0f%n",
        sum(metrics, "th_dead_letters_total"), sum(metrics, "th_jobs_tracked"),
        sum(metrics, "th_jobs_evicted_total"));
    if (lat.length > 0) {
      System.out.printf("latency produce -> alert on th.alerts: %d of %d probes, p50 %.1f ms,"
              + " p99 %.1f ms, max %.1f ms%n", lat.length, probes, pct(lat, 0.50),
          pct(lat, 0.99), lat[lat.length - 1]);
      StringBuilder w = new StringBuilder("  by 10 s window of sending (p50/p99 ms):");
      synchronized (latenciesMs) {
        latenciesByWindow.forEach((t, l) -> {
          double[] x = l.stream().mapToDouble(Double::doubleValue).sorted().toArray();
          w.append(String.format(" %d s: %.0f/%.0f;", t, pct(x, 0.5), pct(x, 0.99)));
        });
      }
      System.out.println(w);
    } else {
      System.out.println("latency: no probe alert arrived");
    }
    System.out.println("heap after GC: " + String.join(", ", heap));
  }

  private static double pct(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static void sleepUntil(long nanos) {
    long wait = nanos - System.nanoTime();
    if (wait > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
