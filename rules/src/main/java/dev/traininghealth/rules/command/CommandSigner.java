package dev.traininghealth.rules.command;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over a command's canonical form with a key the agent and the daemon share.
 * Verification compares in constant time.
 */
public final class CommandSigner {
  private static final String ALGORITHM = "HmacSHA256";
  private static final int MIN_KEY_BYTES = 16;

  private final SecretKeySpec key;
  private final CommandCodec codec = new CommandCodec();

  private CommandSigner(byte[] key) {
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException(
          "the command key must be at least " + MIN_KEY_BYTES + " bytes, got " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), ALGORITHM);
  }

  /** A signer with the key's UTF-8 bytes (at least 16). */
  public static CommandSigner withKey(String key) {
    return new CommandSigner(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The command with its signature set. */
  public Command sign(Command c) {
    return c.withSig(hex(mac(codec.canonical(c))));
  }

  /** Whether {@code c} carries the signature this key gives its canonical form. */
  public boolean verify(Command c) {
    if (c.sig().isEmpty()) {
      return false;
    }
    byte[] expected = hex(mac(codec.canonical(c))).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, c.sig().getBytes(StandardCharsets.US_ASCII));
  }

  private byte[] mac(byte[] data) {
    try {
      Mac m = Mac.getInstance(ALGORITHM);
      m.init(key);
      return m.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder(b.length * 2);
    for (byte x : b) {
      s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return s.toString();
  }
}
