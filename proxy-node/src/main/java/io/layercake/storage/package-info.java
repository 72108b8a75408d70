/**
 * The node's on-disk state: verified blob files in a content-addressed folder tree, and one RocksDB
 * instance ({@link io.layercake.storage.NodeDatabase}, shared through
 * {@link io.layercake.storage.NodeDatabaseExtension}) whose column families hold the blob index,
 * tags, repositories, pins and the Akka Persistence journal and snapshots. The files are the truth
 * about bytes; the database only indexes and describes them.
 */
package io.layercake.storage;
