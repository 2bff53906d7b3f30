package dev.traininghealth.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.MalformedEventException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeadLetterReasonTest {
  private final EventCodec codec = new EventCodec();

  private DeadLetterReason classify(String json) {
    byte[] bytes = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
    MalformedEventException e =
        assertThrows(MalformedEventException.class, () -> codec.decode(bytes));
    return DeadLetterReason.of(e);
  }

  private static final String HEADER =
      "\"job\":\"j\",\"run\":\"r\",\"seq\":0,\"ts\":1,\"iter\":0,\"epoch\":0";

  @Test
  void classifiesTheCodecsRejectionsIntoBoundedReasons() {
    assertEquals(DeadLetterReason.EMPTY, classify(null));
    assertEquals(DeadLetterReason.TOO_LARGE,
        DeadLetterReason.of(assertThrows(MalformedEventException.class,
            () -> codec.decode(new byte[EventCodec.MAX_RECORD_BYTES + 1]))));
    assertEquals(DeadLetterReason.NOT_JSON, classify("{not json"));
    assertEquals(DeadLetterReason.NOT_JSON, classify("[1,2]"));
    assertEquals(DeadLetterReason.UNSUPPORTED_VERSION,
        classify("{\"v\":2,\"type\":\"iteration\"," + HEADER + ",\"loss\":1}"));
    assertEquals(DeadLetterReason.UNKNOWN_TYPE,
        classify("{\"v\":1,\"type\":\"gossip\"," + HEADER + "}"));
    assertEquals(DeadLetterReason.MISSING_FIELD,
        classify("{\"v\":1,\"type\":\"iteration\"," + HEADER + "}"));
    assertEquals(DeadLetterReason.INVALID_FIELD,
        classify("{\"v\":1,\"type\":\"iteration\"," + HEADER + ",\"loss\":\"low\"}"));
  }

  @Test
  void everyCodecKindHasTheReasonOfTheSameName() {
    for (MalformedEventException.Kind k : MalformedEventException.Kind.values()) {
      assertEquals(k.label(),
          DeadLetterReason.of(new MalformedEventException(k, "test")).label());
    }
  }

  @Test
  void labelsAreSnakeCase() {
    assertEquals("unsupported_version", DeadLetterReason.UNSUPPORTED_VERSION.label());
  }
}
