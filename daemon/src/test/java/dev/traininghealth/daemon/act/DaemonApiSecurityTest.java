package dev.traininghealth.daemon.act;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The daemon does not start with an open write API unless told to in so many words. */
class DaemonApiSecurityTest {
  @Test
  void withoutATokenAndWithoutInsecureModeTheDaemonRefusesToStart() {
    DaemonConfig config = DaemonConfig.builder().bootstrapServers("127.0.0.1:1").httpPort(0)
        .build();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Daemon.start(config));
    assertTrue(e.getMessage().contains("th.daemon.api.token is not set"), e.getMessage());
    assertTrue(e.getMessage().contains("th.daemon.api.insecure=true"), e.getMessage());
  }

  @Test
  void insecureModeMustBeSpelledOut() {
    DaemonConfig.load(Map.of("th.daemon.api.insecure", "true")).requireApiSecurity();
    DaemonConfig.load(Map.of("th.daemon.api.token", "t")).requireApiSecurity();
    assertThrows(IllegalStateException.class,
        () -> DaemonConfig.load(Map.of("th.daemon.api.insecure", "false")).requireApiSecurity());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> DaemonConfig.load(Map.of("th.daemon.api.insecure", "yes")));
    assertTrue(bad.getMessage().contains("th.daemon.api.insecure"), bad.getMessage());
  }

  @Test
  void loadsTheActionKeysAndKeepsTheKeyOutOfToString() {
    DaemonConfig c = DaemonConfig.load(Map.of(
        "th.daemon.api.token", "t0k3n",
        "th.daemon.commands.key", "a-key-of-sixteen-bytes",
        "th.daemon.commands.ttl.ms", "60000",
        "th.daemon.actions.budget", "3",
        "th.daemon.actions.cooldown.ms", "0",
        "th.daemon.actions.verify.iterations", "7",
        "th.daemon.actions.history", "9"));
    assertEquals("a-key-of-sixteen-bytes", c.commandsKey());
    assertEquals(60_000, c.commandsTtlMs());
    assertEquals(3, c.actionsBudget());
    assertEquals(0, c.actionsCooldownMs());
    assertEquals(7, c.actionsVerifyIterations());
    assertEquals(9, c.actionsHistory());
    assertEquals(c.toString(), c.toBuilder().build().toString());
    assertTrue(!c.toString().contains("sixteen") && !c.toString().contains("t0k3n"),
        c.toString());
  }

  @Test
  void aCommandKeyShorterThanTheSignerAcceptsIsRejectedAtLoad() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DaemonConfig.load(Map.of("th.daemon.commands.key", "short")));
    assertTrue(e.getMessage().contains("th.daemon.commands.key"), e.getMessage());
  }

  @Test
  void theTokenIsComparedWholeAndTheSchemeCaseInsensitively() {
    BearerToken t = BearerToken.of("s3cret-token");
    assertTrue(t.admits("Bearer s3cret-token"));
    assertTrue(t.admits("bearer s3cret-token"));
    assertTrue(!t.admits("Bearer s3cret-toke"));
    assertTrue(!t.admits("Bearer s3cret-token2"));
    assertTrue(!t.admits("s3cret-token"));
    assertTrue(!t.admits(null));
    assertTrue(BearerToken.of("").admits(null), "insecure mode admits all");
  }
}
