package dev.traininghealth.agent.javaagent;

import dev.traininghealth.agent.AgentConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where the agent's options come from, later sources overriding earlier ones: environment
 * variables {@code TH_AGENT_<KEY>} ({@code TH_AGENT_BOOTSTRAP_SERVERS} is
 * {@code bootstrap.servers}: lower-cased, {@code _} to {@code .}), then a properties file named by
 * {@code config=<path>} in the agent arguments (or {@code TH_AGENT_CONFIG}), then the agent
 * arguments themselves: {@code key=value,key=value}. Keys are those of {@link AgentConfig}; an
 * unknown key is an error naming it and where it came from.
 */
public final class AgentOptions {
  static final String ENV_PREFIX = "TH_AGENT_";

  private AgentOptions() {}

  /** The effective configuration. */
  public static AgentConfig resolve(String agentArgs, Map<String, String> env) {
    Map<String, String> merged = new LinkedHashMap<>();
    String configFile = null;
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith(ENV_PREFIX)) {
        String key = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT)
            .replace('_', '.');
        if (key.equals("config")) {
          configFile = e.getValue();
        } else {
          merged.put(key, e.getValue());
        }
      }
    }
    Map<String, String> args = parseArgs(agentArgs);
    if (args.containsKey("config")) {
      configFile = args.remove("config");
    }
    if (configFile != null && !configFile.isEmpty()) {
      merged.putAll(readFile(Paths.get(configFile)));
    }
    merged.putAll(args);
    return AgentConfig.fromMap(merged);
  }

  /** {@code a=1,b=2} into a map; a comma inside a value can be written as {@code \,}. */
  static Map<String, String> parseArgs(String agentArgs) {
    Map<String, String> out = new LinkedHashMap<>();
    if (agentArgs == null || agentArgs.trim().isEmpty()) {
      return out;
    }
    for (String part : agentArgs.split("(?<!\\\\),")) {
      String p = part.replace("\\,", ",").trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "agent argument '" + p + "' is not key=value (arguments are key=value,key=value)");
      }
      out.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
    }
    return out;
  }

  private static Map<String, String> readFile(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read agent config file " + file + ": " + e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : p.stringPropertyNames()) {
      out.put(k, p.getProperty(k));
    }
    return out;
  }
}
