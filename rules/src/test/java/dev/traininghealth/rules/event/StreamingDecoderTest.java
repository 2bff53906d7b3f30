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
 * The streaming decoder answers every record as the tree-model decoder it replaced
 * ({@link TreeEventDecoder}) did: the same event, or a rejection of the same kind with the same
 * message. Checked on the fuzzer's inputs and on the cases a one-pass reader gets wrong first:
 * fields in any order, duplicates, unknown fields with bad content, trailing bytes.
 */
class StreamingDecoderTest {
  private static final int INPUTS = 30_000;
  private final EventCodec codec = new EventCodec();
  private final TreeEventDecoder tree = new TreeEventDecoder();

  private String outcomeOfStreaming(byte[] record) {
    try {
      return "accepted " + new String(codec.encode(codec.decode(record)), StandardCharsets.UTF_8);
    } catch (MalformedEventException e) {
      return "rejected " + e.kind() + ": " + e.getMessage();
    }
  }

  private String outcomeOfTree(byte[] record) {
    try {
      return "accepted " + new String(codec.encode(tree.decode(record)), StandardCharsets.UTF_8);
    } catch (MalformedEventException e) {
      return "rejected " + e.kind() + ": " + e.getMessage();
    }
  }

  private void assertSameAnswer(String json) {
    byte[] record = json.getBytes(StandardCharsets.UTF_8);
    assertEquals(outcomeOfTree(record), outcomeOfStreaming(record), json);
  }

  @Test
  void answersEveryFuzzedRecordAsTheTreeDecoderDid() {
    Mutations m = new Mutations(17);
    List<byte[]> corpus = ValidRecords.encodedEvents();
    List<String> differences = new ArrayList<>();
    int accepted = 0;
    for (int i = 0; i < INPUTS; i++) {
      byte[] input = m.json(corpus, EventCodec.MAX_RECORD_BYTES);
      String expected = outcomeOfTree(input);
      String actual = outcomeOfStreaming(input);
      if (!expected.equals(actual)) {
        differences.add(EventCodecFuzzTest.preview(input) + "\n  tree:      " + expected
            + "\n  streaming: " + actual);
      }
      if (expected.startsWith("accepted")) {
        accepted++;
      }
    }
    assertEquals(List.of(), differences.subList(0, Math.min(5, differences.size())),
        differences.size() + " differences");
    assertTrue(accepted > INPUTS / 50, "accepted " + accepted);
  }

  private static final String HEAD =
      "\"v\":1,\"type\":\"iteration\",\"job\":\"j\",\"run\":\"r\",\"seq\":0,\"ts\":1,\"iter\":0,"
          + "\"epoch\":0";

  @Test
  void readsFieldsInAnyOrderWithTheTypeLast() {
    String json = "{\"layers\":[{\"grad_norm\":1,\"layer\":\"0\"}],\"loss\":0.5,\"epoch\":0,"
        + "\"iter\":3,\"ts\":1,\"seq\":2,\"run\":\"r\",\"job\":\"j\",\"v\":1,\"type\":\"iteration\"}";
    assertSameAnswer(json);
    assertTrue(outcomeOfStreaming(json.getBytes(StandardCharsets.UTF_8)).startsWith("accepted"));
  }

  @Test
  void theLastOfDuplicateFieldsWins() {
    assertSameAnswer("{" + HEAD + ",\"loss\":\"lots\",\"loss\":0.5}");
    assertSameAnswer("{" + HEAD + ",\"loss\":0.5,\"loss\":\"lots\"}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"layers\":[7],\"layers\":[{\"layer\":\"a\"}]}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"layers\":[{\"layer\":\"a\",\"layer\":5}]}");
    assertSameAnswer("{\"v\":1,\"type\":\"job_started\",\"job\":\"j\",\"run\":\"r\",\"seq\":0,"
        + "\"ts\":1,\"iter\":0,\"epoch\":0,\"config\":{\"a\":[1],\"b\":2,\"a\":\"x\"}}");
    assertSameAnswer("{\"v\":1,\"type\":\"job_started\",\"job\":\"j\",\"run\":\"r\",\"seq\":0,"
        + "\"ts\":1,\"iter\":0,\"epoch\":0,\"config\":{\"a\":\"x\",\"b\":2,\"a\":{}}}");
  }

