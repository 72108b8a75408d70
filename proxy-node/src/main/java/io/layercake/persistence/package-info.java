/**
 * The Akka Persistence plugins that keep the event-sourced entities' journal and snapshots in the
 * node's RocksDB: {@link io.layercake.persistence.RocksJournal} and
 * {@link io.layercake.persistence.RocksSnapshotStore}, configured under
 * {@code layercake.persistence}. They share the one database of the node through
 * {@link io.layercake.storage.NodeDatabaseExtension}, run every blocking call on the
 * {@code layercake.blocking-io-dispatcher}, write each persisted batch as one synced RocksDB write
 * batch, and serialize with the serializers bound in Akka's configuration (Jackson CBOR for
 * layercake's events), so that a node that crashes recovers every entity to a whole batch.
 */
package io.layercake.persistence;
