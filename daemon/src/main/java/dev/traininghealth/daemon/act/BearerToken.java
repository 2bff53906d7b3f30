package dev.traininghealth.daemon.act;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks an {@code Authorization: Bearer <token>} header against the configured token in
 * constant time: both sides are hashed first, so neither the content nor the length of the
 * token leaks through timing. Immutable, thread-safe.
 */
final class BearerToken {
  private static final String SCHEME = "bearer ";

  private final byte[] expected;

  private BearerToken(byte[] expected) {
    this.expected = expected;
  }

  /** A checker for {@code token}; an empty token (insecure mode) admits every request. */
  static BearerToken of(String token) {
    return new BearerToken(token.isEmpty() ? null : sha256(token));
  }

  boolean admits(String authorization) {
    if (expected == null) {
      return true;
    }
    if (authorization == null || authorization.length() <= SCHEME.length()
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    return MessageDigest.isEqual(expected, sha256(authorization.substring(SCHEME.length())));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
