package io.layercake.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;

/** Actor system configuration for tests that persist {@link Ledger}s on the RocksDB plugins. */
final class TestConfigs {

  private TestConfigs() {}

  /** The node's data in {@code dataDir}, and the ledger's data bound to Jackson CBOR. */
  static Config forDataDir(Path dataDir) {
    return io.layercake.node.NodeConfig.load(overrides(dataDir));
  }

  private static Config overrides(Path dataDir) {
    return ConfigFactory.parseString(
            "akka.actor.serialization-bindings {\n"
                + "  \"io.layercake.persistence.Ledger$Data\" = jackson-cbor\n"
                + "}\n"
                + "akka.loglevel = WARNING\n"
                + "akka.actor.provider = local\n")
        .withValue("layercake.storage.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()));
  }
}
