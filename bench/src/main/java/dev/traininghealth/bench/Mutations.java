package dev.traininghealth.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of malformed input: each call takes a valid record from a corpus and breaks
 * it in one of the ways a wire or a careless user breaks things (bit flips, truncation, splicing,
 * inserted and deleted bytes, oversized and deeply nested values, and, for JSON, field values
 * swapped for NaN, huge or negative numbers, wrong types, unknown versions). For YAML rule files
 * it edits lines and values instead. Same seed, same inputs, so a failure reproduces.
 *
 * <p>A copy of {@code rules/src/test/.../Mutations.java}, which bench cannot see; keep them
 * in step.
 */
final class Mutations {
  /** Values a JSON field may be replaced with: each is wrong somewhere. */
  private static final String[] JSON_VALUES = {
    "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "NaN", "1e400", "-1e400", "1e308", "-1",
    "-9223372036854775808", "9223372036854775807", "99999999999999999999999999", "0", "2", "1.5",
    "null", "true", "false", "\"\"", "\"x\"", "[]", "{}", "[1,2,3]", "{\"a\":1}", "\"\\u0000\"",
    "\"\\ud800\"", "0x10", "01", "-0", "1e-400", "\"" + "y".repeat(300) + "\"", "[[[[[[[[]]]]]]]]"
  };

  /** Values a YAML scalar may be replaced with. */
  private static final String[] YAML_VALUES = {
    "-1", "0", "1e400", ".nan", ".inf", "-.inf", "~", "\"\"", "[]", "{}", "[1, 2]",
    "{ do: lr_kick, factor: 1e400 }", "plato", "nonfinite", "critical", "loud", "5 iterations",
    "-5 iterations", "99999999999999 iterations", "30s", "-1s", "1000000h", "&a x", "*a", "*nope",
    "!!binary AAAA", "!!float x", "\"\\x00\"", "'", "\"", "{", "[", "\t", "a: b: c",
    "- - - -", "9223372036854775808", "true", "x".repeat(500)
  };

  private static final String[] YAML_KEYS = {
    "name", "detector", "params", "severity", "for", "cooldown", "actions", "escalate_after",
    "description", "do", "factor", "iterations", "window", "timeout", "unknown_key", ""
  };

  private final Random random;

  Mutations(long seed) {
    this.random = new Random(seed);
  }

  /** One mutation of a random member of {@code corpus} (UTF-8 JSON records). */
  public byte[] json(List<byte[]> corpus, int maxBytes) {
    byte[] a = pick(corpus);
    switch (random.nextInt(14)) {
      case 0:
        return flipBits(a);
      case 1:
        return replaceBytes(a);
      case 2:
        return Arrays.copyOf(a, random.nextInt(a.length + 1));
      case 3:
        return splice(a, pick(corpus));
      case 4:
        return insertBytes(a);
      case 5:
        return deleteRange(a);
      case 6:
        return utf8(oversized(text(a), maxBytes));
      case 7:
        return utf8(deeplyNested(text(a)));
      case 8:
        return utf8(replaceField(text(a), "v", random.nextBoolean() ? "2" : pickOf(JSON_VALUES)));
      case 9:
      case 10:
      case 11:
        return utf8(replaceValue(text(a), pickOf(JSON_VALUES)));
      case 12:
        return utf8(removeField(text(a)));
      default:
        return utf8(replaceValue(replaceValue(text(a), pickOf(JSON_VALUES)), pickOf(JSON_VALUES)));
    }
  }

