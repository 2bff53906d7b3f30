package dev.traininghealth.agent.javaagent;

import dev.traininghealth.zoo.Zoo;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A training program that uses its own kafka-clients (an older version on its class path) and
 * trains a zoo job; the agent's relocated client must not disturb it, nor it the agent.
 */
public final class HostWithOwnKafka {
  private HostWithOwnKafka() {}

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>("host.topic", "k", "before")).get();
      Zoo.byName("healthy-mlp").run(3);
      producer.send(new ProducerRecord<>("host.topic", "k", "after")).get();
    }
    String jar = KafkaProducer.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    System.out.println("host done with " + jar.substring(jar.lastIndexOf('/') + 1));
  }
}
