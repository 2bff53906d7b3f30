package dev.traininghealth.daemon.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The keys of {@code th.events} records, read as the bytes Kafka hands over. A key is only ever
 * compared with its event's job, and a {@code String} made for every record to do that was a
 * twentieth of the ingest thread; the text (and a copy of the bytes) is made only for a dead
 * letter.
 */
final class RecordKeys {
  private RecordKeys() {}

  /**
   * Whether the key is {@code job} in UTF-8, as a {@code StringDeserializer} would have read it;
   * leaves the buffer as it was.
   */
  static boolean isJob(ByteBuffer key, String job) {
    int n = key.remaining();
    if (n != job.length()) {
      return n > job.length() && text(key).equals(job); // multi-byte characters are longer
    }
    int start = key.position();
    for (int i = 0; i < n; i++) {
      byte b = key.get(start + i);
      if (b < 0) {
        return text(key).equals(job); // beyond ASCII: decode as the deserializer did
      }
      if (b != job.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The key's text as a {@code StringDeserializer} reads it (bad UTF-8 replaced), or null. */
  static String text(ByteBuffer key) {
    return key == null ? null : new String(bytes(key), StandardCharsets.UTF_8);
  }

  /** A record's key or value in an array of its own; the buffer is left as it was. */
  static byte[] bytes(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
