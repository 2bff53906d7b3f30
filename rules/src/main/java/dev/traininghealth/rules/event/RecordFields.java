package dev.traininghealth.rules.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonToken;
import dev.traininghealth.rules.event.MalformedEventException.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The known fields of one JSON object, read from a streaming parser in one pass into typed slots
 * (no tree), and checked only afterwards, by the typed accessors, in the order the decoder asks
 * for them. Checking late keeps the decoder's answers what they were when it read a whole tree
 * first: a syntax error anywhere wins over a bad field, fields may come in any order, the last of
 * duplicate fields wins, and of several bad fields the first one asked for is named.
 *
 * <p>Unknown fields are skipped, but their scalars are still decoded (strings to text, numbers to
 * values), so that the parser's checks on them (UTF-8, number length) reject what a tree would.
 */
final class RecordFields {
  static final int MAX_LIST = 100_000;

  private static final byte ABSENT = 0;
  private static final byte NULL = 1;
  private static final byte STRING = 2;
  /** An integer within 64 bits: {@link #bits} holds it. */
  private static final byte INTEGER = 3;
  /** An integer beyond 64 bits: {@link #bits} holds its nearest double's bits. */
  private static final byte BIG_INTEGER = 4;
  /** A number with a fraction or exponent: {@link #bits} holds the double's bits. */
  private static final byte FLOAT = 5;
  private static final byte BOOLEAN = 6;
  /** An array; {@link #refs} holds its items when the table knows their shape. */
  private static final byte ARRAY = 7;
  /** An object; {@link #refs} holds its entries when the table knows their shape. */
  private static final byte OBJECT = 8;

  /** A map value that was not a scalar: identity marks it, its text never shows. */
  private static final String NOT_A_SCALAR = new String("");

  private final FieldTable table;
  private final byte[] kinds;
  private final long[] bits;
  private final Object[] refs;
  /** Where this object sits, for messages: null at the top, else the array field's name. */
  private String parent;
  private int index;

  private RecordFields(FieldTable table, String parent, int index) {
    this.table = table;
    this.kinds = new byte[table.size()];
    this.bits = new long[table.size()];
    this.refs = new Object[table.size()];
    this.parent = parent;
    this.index = index;
  }

  // ------------------------------------------------------------------ filling by another reader

  /**
   * Slots one thread reuses from record to record: the plain reader's objects of one record are
   * all read, decoded and dropped before the next record starts, and making them new for every
   * record was most of what decoding allocated (a top-level object has a slot per field the
   * decoder knows, of every event type). Not thread-safe: one per decoding thread.
   */
  static final class Arena {
    /** Kept between records at most; a record of more objects makes the rest afresh. */
    static final int RETAINED = 256;

    private final List<RecordFields> all = new ArrayList<>();
    /** all[0, used) are the current record's. */
    private int used;
    private final char[] digits = new char[64];

    /** An object with no field read yet, for the current record. */
    RecordFields take(FieldTable table, String parent, int index) {
      for (int i = used; i < all.size(); i++) {
        RecordFields f = all.get(i);
        if (f.table == table) {
          all.set(i, all.get(used));
          all.set(used++, f);
          f.clear(parent, index);
          return f;
        }
      }
      RecordFields f = new RecordFields(table, parent, index);
      if (all.size() < RETAINED) {
        all.add(f);
        all.set(all.size() - 1, all.get(used));
        all.set(used++, f);
      }
      return f;
    }

    /** Room for a number's characters, for the current record. */
    char[] digits() {
      return digits;
    }

    /** The current record is done with: its objects may be handed out again. */
    void release() {
      used = 0;
    }
  }

  private void clear(String parent, int index) {
    Arrays.fill(kinds, ABSENT);
    Arrays.fill(refs, null); // what the last record held is garbage, not to be kept alive
    this.parent = parent;
    this.index = index;
  }

  void setString(int id, String s) {
    set(id, STRING, 0, s);
  }

  void setInteger(int id, long v) {
    set(id, INTEGER, v, null);
  }

  void setFloat(int id, double v) {
    set(id, FLOAT, Double.doubleToRawLongBits(v), null);
  }

  /** Always true, so a reader can chain it. */
  boolean setBoolean(int id) {
    set(id, BOOLEAN, 0, null);
    return true;
  }

  /** Always true, so a reader can chain it. */
  boolean setNull(int id) {
    set(id, NULL, 0, null);
    return true;
  }

  /** An array field of objects, every item an object (a reader of the plain subset). */
  void setObjects(int id, List<RecordFields> items) {
    set(id, ARRAY, 0, items);
  }

  private void set(int id, byte kind, long value, Object ref) {
    kinds[id] = kind;
    bits[id] = value;
    refs[id] = ref;
  }

  // ------------------------------------------------------------------ reading

