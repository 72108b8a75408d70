package io.layercake.loadtest;

/** HTML escaping for report text. */
final class Html {

  private Html() {}

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
