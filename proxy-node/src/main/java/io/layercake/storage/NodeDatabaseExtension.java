package io.layercake.storage;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import akka.actor.typed.javadsl.Adapter;

/**
 * Shares one {@link NodeDatabase} between every component of an actor system (the journal, the
 * snapshot store, the blob index), because RocksDB allows one open instance per folder.
 *
 * <p>The database opens on first use, in {@link StorageSettings#databaseDir()}, and closes when the
 * actor system terminates. Termination callbacks run after every actor, the persistence plugins
 * included, has stopped, so the journal is done with the database by then.
 */
public final class NodeDatabaseExtension implements Extension {

  private static final Id ID = new Id();

  private final StorageSettings settings;
  private NodeDatabase database; // guarded by this
  private boolean terminated; // guarded by this

  private NodeDatabaseExtension(ActorSystem system) {
    this.settings = StorageSettings.fromConfig(system.settings().config());
    system.registerOnTermination(this::terminate);
  }

  /** The node database of a typed actor system, opened on first call. */
  public static NodeDatabase get(akka.actor.typed.ActorSystem<?> system) {
    return get(Adapter.toClassic(system));
  }

  /** The node database of a classic actor system, opened on first call. */
  public static NodeDatabase get(ActorSystem system) {
    return ID.get(system).database();
  }

  private synchronized NodeDatabase database() {
    if (terminated) {
      throw new IllegalStateException(
          "The actor system has terminated; its database in " + settings.databaseDir() + " is closed");
    }
    if (database == null) {
      database = NodeDatabase.open(settings.databaseDir());
    }
    return database;
  }

  private synchronized void terminate() {
    terminated = true;
    if (database != null) {
      database.close();
    }
  }

  /** Creates one extension per actor system. */
  private static final class Id extends AbstractExtensionId<NodeDatabaseExtension> {
    @Override
    public NodeDatabaseExtension createExtension(ExtendedActorSystem system) {
      return new NodeDatabaseExtension(system);
    }
  }
}
