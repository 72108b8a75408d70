package io.layercake.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.layercake.oci.OciException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders an {@link OciException} as the distribution spec's error body,
 * {@code {"errors":[{"code":"...","message":"...","detail":"..."}]}}, in UTF-8.
 *
 * <p>Messages and details can carry client input (a bad name, a bad digest), so the JSON is
 * written by Jackson's generator, which escapes quotes, backslashes, control characters and
 * unpaired surrogates, rather than by string concatenation.
 */
public final class OciErrorJson {

  private static final JsonFactory JSON = new JsonFactory();

  private OciErrorJson() {}

  /**
   * The error body for {@code error}: its code's name, its client message (the code's default
   * message when it has none), and its detail, which is left out when absent.
   */
  public static byte[] render(OciException error) {
    String message = error.shortMessage() != null ? error.shortMessage() : error.code().message();
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("errors");
      json.writeStartObject();
      json.writeStringField("code", error.code().name());
      json.writeStringField("message", message);
      if (error.detail().isPresent()) {
        json.writeStringField("detail", error.detail().get());
      }
      json.writeEndObject();
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      // A ByteArrayOutputStream does not fail; the generator would only fail on a bug of ours.
      throw new UncheckedIOException("cannot render error JSON for " + error.code(), e);
    }
    return out.toByteArray();
  }
}
