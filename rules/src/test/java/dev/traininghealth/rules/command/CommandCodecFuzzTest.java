package dev.traininghealth.rules.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Mutations;
import dev.traininghealth.rules.ValidRecords;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command protocol under malformed and tampered input: {@link CommandCodec#decode} only ever
 * returns a command or throws {@link MalformedCommandException}, and no change of a signed
 * record gets a different command past {@link CommandSigner#verify}.
 */
class CommandCodecFuzzTest {
  private static final int INPUTS = 20_000;
  private final CommandCodec codec = new CommandCodec();
  private final CommandSigner signer = CommandSigner.withKey(ValidRecords.COMMAND_KEY);

  @Test
  void decodeOnlyEverAcceptsOrRejectsAndNoMutantVerifiesAsADifferentCommand() {
    Mutations m = new Mutations(11);
    List<byte[]> corpus = ValidRecords.encodedCommands();
    List<String> bugs = new ArrayList<>();
    int accepted = 0;
    int rejected = 0;
    for (int i = 0; i < INPUTS; i++) {
      byte[] input = m.json(corpus, CommandCodec.MAX_RECORD_BYTES);
      try {
        Command c = codec.decode(input);
        accepted++;
        if (signer.verify(c) && !isOriginal(c)) {
          bugs.add("a changed command verifies: " + preview(input));
        }
      } catch (MalformedCommandException ex) {
        rejected++;
      } catch (Throwable t) {
        bugs.add(t + " on " + preview(input));
      }
    }
    assertEquals(List.of(), bugs.subList(0, Math.min(5, bugs.size())), bugs.size() + " bugs");
    assertTrue(accepted > 0 && rejected > INPUTS / 2, accepted + " accepted");
  }

  /**
   * Every single-byte change of every signed record, exhaustively (all 255 other values at every
   * position): it does not decode, or it does not verify, or it decodes to the very command that
   * was signed (e.g. a renamed key of an empty optional field, which reads as absent = empty).
   */
  @Test
  void everySingleByteChangeOfASignedRecordFailsToDecodeOrToVerify() {
    int verifiedChanges = 0;
    int sameCommand = 0;
    for (byte[] record : ValidRecords.encodedCommands()) {
      for (int i = 0; i < record.length; i++) {
        for (int b = 0; b < 256; b++) {
          if ((byte) b == record[i]) {
            continue;
          }
          byte[] changed = record.clone();
          changed[i] = (byte) b;
          Command c;
          try {
            c = codec.decode(changed);
          } catch (MalformedCommandException ex) {
            continue;
          }
          if (signer.verify(c)) {
            verifiedChanges++;
            assertTrue(isOriginal(c), "byte " + i + " -> " + b + " verifies as a different command: "
                + new String(changed, StandardCharsets.UTF_8));
            sameCommand++;
          }
        }
      }
    }
    assertEquals(sameCommand, verifiedChanges);
  }

  @Test
  void aWrongKeyAnEmptyOrTruncatedSignatureNeverVerifies() throws Exception {
    CommandSigner other = CommandSigner.withKey("another-key-0123456789abcdef");
    for (Command c : ValidRecords.commands()) {
      assertFalse(other.verify(c), "wrong key");
      assertFalse(signer.verify(c.withSig("")), "no signature");
      assertFalse(signer.verify(c.withSig(c.sig().substring(0, 63))), "truncated");
      assertFalse(signer.verify(c.withSig(c.sig().toUpperCase(java.util.Locale.ROOT))),
          "the same hex in upper case is another signature");
      assertFalse(signer.verify(c.withSig(c.sig() + "00")), "extended");
      Command forged = other.sign(c);
      assertFalse(signer.verify(codec.decode(codec.encode(forged))), "signed with another key");
    }
  }

  private boolean isOriginal(Command c) {
    for (Command o : ValidRecords.commands()) {
      if (Arrays.equals(codec.encode(o), codec.encode(c))) {
        return true;
      }
    }
    return false;
  }

  private static String preview(byte[] input) {
    String s = new String(input, 0, Math.min(input.length, 200), StandardCharsets.UTF_8);
    return "[" + input.length + " bytes] " + s;
  }
}
