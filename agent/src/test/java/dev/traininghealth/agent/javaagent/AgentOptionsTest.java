package dev.traininghealth.agent.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentOptionsTest {

  @Test
  void argumentsOverrideTheFileWhichOverridesTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.properties");
    Files.writeString(file, "job=from-file\nqueue.capacity=77\ntopic=file.topic\n");
    Map<String, String> env = Map.of(
        "TH_AGENT_JOB", "from-env",
        "TH_AGENT_BOOTSTRAP_SERVERS", "env:9092",
        "TH_AGENT_TOPIC", "env.topic",
        "PATH", "/usr/bin");
    AgentConfig c = AgentOptions.resolve("config=" + file + ",topic=arg.topic", env);
    assertEquals("from-file", c.job());
    assertEquals("env:9092", c.bootstrapServers());
    assertEquals(77, c.queueCapacity());
    assertEquals("arg.topic", c.topic());
  }

  @Test
  void aValueMayHoldAnEscapedComma() {
    AgentConfig c = AgentOptions.resolve("bootstrap.servers=a:1\\,b:2,job=j", Map.of());
    assertEquals("a:1,b:2", c.bootstrapServers());
  }

  @Test
  void anUnknownKeyFromAnySourceIsNamed() {
    IllegalArgumentException fromArgs = assertThrows(IllegalArgumentException.class,
        () -> AgentOptions.resolve("jbo=x", Map.of()));
    assertTrue(fromArgs.getMessage().contains("'jbo'"));
    IllegalArgumentException fromEnv = assertThrows(IllegalArgumentException.class,
        () -> AgentOptions.resolve("", Map.of("TH_AGENT_QUEUE_CAPACTY", "1")));
    assertTrue(fromEnv.getMessage().contains("'queue.capacty'"), fromEnv.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AgentOptions.resolve("novalue", Map.of()));
  }
}