  /** One edit of a random member of {@code corpus} (YAML rule files). */
  public String yaml(List<String> corpus) {
    String a = pickOf(corpus);
    List<String> lines = new ArrayList<>(Arrays.asList(a.split("\n", -1)));
    int n = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
    for (int k = 0; k < n; k++) {
      int i = random.nextInt(lines.size());
      String line = lines.get(i);
      switch (random.nextInt(12)) {
        case 0:
          lines.remove(i);
          break;
        case 1:
          lines.add(i, line);
          break;
        case 2:
          {
            int j = random.nextInt(lines.size());
            lines.set(i, lines.get(j));
            lines.set(j, line);
            break;
          }
        case 3:
          lines.set(i, indent(line));
          break;
        case 4:
        case 5:
        case 6:
          lines.set(i, replaceYamlValue(line));
          break;
        case 7:
          lines.set(i, replaceYamlKey(line));
          break;
        case 8:
          lines.add(i, "  " + pickOf(YAML_KEYS) + ": " + pickOf(YAML_VALUES));
          break;
        case 9:
          lines.set(i, text(flipBits(utf8(line))));
          break;
        case 10:
          lines.set(i, line.substring(0, random.nextInt(line.length() + 1)));
          break;
        default:
          {
            List<String> other = Arrays.asList(pickOf(corpus).split("\n", -1));
            int from = random.nextInt(other.size());
            lines.addAll(i, other.subList(from, Math.min(other.size(), from + 1 + random.nextInt(8))));
            break;
          }
      }
      if (lines.isEmpty()) {
        lines.add("");
      }
    }
    String out = String.join("\n", lines);
    switch (random.nextInt(20)) {
      case 0:
        return out.substring(0, random.nextInt(out.length() + 1));
      case 1:
        return "- a: " + "[".repeat(200 + random.nextInt(2000));
      case 2:
        return aliasBomb();
      default:
        return out;
    }
  }

  // ------------------------------------------------------------------ bytes

  private byte[] flipBits(byte[] a) {
    byte[] b = a.clone();
    if (b.length == 0) {
      return b;
    }
    int flips = 1 + random.nextInt(4);
    for (int k = 0; k < flips; k++) {
      int i = random.nextInt(b.length);
      b[i] ^= (byte) (1 << random.nextInt(8));
    }
    return b;
  }

  private byte[] replaceBytes(byte[] a) {
    byte[] b = a.clone();
    if (b.length == 0) {
      return b;
    }
    int n = 1 + random.nextInt(3);
    for (int k = 0; k < n; k++) {
      b[random.nextInt(b.length)] = (byte) random.nextInt(256);
    }
    return b;
  }

  private byte[] splice(byte[] a, byte[] b) {
    int i = random.nextInt(a.length + 1);
    int j = random.nextInt(b.length + 1);
    byte[] out = Arrays.copyOf(a, i + b.length - j);
    System.arraycopy(b, j, out, i, b.length - j);
    return out;
  }

  private byte[] insertBytes(byte[] a) {
    int at = random.nextInt(a.length + 1);
    byte[] ins = new byte[1 + random.nextInt(16)];
    if (random.nextBoolean() && a.length > 0) {
      // Repeat a piece of the record itself: keeps it JSON-ish, e.g. doubled keys or brackets.
      int from = random.nextInt(a.length);
      ins = Arrays.copyOfRange(a, from, Math.min(a.length, from + ins.length));
    } else {
      random.nextBytes(ins);
    }
    byte[] out = new byte[a.length + ins.length];
    System.arraycopy(a, 0, out, 0, at);
    System.arraycopy(ins, 0, out, at, ins.length);
    System.arraycopy(a, at, out, at + ins.length, a.length - at);
    return out;
  }

  private byte[] deleteRange(byte[] a) {
    if (a.length == 0) {
      return a;
    }
    int from = random.nextInt(a.length);
    int to = Math.min(a.length, from + 1 + random.nextInt(32));
    byte[] out = new byte[a.length - (to - from)];
    System.arraycopy(a, 0, out, 0, from);
    System.arraycopy(a, to, out, from, a.length - to);
    return out;
  }

  // ------------------------------------------------------------------ JSON text

  private String oversized(String json, int maxBytes) {
    // Just over the limit, or a field value that alone is over it.
    int size = maxBytes + 1 + random.nextInt(1024);
    if (random.nextBoolean()) {
      return replaceValue(json, "\"" + "z".repeat(size) + "\"");
    }
    StringBuilder s = new StringBuilder(json.length() + size);
    s.append(json, 0, Math.max(0, json.length() - 1));
    s.append(",\"pad\":\"").append("p".repeat(size)).append("\"}");
    return s.toString();
  }

