package dev.traininghealth.rules.event;

import com.fasterxml.jackson.core.io.NumberInput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A byte-level reader for the records agents actually send, into the same {@link RecordFields}
 * slots the Jackson path fills: one object of known fields whose values are plain ASCII strings
 * without escapes, numbers, literals, and arrays of objects of known fields. Anything else (an
 * unknown field, an escape, a byte beyond ASCII, an integer of 19 digits or more, an array of
 * integers, a string map, a syntax error, trailing bytes) makes it answer null, and the caller
 * reads the record with Jackson, which then gives the answer and the message. So it only ever
 * accepts a subset of what Jackson accepts, and there reads the same values: strings are the
 * same characters, integers the same longs, and doubles are parsed by the same correctly rounded
 * parser Jackson uses.
 *
 * <p>Why: Jackson's tokenizer (symbol table for names, text buffers, a parser object and its
 * bootstrapper per record) was most of the daemon's ingest CPU. One per record.
 */
final class PlainJsonReader {
  /** Longer numbers go to Jackson, which enforces its own length limit. */
  private static final int MAX_NUMBER_CHARS = 32;
  /** Up to this many digits an integer is a long whatever they are. */
  private static final int MAX_LONG_DIGITS = 18;

  private final byte[] in;
  private final int limit;
  private final RecordFields.Arena arena;
  private int pos;

  private PlainJsonReader(byte[] in, int offset, int limit, RecordFields.Arena arena) {
    this.in = in;
    this.pos = offset;
    this.limit = limit;
    this.arena = arena;
  }

  /** {@link #read(byte[], int, int, FieldTable, RecordFields.Arena)} of a whole array. */
  static RecordFields read(byte[] record, FieldTable top) {
    return read(record, 0, record.length, top, new RecordFields.Arena());
  }

  /**
   * The top-level fields of the record in {@code record[offset, offset + length)}, or null when
   * the record is not in the plain subset. The objects come from {@code arena}: they are valid
   * until its next release.
   */
  static RecordFields read(byte[] record, int offset, int length, FieldTable top,
      RecordFields.Arena arena) {
    PlainJsonReader r = new PlainJsonReader(record, offset, offset + length, arena);
    r.skipSpace();
    if (!r.take('{')) {
      return null;
    }
    RecordFields f = r.object(top, null, -1);
    if (f == null) {
      return null;
    }
    r.skipSpace();
    return r.pos == r.limit ? f : null;
  }

  /** After its '{': the object's fields up to and with its '}', or null. */
  private RecordFields object(FieldTable table, String parent, int index) {
    RecordFields f = arena.take(table, parent, index);
    skipSpace();
    if (take('}')) {
      return f;
    }
    // Agents write the fields in the order the table declares them: try the next one first.
    int expected = 0;
    while (true) {
      skipSpace();
      if (!take('"')) {
        return null;
      }
      int id = expected < table.size() ? nameAt(table.ascii(expected)) ? expected : -1 : -1;
      if (id < 0) {
        id = name(table);
        if (id < 0) {
          return null; // unknown fields are Jackson's: it checks their content
        }
      }
      expected = id + 1;
      skipSpace();
      if (!take(':')) {
        return null;
      }
      skipSpace();
      if (!value(f, table, id)) {
        return null;
      }
      skipSpace();
      if (take('}')) {
        return f;
      }
      if (!take(',')) {
        return null;
      }
    }
  }

  /** After a name's opening quote: true, past its closing quote, if it is {@code name}. */
  private boolean nameAt(byte[] name) {
    int end = pos + name.length;
    if (end < limit && in[end] == '"' && Arrays.equals(name, 0, name.length, in, pos, end)) {
      pos = end + 1;
      return true;
    }
    return false;
  }

  /** After a name's opening quote: its field's number, past its closing quote, or -1. */
  private int name(FieldTable table) {
    int start = pos;
    int hash = 0;
    while (pos < limit) {
      int b = in[pos];
      if (b == '"') {
        break;
      }
      if (b < 0x20 || b == '\\' || b > 0x7e) { // negative: beyond ASCII
        return -1;
      }
      hash = 31 * hash + b;
      pos++;
    }
    if (pos == limit) {
      return -1;
    }
    int id = table.id(in, start, pos, hash);
    pos++;
    return id;
  }

