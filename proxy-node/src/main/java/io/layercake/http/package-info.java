/**
 * The HTTP edge of a node: it validates every request (repository name, reference, digest,
 * {@code Range}, {@code Accept}) into {@code oci} values before anything else sees it, maps every
 * failure to OCI error JSON with the status the distribution spec gives it, and streams blob
 * bodies to the client without buffering them whole.
 */
package io.layercake.http;
