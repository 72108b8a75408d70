package io.layercake;

/** Text rules of HTTP header values that several parsers of client input share. */
public final class HeaderText {

  private HeaderText() {}

  /**
   * {@code text} without HTTP's optional whitespace (OWS: space and tab only) at either end:
   * {@link String#trim} would also drop NUL and other control characters, and {@link
   * String#strip} Unicode spaces, which a header value must not be forgiven.
   */
  public static String trimOptionalWhitespace(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && isOptionalWhitespace(text.charAt(start))) {
      start++;
    }
    while (end > start && isOptionalWhitespace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(start, end);
  }

  private static boolean isOptionalWhitespace(char c) {
    return c == ' ' || c == '\t';
  }
}
