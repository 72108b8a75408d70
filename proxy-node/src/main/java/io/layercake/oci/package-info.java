/**
 * The vocabulary of the OCI distribution API as validated values: digests, repository names,
 * tags, references, media types and error codes. Everything here validates on construction, so a
 * value of these types is always safe to put in a path, a key or a URL; the package depends on
 * nothing else in layercake.
 */
package io.layercake.oci;
