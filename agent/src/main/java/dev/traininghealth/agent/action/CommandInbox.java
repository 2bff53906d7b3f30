package dev.traininghealth.agent.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandCodec;
import dev.traininghealth.rules.command.MalformedCommandException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded hand-over from whatever receives commands (the Kafka consumer's thread, a test) to
 * the training thread. Never blocks either side: when it is full, what arrives is dropped and
 * counted, and the executor reports the count.
 */
public final class CommandInbox {
  private final BlockingQueue<Inbound> queue;
  private final CommandCodec codec = new CommandCodec();
  private final ObjectMapper lenient = new ObjectMapper();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong received = new AtomicLong();

  public CommandInbox(int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  /** Queues a decoded command; false (and counted) when the inbox is full. */
  public boolean offer(Command c) {
    return offer(Inbound.of(c));
  }

  /**
   * Decodes a record's value and queues the command, or queues why it is malformed, so that the
   * executor reports it like any other rejection.
   */
  public boolean offerRecord(byte[] value) {
    Inbound in;
    try {
      in = Inbound.of(codec.decode(value));
    } catch (MalformedCommandException e) {
      in = Inbound.malformed(guessId(value), "malformed command: " + e.getMessage());
    }
    return offer(in);
  }

  private boolean offer(Inbound in) {
    received.incrementAndGet();
    if (queue.offer(in)) {
      return true;
    }
    dropped.incrementAndGet();
    return false;
  }

  /** The id a malformed record seems to carry, so its sender can match the rejection. */
  private String guessId(byte[] value) {
    if (value == null || value.length == 0 || value.length > CommandCodec.MAX_RECORD_BYTES) {
      return "";
    }
    try {
      JsonNode n = lenient.readTree(value);
      JsonNode id = n == null ? null : n.get("id");
      return id != null && id.isTextual() && id.textValue().length() <= 256 ? id.textValue() : "";
    } catch (Exception e) {
      return "";
    }
  }

  /** Whether no command waits. */
  public boolean isEmpty() {
    return queue.isEmpty();
  }

  /** The next command, or null when none waits. */
  Inbound poll() {
    return queue.poll();
  }

  /** Commands dropped because the inbox was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Everything offered so far, dropped or not. */
  public long received() {
    return received.get();
  }
}