  @Test
  void namesTheFirstBadFieldTheTreeDecoderAskedFor() {
    assertSameAnswer("{" + HEAD + ",\"loss\":\"lots\",\"layers\":[{\"layer\":3}]}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"layers\":[{\"layer\":3},5]}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"layers\":[{\"layer\":\"0\",\"grad_norm\":[]}]}");
    assertSameAnswer("{" + HEAD.replace("\"job\":\"j\"", "\"job\":1") + ",\"loss\":[]}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"batch_size\":4294967296}");
    assertSameAnswer("{" + HEAD.replace("\"epoch\":0", "\"epoch\":-1") + ",\"loss\":1}");
    assertSameAnswer("{\"v\":1,\"type\":\"nonfinite\",\"job\":\"j\",\"run\":\"r\",\"seq\":0,"
        + "\"ts\":1,\"iter\":0,\"epoch\":0,\"where\":\"input\",\"nan\":1,\"inf\":0,"
        + "\"rows\":[1,99999999999999999999,\"x\"],\"cols\":[4294967296]}");
    assertSameAnswer("{\"v\":1,\"type\":\"nonfinite\",\"job\":\"j\",\"run\":\"r\",\"seq\":0,"
        + "\"ts\":1,\"iter\":0,\"epoch\":0,\"where\":\"input\",\"nan\":1,\"inf\":0,"
        + "\"rows\":[1,2],\"cols\":[4294967296]}");
  }

  @Test
  void turnsConfigScalarsIntoTheTextATreeGave() {
    assertSameAnswer("{\"v\":1,\"type\":\"job_started\",\"job\":\"j\",\"run\":\"r\",\"seq\":0,"
        + "\"ts\":1,\"iter\":0,\"epoch\":0,\"config\":{\"i\":-0,\"l\":12345678901,"
        + "\"b\":123456789012345678901234567890,\"f\":1.50,\"e\":1e10,\"t\":true,\"n\":null,"
        + "\"s\":\"x\"}}");
  }

