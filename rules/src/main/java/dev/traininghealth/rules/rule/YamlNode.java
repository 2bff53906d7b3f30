package dev.traininghealth.rules.rule;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A YAML value with the line and column it started at, read from Jackson's streaming parser:
 * Jackson's own tree ({@code JsonNode}) forgets locations, and every error of a rule file must say
 * where it is. Maps keep their entries in order, duplicates included, so those can be reported.
 */
final class YamlNode {
  enum Kind {
    MAP,
    LIST,
    SCALAR
  }

  /** One key of a map, with its own location, and its value. */
  static final class Entry {
    final String key;
    final int line;
    final int column;
    final YamlNode value;

    Entry(String key, int line, int column, YamlNode value) {
      this.key = key;
      this.line = line;
      this.column = column;
      this.value = value;
    }
  }

  // YAML 1.1, which Jackson's YAML parser follows, reads 1e-4 (no dot) as a string.
  private static final Pattern NUMBER =
      Pattern.compile("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?");

  final Kind kind;
  final int line;
  final int column;
  final List<Entry> entries;
  final List<YamlNode> items;
  final Object scalar;

  private YamlNode(Kind kind, int line, int column, List<Entry> entries, List<YamlNode> items,
      Object scalar) {
    this.kind = kind;
    this.line = line;
    this.column = column;
    this.entries = entries;
    this.items = items;
    this.scalar = scalar;
  }

  /** Reads the value at the parser's current token (which must be set). */
  static YamlNode read(JsonParser p) throws IOException {
    JsonLocation at = p.currentTokenLocation();
    int line = at.getLineNr();
    int col = at.getColumnNr();
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT:
        {
          List<Entry> entries = new ArrayList<>();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            JsonLocation k = p.currentTokenLocation();
            String key = p.currentName();
            p.nextToken();
            entries.add(new Entry(key, k.getLineNr(), k.getColumnNr(), read(p)));
          }
          return new YamlNode(Kind.MAP, line, col, entries, List.of(), null);
        }
      case START_ARRAY:
        {
          List<YamlNode> items = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            items.add(read(p));
          }
          return new YamlNode(Kind.LIST, line, col, List.of(), items, null);
        }
      case VALUE_NUMBER_INT:
        return scalar(line, col, p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? (Object) p.getText() : (Object) p.getLongValue());
      case VALUE_NUMBER_FLOAT:
        return scalar(line, col, p.getDoubleValue());
      case VALUE_TRUE:
        return scalar(line, col, Boolean.TRUE);
      case VALUE_FALSE:
        return scalar(line, col, Boolean.FALSE);
      case VALUE_NULL:
        return scalar(line, col, null);
      default:
        String s = p.getText();
        if (NUMBER.matcher(s).matches()) {
          return scalar(line, col, Double.parseDouble(s));
        }
        return scalar(line, col, s);
    }
  }

  private static YamlNode scalar(int line, int col, Object v) {
    return new YamlNode(Kind.SCALAR, line, col, List.of(), List.of(), v);
  }

  /** The plain Java value: Map, List, Long, Double, Boolean, String or null. */
  Object toJava() {
    switch (kind) {
      case MAP:
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (Entry e : entries) {
          m.put(e.key, e.value.toJava());
        }
        return m;
      case LIST:
        List<Object> l = new ArrayList<>();
        for (YamlNode n : items) {
          l.add(n.toJava());
        }
        return l;
      default:
        return scalar;
    }
  }

  String describeKind() {
    switch (kind) {
      case MAP:
        return "a map";
      case LIST:
        return "a list";
      default:
        return scalar == null ? "nothing" : scalar instanceof String ? "'" + scalar + "'"
            : String.valueOf(scalar);
    }
  }
}
