package io.layercake.archive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.layercake.oci.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * Implementation notes
 *
 * An archive's JSON comes from whoever uploads it, so it is read with Jackson's streaming parser
 * rather than as a tree: a tree of a 16 MiB "[[],[],...]" is millions of nodes, some 300 MB of
 * heap, before any check could refuse it. Here only the fields the load needs are kept, each
 * value is validated as it is read (a list of garbage fails on its first element), everything
 * else is skipped without being decoded, and every kept value is charged to the caller's budget
 * first.
 *
 * The factory keeps field names out of Jackson's shared symbol table (a document may carry any
 * number of distinct names, and a table with too many collisions throws an unchecked error), and
 * its constraints cap nesting and the length of any one string: nothing the load reads is deeper
 * than four levels or longer than a long tag.
 */

/** Reading of an archive's JSON files, value by value: shared by {@link ArchiveJson}'s parsers. */
final class JsonReading {

  /** Deeper than any index, manifest or docker manifest the load reads (4), with room to skip extras. */
  static final int MAX_NESTING = 64;
  /** Longer than any media type, digest, path, tag or annotation worth reading. */
  static final int MAX_STRING = 64 * 1024;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_NESTING)
          .maxStringLength(MAX_STRING)
          .build())
      .build();

  private JsonReading() {}

  /** One document's reading, given the parser on its first token. */
  @FunctionalInterface
  interface Reading<T> {
    T read(JsonParser parser) throws IOException;
  }

  /**
   * Parses {@code json} (called {@code what} in errors) with {@code reading}.
   *
   * @throws io.layercake.oci.OciException BLOB_UPLOAD_INVALID if it is empty, not JSON, beyond the
   *     parser's limits or not of the expected shape
   */
  static <T> T parse(byte[] json, String what, Reading<T> reading) {
    try (JsonParser parser = FACTORY.createParser(json)) {
      if (parser.nextToken() == null) {
        throw ArchiveErrors.invalid(what + " is empty");
      }
      return reading.read(parser);
    } catch (StreamConstraintsException e) {
      throw ArchiveErrors.invalid(what + " is beyond the JSON limits (nesting " + MAX_NESTING + ", strings of "
          + MAX_STRING + " characters): " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ArchiveErrors.invalid(what + " is not valid JSON");
    }
  }

  /** Checks that the current token opens an object. */
  static void startObject(JsonParser parser, String otherwise) {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw ArchiveErrors.invalid(otherwise);
    }
  }

  /** Checks that the current token opens an array. */
  static void startArray(JsonParser parser, String otherwise) {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      throw ArchiveErrors.invalid(otherwise);
    }
  }

  /**
   * Moves to the next field's value ({@link JsonParser#currentName()} names it); false at the end
   * of the object. The caller reads or skips the value before the next call.
   */
  static boolean nextField(JsonParser parser) throws IOException {
    JsonToken token = parser.nextToken();
    if (token == JsonToken.END_OBJECT) {
      return false;
    }
    if (token != JsonToken.FIELD_NAME || parser.nextToken() == null) {
      throw new IOException("unexpected " + token);
    }
    return true;
  }

  /** Moves to the next element's first token; false at the end of the array. */
  static boolean nextElement(JsonParser parser) throws IOException {
    JsonToken token = parser.nextToken();
    if (token == null) {
      throw new IOException("unexpected end of input");
    }
    return token != JsonToken.END_ARRAY;
  }

  /** The current value if it is a string, charged; empty (and skipped) otherwise. */
  static Optional<String> string(JsonParser parser, ArchiveJson.Budget budget) throws IOException {
    if (parser.currentToken() != JsonToken.VALUE_STRING) {
      parser.skipChildren();
      return Optional.empty();
    }
    String text = parser.getText();
    budget.charge(ArchiveJson.stringCost(text));
    return Optional.of(text);
  }

  /** The current value as an array of strings, each charged. */
  static List<String> strings(JsonParser parser, String otherwise, ArchiveJson.Budget budget) throws IOException {
    startArray(parser, otherwise);
    List<String> strings = new ArrayList<>();
    while (nextElement(parser)) {
      strings.add(string(parser, budget).orElseThrow(() -> ArchiveErrors.invalid(otherwise)));
    }
    return strings;
  }

  /**
   * The current value as a descriptor with the annotations a load reads, charged; the document is
   * invalid if it is not one.
   */
  static ArchiveJson.IndexEntry descriptor(JsonParser parser, String what, ArchiveJson.Budget budget) throws IOException {
    String otherwise = "the " + what + " has a descriptor without a valid mediaType, sha256 digest and size";
    startObject(parser, otherwise);
    String mediaType = "";
    String digest = "";
    long size = -1;
    Optional<String> imageName = Optional.empty();
    Optional<String> refName = Optional.empty();
    while (nextField(parser)) {
      switch (parser.currentName()) {
        case "mediaType" -> mediaType = textOrEmpty(parser);
        case "digest" -> digest = textOrEmpty(parser);
        case "size" -> size = sizeOrNegative(parser);
        case "annotations" -> {
          if (parser.currentToken() == JsonToken.START_OBJECT) {
            while (nextField(parser)) {
              if (parser.currentName().equals(ArchiveJson.IMAGE_NAME_ANNOTATION)) {
                imageName = nonEmpty(string(parser, budget));
              } else if (parser.currentName().equals(ArchiveJson.REF_NAME_ANNOTATION)) {
                refName = nonEmpty(string(parser, budget));
              } else {
                parser.skipChildren();
              }
            }
          } else {
            parser.skipChildren();
          }
        }
        default -> parser.skipChildren();
      }
    }
    if (mediaType.isEmpty() || !Digest.isDigest(digest) || size < 0) {
      throw ArchiveErrors.invalid(otherwise);
    }
    budget.charge(ArchiveJson.DESCRIPTOR_COST + ArchiveJson.stringCost(mediaType));
    return new ArchiveJson.IndexEntry(new Descriptor(mediaType, Digest.parse(digest), size), imageName, refName);
  }

  private static String textOrEmpty(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.VALUE_STRING) {
      parser.skipChildren();
      return "";
    }
    return parser.getText();
  }

  private static long sizeOrNegative(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      parser.skipChildren();
      return -1;
    }
    JsonParser.NumberType type = parser.getNumberType();
    return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG ? parser.getLongValue() : -1;
  }

  private static Optional<String> nonEmpty(Optional<String> text) {
    return text.filter(value -> !value.isEmpty());
  }
}