  @Test
  void checksUnknownFieldsAsStrictlyAsATree() {
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"future\":{\"x\":[1,2.5,\"s\",null,true]}}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"future\":" + "9".repeat(500) + "}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"future\":[1." + "9".repeat(500) + "]}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"layers\":[{\"layer\":\"0\",\"x\":"
        + "9".repeat(500) + "}]}");
    byte[] badUtf8 = ("{" + HEAD + ",\"loss\":1,\"future\":\"ab\"}")
        .getBytes(StandardCharsets.UTF_8);
    badUtf8[badUtf8.length - 4] = (byte) 0xC3;
    assertEquals(outcomeOfTree(badUtf8), outcomeOfStreaming(badUtf8));
  }

  @Test
  void readsTheRecordsAgentsSendWithoutJacksonAndAsTheTreeDecoderDid() {
    int plain = 0;
    for (byte[] record : ValidRecords.encodedEvents()) {
      assertEquals(outcomeOfTree(record), outcomeOfStreaming(record));
      plain += PlainJsonReader.read(record, EventCodec.topFields()) != null ? 1 : 0;
    }
    // Only nonfinite (rows, cols) and job_started (config) records need Jackson.
    assertTrue(plain >= ValidRecords.encodedEvents().size() / 2, "plain " + plain);
    assertTrue(PlainJsonReader.read(("{" + HEAD + ",\"loss\":0.5,\"layers\":[{\"layer\":"
        + "\"0\",\"grad_norm\":0.30000000000000004}]}").getBytes(StandardCharsets.UTF_8),
        EventCodec.topFields()) != null);
  }

  @Test
  void answersTheEdgesOfThePlainReaderAsTheTreeDecoderDid() {
    String[] values = {
      "-0", "-0.0", "0", "0.0", "1e400", "-1e400", "1E-400", "2.5e+3", "2.5E3", "1.", ".5",
      "01", "-", "+1", "1e", "1e+", "--1", "0x10", "999999999999999999", "-999999999999999999",
      "9999999999999999999", "-9223372036854775808", "123456789012345678901234567890",
      "0.1234567890123456789012345678901234", "1" + "0".repeat(40), "true", "false", "null",
      "nul", "truex", "tru", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"nan\"", "NaN",
      "1x", "1 ", "1\t", "\"\\u0031\"", "\"caf\u00e9\"",
    };
    for (String v : values) {
      assertSameAnswer("{" + HEAD + ",\"loss\":" + v + "}");
      assertSameAnswer("{" + HEAD + ",\"batch_size\":" + v + ",\"loss\":1}");
      assertSameAnswer("{" + HEAD + ",\"loss\":1,\"layers\":[{\"layer\":\"a\",\"grad_norm\":"
          + v + "}]}");
      assertSameAnswer("{" + HEAD.replace("\"job\":\"j\"", "\"job\":" + v) + ",\"loss\":1}");
    }
    assertSameAnswer(" {\n\t" + HEAD.replace(",", " ,\r\n ").replace(":", " : ")
        + " , \"loss\" : 1 , \"layers\" : [ { \"layer\" : \"a\" } , { } ] }\n ");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"layers\":[]}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"layers\":[{\"layer\":\"a\"},]}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"layers\":[{\"layer\":\"a\"}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"los\":2}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"lossy\":2}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"lo\\u0073s\":2}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"layers\":{}}");
    assertSameAnswer("{" + HEAD + ",\"loss\":1,\"step_ms\":[]}");
    assertSameAnswer("{" + HEAD + ",\"job\":\"tab\there\",\"loss\":1}");
    assertSameAnswer("\u00ef\u00bb\u00bf{" + HEAD + ",\"loss\":1}");
    assertSameAnswer("{}");
    assertSameAnswer("{ }");
  }

  @Test
  void looksOnlyAtTheFirstValueOfTheRecord() {
    assertSameAnswer("{" + HEAD + ",\"loss\":1} trailing {");
    assertSameAnswer("[1,2] {" + HEAD + ",\"loss\":1}");
    assertSameAnswer("null");
    assertSameAnswer("");
    assertSameAnswer("   ");
    assertSameAnswer("[[[[[[");
    assertSameAnswer("{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}");
  }

  @Test
  void aFieldOfOneRecordNeverShowsInTheNext() {
    // The plain reader reuses its objects from record to record on a thread: every answer must
    // still be the one the tree decoder, which reuses nothing, gives for that record alone.
    List<byte[]> records = new ArrayList<>(ValidRecords.encodedEvents());
    StringBuilder many = new StringBuilder("{" + HEAD + ",\"loss\":0.5,\"layers\":[");
    for (int i = 0; i < RecordFields.Arena.RETAINED + 50; i++) {
      many.append(i == 0 ? "" : ",").append("{\"layer\":\"").append(i)
          .append("\",\"grad_norm\":").append(i + 0.5).append('}');
    }
    records.add(many.append("]}").toString().getBytes(StandardCharsets.UTF_8));
    records.add(("{" + HEAD + ",\"loss\":0.25,\"layers\":[{\"layer\":\"0\"}]}")
        .getBytes(StandardCharsets.UTF_8));
    records.add(("{" + HEAD + ",\"loss\":0.25,\"layers\":[{\"layer\":\"0\",\"grad_norm\":"
        + "\"x\"}]}").getBytes(StandardCharsets.UTF_8));
    List<byte[]> order = new ArrayList<>(records);
    java.util.Collections.reverse(order);
    order.addAll(records);
    java.util.Collections.shuffle(order, new java.util.Random(5));
    order.addAll(records);
    for (byte[] record : order) {
      assertEquals(outcomeOfTree(record), outcomeOfStreaming(record),
          new String(record, StandardCharsets.UTF_8));
    }
  }

  @Test
  void decodesARecordInAnyPartOfABufferAndLeavesTheBufferAsItWas() throws Exception {
    byte[] record = ValidRecords.encodedEvents().get(1);
    String expected = outcomeOfStreaming(record);
    byte[] padded = new byte[record.length + 20];
    System.arraycopy(record, 0, padded, 7, record.length);
    padded[6] = 'x';
    java.nio.ByteBuffer slice = java.nio.ByteBuffer.wrap(padded, 3, record.length + 10).slice();
    slice.position(4).limit(4 + record.length); // arrayOffset 3 plus position 4: record at 7
    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(record.length + 5);
    direct.position(5);
    direct.put(record).position(5);
    for (java.nio.ByteBuffer b : List.of(slice, slice.asReadOnlyBuffer(), direct)) {
      int position = b.position();
      assertEquals(expected,
          "accepted " + new String(codec.encode(codec.decode(b)), StandardCharsets.UTF_8), "" + b);
      assertEquals(position, b.position());
      assertEquals(position + record.length, b.limit());
    }
    // The bytes around the record are not part of it: one more in front makes it bad JSON.
    slice.position(3);
    MalformedEventException e =
        org.junit.jupiter.api.Assertions.assertThrows(MalformedEventException.class,
            () -> codec.decode(slice));
    assertEquals(MalformedEventException.Kind.NOT_JSON, e.kind(), e.getMessage());
  }
}
