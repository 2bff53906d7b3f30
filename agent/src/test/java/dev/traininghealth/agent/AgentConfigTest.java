package dev.traininghealth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

  @Test
  void readsKnownKeysAndPassesKafkaPropertiesThrough() {
    AgentConfig c =
        AgentConfig.fromMap(
            Map.of(
                "job", "mnist",
                "bootstrap.servers", "k1:9092,k2:9092",
                "queue.capacity", "50",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.jaas.config", "secret stuff"));
    assertEquals("mnist", c.job());
    assertEquals("k1:9092,k2:9092", c.bootstrapServers());
    assertEquals(50, c.queueCapacity());
    assertEquals("SASL_SSL", c.kafka().get("security.protocol"));
    assertEquals("***", c.describe().get("kafka.sasl.jaas.config"), "secrets are masked");
  }

  @Test
  void rejectsAnUnknownKeyNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.fromMap(Map.of("jbo", "x")));
    assertTrue(e.getMessage().contains("'jbo'"), e.getMessage());
  }

  @Test
  void rejectsABadNumberNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AgentConfig.fromMap(Map.of("queue.capacity", "lots")));
    assertTrue(e.getMessage().contains("queue.capacity"), e.getMessage());
  }

  @Test
  void defaultJobNameIsMainClassAtHost() {
    String name = AgentConfig.defaults().job();
    assertTrue(name.contains("@"), name);
  }
}