  private boolean value(RecordFields f, FieldTable table, int id) {
    if (pos >= limit) {
      return false;
    }
    byte b = in[pos];
    switch (b) {
      case '"':
        {
          pos++;
          int start = pos;
          while (pos < limit) {
            int c = in[pos];
            if (c == '"') {
              f.setString(id, new String(in, start, pos - start, StandardCharsets.ISO_8859_1));
              pos++;
              return true;
            }
            if (c < 0x20 || c == '\\' || c > 0x7e) {
              return false;
            }
            pos++;
          }
          return false;
        }
      case '[':
        {
          if (table.shape(id) != FieldTable.OBJECTS) {
            return false;
          }
          pos++;
          List<RecordFields> items = new ArrayList<>(4);
          skipSpace();
          if (!take(']')) {
            while (true) {
              skipSpace();
              if (!take('{')) {
                return false;
              }
              RecordFields item = object(table.items(id), table.name(id), items.size());
              if (item == null) {
                return false;
              }
              items.add(item);
              skipSpace();
              if (take(']')) {
                break;
              }
              if (!take(',')) {
                return false;
              }
            }
          }
          f.setObjects(id, items);
          return true;
        }
      case 't':
        return literal("true") && f.setBoolean(id);
      case 'f':
        return literal("false") && f.setBoolean(id);
      case 'n':
        return literal("null") && f.setNull(id);
      default:
        return (b == '-' || (b >= '0' && b <= '9')) && number(f, id);
    }
  }

  /** A JSON number, strictly by the grammar, followed by a delimiter. */
  private boolean number(RecordFields f, int id) {
    int start = pos;
    boolean negative = take('-');
    int intStart = pos;
    if (pos >= limit) {
      return false;
    }
    if (in[pos] == '0') {
      pos++;
    } else if (in[pos] >= '1' && in[pos] <= '9') {
      while (pos < limit && in[pos] >= '0' && in[pos] <= '9') {
        pos++;
      }
    } else {
      return false;
    }
    int intDigits = pos - intStart;
    boolean integral = true;
    if (pos < limit && in[pos] == '.') {
      integral = false;
      pos++;
      if (!digits()) {
        return false;
      }
    }
    if (pos < limit && (in[pos] == 'e' || in[pos] == 'E')) {
      integral = false;
      pos++;
      if (pos < limit && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      if (!digits()) {
        return false;
      }
    }
    if (pos < limit) {
      byte d = in[pos];
      if (d != ',' && d != '}' && d != ']' && d != ' ' && d != '\t' && d != '\n' && d != '\r') {
        return false;
      }
    }
    int length = pos - start;
    if (length > MAX_NUMBER_CHARS) {
      return false;
    }
    if (integral) {
      if (intDigits > MAX_LONG_DIGITS) {
        return false; // Jackson tells a long from a big integer
      }
      long v = 0;
      for (int i = intStart; i < pos; i++) {
        v = v * 10 + (in[i] - '0');
      }
      f.setInteger(id, negative ? -v : v);
      return true;
    }
    char[] chars = arena.digits();
    for (int i = 0; i < length; i++) {
      chars[i] = (char) in[start + i];
    }
    try {
      f.setFloat(id, NumberInput.parseDouble(chars, 0, length, true));
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** One or more digits. */
  private boolean digits() {
    int start = pos;
    while (pos < limit && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
    return pos > start;
  }

  private boolean literal(String word) {
    int end = pos + word.length();
    if (end > limit) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (in[pos + i] != word.charAt(i)) {
        return false;
      }
    }
    if (end < limit) {
      byte d = in[end];
      if (d != ',' && d != '}' && d != ']' && d != ' ' && d != '\t' && d != '\n' && d != '\r') {
        return false;
      }
    }
    pos = end;
    return true;
  }

  private boolean take(char c) {
    if (pos < limit && in[pos] == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void skipSpace() {
    while (pos < limit) {
      byte b = in[pos];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return;
      }
      pos++;
    }
  }
}
