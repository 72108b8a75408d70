/**
 * The client for upstream registries such as Docker Hub, in the manner of Jib's registry client:
 * one small class per endpoint ({@code ManifestPull}, {@code ManifestHead}, {@code BlobPull},
 * {@code TagListPull}) run by one {@code RegistryCaller} that handles, the same way for all, the
 * bearer-token flow with tokens cached per scope, redirects to a CDN without the Authorization
 * header, retries with backoff for failures before any body byte, rate-limit headers, and the
 * mapping of upstream answers to {@link io.layercake.oci.OciException}s whose detail names the
 * action. {@link io.layercake.upstream.UpstreamRegistry} is the entry point; it verifies what it
 * returns (manifest digests, blob length and digest while streaming) and never holds a blob in
 * memory. The package depends on {@code oci} only, and credentials or tokens never reach a log.
 */
package io.layercake.upstream;
