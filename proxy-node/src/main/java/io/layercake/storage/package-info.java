/**
 * The node's on-disk state: verified blob files in a content-addressed folder tree, and one RocksDB
 * instance ({@link io.layercake.storage.NodeDatabase}, shared through
 * {@link io.layercake.storage.NodeDatabaseExtension}) whose column families hold the blob index,
 * tags, repositories, pins and the Akka Persistence journal and snapshots. The files are the truth
 * about bytes; the database only indexes and describes them. Files are verified, not trusted:
 * their size is checked at start-up and before serving, a background scrub
 * ({@link io.layercake.storage.BlobScrub}) hashes them, and a file that fails is quarantined and
 * fetched again.
 */
package io.layercake.storage;
