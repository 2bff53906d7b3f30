package dev.traininghealth.rules.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Mutations;
import dev.traininghealth.rules.ValidRecords;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of {@link EventCodec#decode}: whatever the bytes, it returns an event or throws
 * {@link MalformedEventException}, and what it accepts it can encode and read back. The bench
 * ({@code FuzzBench}) runs the same with millions of inputs.
 */
class EventCodecFuzzTest {
  private static final int INPUTS = 20_000;
  private final EventCodec codec = new EventCodec();

  @Test
  void decodeOnlyEverAcceptsOrRejectsAndWhatItAcceptsRoundTrips() {
    Mutations m = new Mutations(9);
    List<byte[]> corpus = ValidRecords.encodedEvents();
    List<String> bugs = new ArrayList<>();
    int accepted = 0;
    int rejected = 0;
    for (int i = 0; i < INPUTS; i++) {
      byte[] input = m.json(corpus, EventCodec.MAX_RECORD_BYTES);
      try {
        Event e = codec.decode(input);
        accepted++;
        codec.decode(codec.encode(e));
      } catch (MalformedEventException ex) {
        rejected++;
        if (ex.getMessage() == null || ex.getMessage().isEmpty()) {
          bugs.add("rejected without a reason: " + preview(input));
        }
      } catch (Throwable t) {
        bugs.add(t + " on " + preview(input));
      }
    }
    assertEquals(List.of(), bugs.subList(0, Math.min(5, bugs.size())), bugs.size() + " bugs");
    assertEquals(INPUTS, accepted + rejected);
    // A fuzzer that only produced garbage, or only valid records, would prove little.
    assertTrue(accepted > INPUTS / 50, "accepted " + accepted);
    assertTrue(rejected > INPUTS / 2, "rejected " + rejected);
  }

  @Test
  void rejectsTheClassicsWithAReason() {
    String head = "{\"v\":1,\"type\":\"iteration\",\"job\":\"j\",\"run\":\"r\",\"seq\":0,\"ts\":1,"
        + "\"epoch\":0,";
    String[] bad = {
      head + "\"iter\":0,\"loss\":1e400}",
      head + "\"iter\":0,\"loss\":NaN}",
      head + "\"iter\":99999999999999999999,\"loss\":1}",
      head + "\"iter\":0,\"loss\":[1]}",
      head + "\"iter\":0,\"loss\":1,\"batch_size\":1e10}",
      "{\"v\":2" + head.substring(6) + "\"iter\":0,\"loss\":1}",
      "[".repeat(100_000),
      "{\"a\":".repeat(5_000),
      "\"just a string\"",
      "",
    };
    for (String json : bad) {
      try {
        Event e = codec.decode(json.getBytes(StandardCharsets.UTF_8));
        // 1e400 overflows to Infinity, which the wire format can carry: accepted on purpose.
        assertTrue(json.contains("1e400") && Double.isInfinite(((Iteration) e).loss()),
            "accepted " + preview(json.getBytes(StandardCharsets.UTF_8)));
      } catch (MalformedEventException ex) {
        assertTrue(!ex.getMessage().isEmpty());
      }
    }
  }

  @Test
  void rejectsNegativeCountersNamingTheField() {
    String json = "{\"v\":1,\"type\":\"iteration\",\"job\":\"j\",\"run\":\"r\",\"seq\":5,"
        + "\"ts\":1,\"iter\":-3,\"epoch\":0,\"loss\":0.5}";
    MalformedEventException ex = org.junit.jupiter.api.Assertions.assertThrows(
        MalformedEventException.class, () -> codec.decode(json.getBytes(StandardCharsets.UTF_8)));
    assertTrue(ex.getMessage().contains("iter"), ex.getMessage());
  }

  static String preview(byte[] input) {
    String s = new String(input, 0, Math.min(input.length, 160), StandardCharsets.UTF_8);
    return "[" + input.length + " bytes] " + s;
  }
}
