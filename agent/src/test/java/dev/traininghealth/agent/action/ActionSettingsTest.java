package dev.traininghealth.agent.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionSettingsTest {
  @TempDir Path dir;

  @Test
  void commandsAreOffByDefaultAndStopIsNotAllowed() {
    ActionSettings s = AgentConfig.defaults().actions();
    assertFalse(s.enabled());
    assertFalse(s.allow().contains("stop"));
    assertTrue(s.allow().contains("lr_kick"));
    assertEquals("th.commands", s.topic());
  }

  @Test
  void readsTheKeyFromTheOptionTheFileOrTheEnvironmentInThatOrder() throws Exception {
    Path file = dir.resolve("key");
    Files.writeString(file, "key-from-a-file-0123\n");
    Map<String, String> env = Map.of(ActionSettings.KEY_ENV, "key-from-the-env-0123");
    assertEquals("key-from-the-option-0",
        ActionSettings.fromMap(Map.of("commands.enabled", "true", "commands.key", "key-from-the-option-0",
            "commands.key.file", file.toString()), env).key());
    assertEquals("key-from-a-file-0123",
        ActionSettings.fromMap(Map.of("commands.enabled", "true", "commands.key.file", file.toString()), env).key());
    ActionSettings fromEnv = ActionSettings.fromMap(Map.of("commands.enabled", "true"), env);
    assertEquals("key-from-the-env-0123", fromEnv.key());
    assertTrue(fromEnv.describe().get("commands.key").contains("$" + ActionSettings.KEY_ENV));
    assertFalse(fromEnv.describe().toString().contains("key-from-the-env"), "the key is never shown");
  }

  @Test
  void refusesToEnableCommandsWithoutAKeyOfSixteenBytes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ActionSettings.fromMap(Map.of("commands.enabled", "true", "commands.key", "short"), Map.of()));
    assertTrue(e.getMessage().contains("at least 16 bytes"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ActionSettings.fromMap(Map.of("commands.enabled", "true"), Map.of()));
  }

  @Test
  void agentConfigPassesItsCommandOptionsOnAndStaysStrict() {
    AgentConfig c = AgentConfig.fromMap(Map.of("commands.enabled", "true",
        "commands.key", "0123456789abcdef", "actions.allow", "lr_kick, stop",
        "actions.lr.max.factor", "10"));
    assertTrue(c.actions().enabled());
    assertEquals(java.util.Set.of("lr_kick", "stop"), c.actions().allow());
    assertEquals(10.0, c.actions().lrMaxFactor());
    assertFalse(c.describe().containsValue("0123456789abcdef"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.fromMap(Map.of("actions.lr.max.factr", "10")));
    assertTrue(e.getMessage().contains("actions.lr.max.factr"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.fromMap(Map.of("actions.allow", "lr_kick,explode")));
  }

  @Test
  void rollbackCadenceIsAutoByDefaultAndTakesANumberOrAuto() {
    assertEquals(ActionSettings.ROLLBACK_AUTO, AgentConfig.fromMap(Map.of()).actions().rollbackEvery());
    assertEquals("auto", AgentConfig.fromMap(Map.of()).describe().get("actions.rollback.every"));
    assertEquals(7, AgentConfig.fromMap(Map.of("actions.rollback.every", "7")).actions().rollbackEvery());
    assertEquals(ActionSettings.ROLLBACK_AUTO,
        AgentConfig.fromMap(Map.of("actions.rollback.every", "auto")).actions().rollbackEvery());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.fromMap(Map.of("actions.rollback.every", "-2")));
    assertTrue(e.getMessage().contains("actions.rollback.every"), e.getMessage());
  }
}
