package dev.traininghealth.agent.action;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads this job's commands from the command topic on a daemon thread of its own and hands them
 * to a {@link CommandInbox}; training never waits for it.
 *
 * <p>No consumer group: every worker of a job must see every command of the job, and a shared
 * group would give each record to one of them only. The consumer instead {@code assign}s every
 * partition of the topic (commands are rare, so reading other jobs' records and dropping them by
 * key costs little, and a change of partition count cannot hide the job's partition) and starts
 * at the end: commands issued before the run started were meant for an earlier run or have
 * expired. Partitions that appear later are read from their beginning.
 *
 * <p>Broker outages: the Kafka client reconnects by itself; if the consumer fails otherwise it is
 * closed and a new one resumes from the positions reached, after a back-off. A record seen twice
 * after such a resume is rejected by the executor's replay check, which outlives the consumer.
 */
public final class CommandConsumer implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long METADATA_REFRESH_MS = 30_000;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Properties props;
  private final String topic;
  private final byte[] job;
  private final CommandInbox inbox;
  private final Thread thread;
  private final Map<TopicPartition, Long> positions = new HashMap<>();
  private final CountDownLatch ready = new CountDownLatch(1);
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong otherJobs = new AtomicLong();
  private volatile boolean closed;
  private volatile KafkaConsumer<byte[], byte[]> current;
  private volatile String lastError = "";

  private CommandConsumer(
      String bootstrapServers, String topic, String job, Map<String, String> kafka,
      CommandInbox inbox) {
    this.topic = topic;
    this.job = job.getBytes(StandardCharsets.UTF_8);
    this.inbox = inbox;
    this.props = new Properties();
    for (Map.Entry<String, String> e : kafka.entrySet()) {
      // The agent's kafka.* options are written for the producer; hand over the ones a consumer
      // knows (security, client DNS, timeouts) and leave the rest, which would only warn.
      if (ConsumerConfig.configNames().contains(e.getKey())) {
        props.put(e.getKey(), e.getValue());
      }
    }
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "training-health-commands");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.thread = new Thread(this::loop, "training-health-commands");
    thread.setDaemon(true);
  }

  /** Starts reading {@code topic} for records keyed {@code job}. */
  public static CommandConsumer start(
      String bootstrapServers, String topic, String job, Map<String, String> kafka,
      CommandInbox inbox) {
    CommandConsumer c = new CommandConsumer(bootstrapServers, topic, job, kafka, inbox);
    c.thread.start();
    return c;
  }

  /**
   * Waits until the consumer has its partitions and start positions: commands sent after this
   * returns true are seen. For tests and for programs that send a command right away.
   */
  public boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException {
    return ready.await(timeout, unit);
  }

  /** Times the consumer failed and was replaced. */
  public long failures() {
    return failures.get();
  }

  /** The last failure's message, or empty. */
  public String lastError() {
    return lastError;
  }

  /** Records skipped because they were keyed for other jobs. */
  public long otherJobs() {
    return otherJobs.get();
  }

  private void loop() {
    long backoff = 100;
    while (!closed) {
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
        current = consumer;
        if (closed) {
          break;
        }
        long refreshedAt = 0;
        while (!closed) {
          if (System.currentTimeMillis() - refreshedAt > METADATA_REFRESH_MS
              || consumer.assignment().isEmpty()) {
            if (assign(consumer)) {
              ready.countDown();
              refreshedAt = System.currentTimeMillis();
            } else {
              sleep(backoff);
              backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
              continue;
            }
          }
          ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
          for (ConsumerRecord<byte[], byte[]> r : records) {
            positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            if (Arrays.equals(job, r.key())) {
              inbox.offerRecord(r.value());
            } else {
              otherJobs.incrementAndGet();
            }
          }
          backoff = 100;
        }
      } catch (WakeupException e) {
        // close() woke the consumer up; the loop condition ends it.
      } catch (Exception e) {
        failures.incrementAndGet();
        lastError = e.toString();
        sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      } finally {
        current = null;
      }
    }
  }

  /** Assigns every partition of the topic and positions new ones; false if the topic is unknown. */
  private boolean assign(KafkaConsumer<byte[], byte[]> consumer) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
    if (infos == null || infos.isEmpty()) {
      return false;
    }
    List<TopicPartition> all = new ArrayList<>();
    for (PartitionInfo p : infos) {
      all.add(new TopicPartition(p.topic(), p.partition()));
    }
    boolean first = positions.isEmpty() && consumer.assignment().isEmpty();
    consumer.assign(all);
    List<TopicPartition> fresh = new ArrayList<>();
    for (TopicPartition tp : all) {
      Long at = positions.get(tp);
      if (at != null) {
        consumer.seek(tp, at);
      } else {
        fresh.add(tp);
      }
    }
    if (!fresh.isEmpty()) {
      if (first) {
        consumer.seekToEnd(fresh);
      } else {
        consumer.seekToBeginning(fresh);
      }
      for (TopicPartition tp : fresh) {
        // Resolves the lazy seek now, so a resume after a failure starts from here too.
        positions.put(tp, consumer.position(tp, Duration.ofSeconds(5)));
      }
    }
    return true;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the thread and closes the consumer; waits up to a few seconds. */
  @Override
  public void close() {
    closed = true;
    KafkaConsumer<byte[], byte[]> c = current;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