  private String deeplyNested(String json) {
    int depth = 10 + random.nextInt(random.nextBoolean() ? 50 : 5000);
    String open = random.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    String value = open.repeat(depth) + "1" + close.repeat(random.nextInt(4) == 0 ? depth / 2 : depth);
    return replaceValue(json, value);
  }

  private String replaceField(String json, String field, String value) {
    String key = "\"" + field + "\":";
    int at = json.indexOf(key);
    if (at < 0) {
      return json;
    }
    int start = at + key.length();
    return json.substring(0, start) + value + json.substring(valueEnd(json, start));
  }

  /** Replaces the value after a random {@code ":} with {@code value}. */
  private String replaceValue(String json, String value) {
    List<Integer> starts = new ArrayList<>();
    for (int i = json.indexOf("\":"); i >= 0; i = json.indexOf("\":", i + 1)) {
      starts.add(i + 2);
    }
    if (starts.isEmpty()) {
      return json;
    }
    int start = starts.get(random.nextInt(starts.size()));
    return json.substring(0, start) + value + json.substring(valueEnd(json, start));
  }

  private String removeField(String json) {
    List<Integer> starts = new ArrayList<>();
    for (int i = json.indexOf(",\""); i >= 0; i = json.indexOf(",\"", i + 1)) {
      starts.add(i);
    }
    if (starts.isEmpty()) {
      return json;
    }
    int start = starts.get(random.nextInt(starts.size()));
    int colon = json.indexOf("\":", start);
    if (colon < 0) {
      return json;
    }
    return json.substring(0, start) + json.substring(valueEnd(json, colon + 2));
  }

  /** Where the JSON value starting at {@code start} ends: the next , } or ] outside it. */
  private static int valueEnd(String json, int start) {
    int depth = 0;
    boolean inString = false;
    for (int i = start; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '[' || c == '{') {
        depth++;
      } else if (c == ']' || c == '}') {
        if (depth == 0) {
          return i;
        }
        depth--;
      } else if (c == ',' && depth == 0) {
        return i;
      }
    }
    return json.length();
  }

  // ------------------------------------------------------------------ YAML text

  private String indent(String line) {
    int change = random.nextInt(5) - 2;
    if (change > 0) {
      return " ".repeat(change) + line;
    }
    int strip = Math.min(-change, line.length() - line.stripLeading().length());
    return line.substring(strip);
  }

  private String replaceYamlValue(String line) {
    int colon = line.indexOf(": ");
    if (colon < 0) {
      return line + " " + pickOf(YAML_VALUES);
    }
    int end = line.indexOf(',', colon);
    if (end < 0 || random.nextBoolean()) {
      end = line.length();
      if (line.endsWith("}")) {
        end--;
      }
    }
    return line.substring(0, colon + 2) + pickOf(YAML_VALUES) + line.substring(end);
  }

  private String replaceYamlKey(String line) {
    int colon = line.indexOf(':');
    if (colon < 0) {
      return line;
    }
    String head = line.substring(0, colon);
    int keyStart = Math.max(head.lastIndexOf(' '), Math.max(head.lastIndexOf('{'),
        head.lastIndexOf('-'))) + 1;
    return line.substring(0, keyStart) + pickOf(YAML_KEYS) + line.substring(colon);
  }

  private String aliasBomb() {
    StringBuilder s = new StringBuilder("- name: bomb\n  detector: nonfinite\n  params:\n");
    s.append("    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++) {
      s.append("    a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        s.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      s.append("]\n");
    }
    return s.toString();
  }

  // ------------------------------------------------------------------ helpers

  private byte[] pick(List<byte[]> corpus) {
    return corpus.get(random.nextInt(corpus.size()));
  }

  private String pickOf(String[] values) {
    return values[random.nextInt(values.length)];
  }

  private <T> T pickOf(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
