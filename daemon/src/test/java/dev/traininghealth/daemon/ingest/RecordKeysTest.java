package dev.traininghealth.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class RecordKeysTest {
  /** The key as it sits in a fetched record: a slice of a bigger buffer, not at its start. */
  private static ByteBuffer key(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocate(bytes.length + 9);
    b.put(new byte[] {'{', 'x', '"'}).put(bytes).put(new byte[] {'j', 'o', 'b', '-', '1', '}'});
    b.position(3).limit(3 + bytes.length);
    return b.slice().position(0);
  }

  @Test
  void matchesAKeyExactlyWhenTheStringDeserializerWouldHave() {
    StringDeserializer strings = new StringDeserializer();
    List<byte[]> keys = List.of("job-1".getBytes(StandardCharsets.UTF_8),
        "job-2".getBytes(StandardCharsets.UTF_8), "job-".getBytes(StandardCharsets.UTF_8),
        "job-10".getBytes(StandardCharsets.UTF_8), new byte[0],
        "jöb-1".getBytes(StandardCharsets.UTF_8), "jöb-1".getBytes(StandardCharsets.ISO_8859_1),
        new byte[] {'j', (byte) 0xC3, 'b'}, "\uD83D\uDE80".getBytes(StandardCharsets.UTF_8));
    List<String> jobs = List.of("job-1", "job-2", "jöb-1", "j\uFFFDb", "\uD83D\uDE80", "", "jöb-",
        "job-1\uFFFD");
    for (byte[] k : keys) {
      String text = strings.deserialize("th.events", k);
      assertEquals(text, RecordKeys.text(key(k)));
      for (String job : jobs) {
        ByteBuffer b = key(k);
        assertEquals(text.equals(job), RecordKeys.isJob(b, job), text + " vs " + job);
        assertEquals(0, b.position());
        assertEquals(k.length, b.remaining());
      }
    }
  }
}