  /**
   * Reads the object whose {@code START_OBJECT} the parser has just returned, up to and with its
   * {@code END_OBJECT}.
   */
  static RecordFields read(JsonParser p, FieldTable table) throws IOException {
    return read(p, table, null, -1);
  }

  private static RecordFields read(JsonParser p, FieldTable table, String parent, int index)
      throws IOException {
    RecordFields f = new RecordFields(table, parent, index);
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      int id = table.id(name);
      if (id < 0) {
        skip(p, t);
      } else {
        f.readValue(id, p, t);
      }
    }
    return f;
  }

  private void readValue(int id, JsonParser p, JsonToken t) throws IOException {
    Object ref = null;
    long value = 0;
    byte kind;
    switch (t) {
      case VALUE_STRING:
        kind = STRING;
        ref = p.getText();
        break;
      case VALUE_NUMBER_INT:
        if (p.getNumberType() == NumberType.BIG_INTEGER) {
          kind = BIG_INTEGER;
          value = Double.doubleToRawLongBits(p.getBigIntegerValue().doubleValue());
        } else {
          kind = INTEGER;
          value = p.getLongValue();
        }
        break;
      case VALUE_NUMBER_FLOAT:
        kind = FLOAT;
        value = Double.doubleToRawLongBits(p.getDoubleValue());
        break;
      case VALUE_TRUE:
      case VALUE_FALSE:
        kind = BOOLEAN;
        break;
      case VALUE_NULL:
        kind = NULL;
        break;
      case START_ARRAY:
        kind = ARRAY;
        if (table.shape(id) == FieldTable.OBJECTS) {
          ref = readObjects(p, table.items(id), table.name(id));
        } else if (table.shape(id) == FieldTable.INTS) {
          ref = IntList.read(p);
        } else {
          skip(p, t);
        }
        break;
      case START_OBJECT:
        kind = OBJECT;
        if (table.shape(id) == FieldTable.STRING_MAP) {
          ref = readStringMap(p);
        } else {
          skip(p, t);
        }
        break;
      default:
        throw new IllegalStateException("unexpected token " + t);
    }
    kinds[id] = kind;
    bits[id] = value;
    refs[id] = ref;
  }

  private static List<RecordFields> readObjects(JsonParser p, FieldTable items, String name)
      throws IOException {
    List<RecordFields> out = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null;
        t = p.nextToken()) {
      if (t == JsonToken.START_OBJECT) {
        out.add(read(p, items, name, out.size()));
      } else {
        skip(p, t);
        out.add(null); // not an object: rejected when asked for
      }
    }
    return out;
  }

  private static Map<String, String> readStringMap(JsonParser p) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
      out.put(key, scalarText(p, p.nextToken()));
    }
    return out;
  }

  /** A scalar's text as a tree node's {@code asText()} gives it; NOT_A_SCALAR otherwise. */
  private static String scalarText(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberType() == NumberType.BIG_INTEGER
            ? p.getBigIntegerValue().toString()
            : Long.toString(p.getLongValue());
      case VALUE_NUMBER_FLOAT:
        return Double.toString(p.getDoubleValue());
      case VALUE_TRUE:
        return "true";
      case VALUE_FALSE:
        return "false";
      case VALUE_NULL:
        return "null";
      default:
        skip(p, t);
        return NOT_A_SCALAR;
    }
  }

  /** Skips the value that starts with {@code t}, decoding its scalars as a tree would. */
  static void skip(JsonParser p, JsonToken t) throws IOException {
    int depth = 0;
    while (t != null) {
      switch (t) {
        case START_OBJECT:
        case START_ARRAY:
          depth++;
          break;
        case END_OBJECT:
        case END_ARRAY:
          depth--;
          break;
        case VALUE_STRING:
          p.getText();
          break;
        case VALUE_NUMBER_INT:
          if (p.getNumberType() == NumberType.BIG_INTEGER) {
            p.getBigIntegerValue();
          }
          break;
        case VALUE_NUMBER_FLOAT:
          p.getDoubleValue();
          break;
        default:
          break;
      }
      if (depth == 0) {
        return;
      }
      t = p.nextToken();
    }
  }

  /** The integers of an array field, with a mark on the items that were not one. */
  private static final class IntList {
    long[] values = new long[8];
    boolean[] integral = new boolean[8];
    int size;

    static IntList read(JsonParser p) throws IOException {
      IntList l = new IntList();
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null;
          t = p.nextToken()) {
        boolean ok = t == JsonToken.VALUE_NUMBER_INT
            && p.getNumberType() != NumberType.BIG_INTEGER;
        if (ok) {
          l.add(p.getLongValue(), true);
        } else {
          skip(p, t);
          l.add(0, false);
        }
      }
      return l;
    }

    private void add(long v, boolean ok) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
        integral = Arrays.copyOf(integral, size * 2);
      }
      values[size] = v;
      integral[size] = ok;
      size++;
    }
  }

  // ------------------------------------------------------------------ checked access

  /** The field's name as messages give it: {@code layers[2].grad_norm} inside an array. */
  private String name(int id) {
    return parent == null
        ? table.name(id)
        : parent + "[" + index + "]." + table.name(id);
  }

  private boolean missing(int id) {
    return kinds[id] == ABSENT || kinds[id] == NULL;
  }

  private void require(int id) throws MalformedEventException {
    if (missing(id)) {
      throw new MalformedEventException(Kind.MISSING_FIELD,
          "missing required field '" + name(id) + "'");
    }
  }

  String requireString(int id) throws MalformedEventException {
    require(id);
    return string(id);
  }

  String optionalString(int id, String dflt) throws MalformedEventException {
    return missing(id) ? dflt : string(id);
  }

  private String string(int id) throws MalformedEventException {
    if (kinds[id] != STRING) {
      throw new MalformedEventException("field '" + name(id) + "' must be a string");
    }
    return (String) refs[id];
  }

  long requireLong(int id) throws MalformedEventException {
    require(id);
    return toLong(id);
  }

  long optionalLong(int id, long dflt) throws MalformedEventException {
    return missing(id) ? dflt : toLong(id);
  }

  int requireInt(int id) throws MalformedEventException {
    long v = requireLong(id);
    return v == (int) v ? (int) v : toInt(name(id), v);
  }

  int optionalInt(int id, int dflt) throws MalformedEventException {
    long v = optionalLong(id, dflt);
    return v == (int) v ? (int) v : toInt(name(id), v);
  }

  private static int toInt(String name, long v) throws MalformedEventException {
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new MalformedEventException("field '" + name + "' is out of range: " + v);
    }
    return (int) v;
  }

  private long toLong(int id) throws MalformedEventException {
    if (kinds[id] != INTEGER) {
      throw new MalformedEventException(
          "field '" + name(id) + "' must be an integer within 64 bits");
    }
    return bits[id];
  }

  double requireDouble(int id) throws MalformedEventException {
    require(id);
    return toDouble(id);
  }

  double optionalDouble(int id) throws MalformedEventException {
    return missing(id) ? Double.NaN : toDouble(id);
  }

  private double toDouble(int id) throws MalformedEventException {
    switch (kinds[id]) {
      case INTEGER:
        return bits[id];
      case BIG_INTEGER:
      case FLOAT:
        return Double.longBitsToDouble(bits[id]);
      case STRING:
        switch ((String) refs[id]) {
          case "NaN":
            return Double.NaN;
          case "Infinity":
            return Double.POSITIVE_INFINITY;
          case "-Infinity":
            return Double.NEGATIVE_INFINITY;
          default:
            break;
        }
        break;
      default:
        break;
    }
    throw new MalformedEventException(
        "field '" + name(id) + "' must be a number or \"NaN\", \"Infinity\", \"-Infinity\"");
  }

  List<Integer> ints(int id) throws MalformedEventException {
    if (missing(id)) {
      return List.of();
    }
    IntList l = kinds[id] == ARRAY ? (IntList) refs[id] : null;
    if (l == null || l.size > MAX_LIST) {
      throw new MalformedEventException(
          "field '" + name(id) + "' must be an array of at most " + MAX_LIST + " integers");
    }
    List<Integer> out = new ArrayList<>(l.size);
    for (int i = 0; i < l.size; i++) {
      if (!l.integral[i]) {
        throw new MalformedEventException(
            "field '" + name(id) + "[" + i + "]' must be an integer within 64 bits");
      }
      out.add(toInt(name(id), l.values[i]));
    }
    return out;
  }

  /** The objects of an array field; check each one's fields with the accessors. */
  List<RecordFields> objects(int id) throws MalformedEventException {
    if (missing(id)) {
      return List.of();
    }
    @SuppressWarnings("unchecked")
    List<RecordFields> l = kinds[id] == ARRAY ? (List<RecordFields>) refs[id] : null;
    if (l == null || l.size() > MAX_LIST) {
      throw new MalformedEventException(
          "field '" + name(id) + "' must be an array of at most " + MAX_LIST + " objects");
    }
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i) == null) {
        throw new MalformedEventException(
            "field '" + name(id) + "[" + i + "]' must be an object");
      }
    }
    return l;
  }

  Map<String, String> stringMap(int id) throws MalformedEventException {
    if (missing(id)) {
      return Map.of();
    }
    @SuppressWarnings("unchecked")
    Map<String, String> m = kinds[id] == OBJECT ? (Map<String, String>) refs[id] : null;
    if (m == null) {
      throw new MalformedEventException("field '" + name(id) + "' must be an object");
    }
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (e.getValue() == NOT_A_SCALAR) {
        throw new MalformedEventException(
            "field '" + name(id) + "." + e.getKey() + "' must be a string");
      }
    }
    return m;
  }
}
