package io.layercake.http;

import akka.event.LoggingAdapter;
import akka.http.javadsl.model.HttpResponse;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;

/**
 * Answers requests that Akka HTTP cannot even parse (oversized headers or URIs, bad encodings,
 * unknown methods) with OCI error JSON and a 4xx, like every other error of the API. Akka's
 * default answers an unknown method with 501, a 5xx, which would blame the server for the
 * client's request.
 */
public final class OciParsingErrorHandler extends akka.http.ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log,
      ServerSettings settings) {
    ErrorCode code;
    int httpStatus = status.intValue();
    if (httpStatus == 501 || httpStatus == 405) {
      code = ErrorCode.UNSUPPORTED;
    } else {
      code = ErrorCode.NAME_INVALID;
    }
    OciException oci = new OciException(code, "malformed request", error.summary());
    HttpResponse response = Responses.error(oci);
    if (code == ErrorCode.NAME_INVALID && httpStatus >= 400 && httpStatus < 500) {
      // Keep Akka's precise status (414 URI too long, 431 headers too large, 400 otherwise).
      return response.withStatus(httpStatus);
    }
    return response;
  }
}
