/**
 * Image archives as {@code docker save} writes them and {@code docker load} reads them: a tar
 * holding the OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/...})
 * and/or docker's own {@code manifest.json} with per-image config and layer paths. The package
 * knows formats only (tar headers, the JSON files); streaming and storage belong to the admin
 * endpoints. It depends on {@code oci} alone.
 */
package io.layercake.archive;
