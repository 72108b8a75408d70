package io.layercake.tls;

import java.nio.file.Path;

/** A key or certificate file that cannot be used; the message names the file and what is wrong. */
public final class TlsFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TlsFileException(Path file, String problem) {
    super(file + ": " + problem);
  }

  TlsFileException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
