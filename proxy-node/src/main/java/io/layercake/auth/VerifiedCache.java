package io.layercake.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/*
 * Implementation notes
 *
 * Why: clients send their credentials with every request, and a pull is dozens of blob requests;
 * bcrypt at htpasswd's default cost 5 takes milliseconds, at cost 10 tens of milliseconds. So a
 * user and password that bcrypt accepted are remembered for ttl and checked again only after.
 *
 * Key: HMAC-SHA256 of user + '\0' + password under a random key made when the cache is, which
 * lives only in this process. The map therefore never holds a password (a heap dump shows MACs
 * that cannot be reversed or checked offline without the key), and the map's non-constant-time
 * equals compares MACs an attacker cannot predict, so its timing tells nothing about a guess.
 * '\0' cannot occur in a user name, so no two pairs share an input.
 *
 * Versions: each entry records the htpasswd version (an HtpasswdUsers instance) it was verified
 * against, and a lookup only accepts entries of the version it is given. A reload therefore
 * invalidates everything at once, even an entry a racing thread adds just after clear(); clear()
 * only frees the memory early.
 *
 * Bound: at maxSize entries, an insertion first drops expired entries, then arbitrary ones
 * (ConcurrentHashMap's iteration order is by hash, so in effect random) until there is room.
 * That sweep is O(maxSize), but an insertion follows a bcrypt check, which costs far more. Only
 * successful checks are inserted: a wrong password is never remembered.
 */

/** Remembers user and password pairs that bcrypt accepted, for a while, without keeping passwords. */
final class VerifiedCache {

  private static final String MAC_ALGORITHM = "HmacSHA256";
  private static final int KEY_BYTES = 32;

  /** An HMAC of a user and password; equality by content. */
  static final class Key {
    private final byte[] mac;
    private final int hash;

    private Key(byte[] mac) {
      this.mac = mac;
      this.hash = Arrays.hashCode(mac);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && Arrays.equals(mac, key.mac);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    /** Shows nothing: even a MAC is not for logs. */
    @Override
    public String toString() {
      return "Key[<hidden>]";
    }
  }

  private record Entry(String user, long expiresAt, HtpasswdUsers version) {}

  private final long ttlMillis;
  private final int maxSize;
  private final Clock clock;
  private final ThreadLocal<Mac> macs;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  /**
   * A cache whose entries live for {@code ttl} (zero: nothing is remembered), with at most
   * {@code maxSize} of them.
   */
  VerifiedCache(Duration ttl, int maxSize, Clock clock) {
    this.ttlMillis = ttl.toMillis();
    this.maxSize = maxSize;
    this.clock = clock;
    byte[] secret = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(secret);
    SecretKeySpec macKey = new SecretKeySpec(secret, MAC_ALGORITHM);
    // a Mac is not thread-safe, and making one per request costs more than the HMAC itself
    this.macs = ThreadLocal.withInitial(() -> newMac(macKey));
  }

  /** The key of a user and password. */
  Key key(String user, String password) {
    return new Key(macs.get().doFinal((user + '\0' + password).getBytes(StandardCharsets.UTF_8)));
  }

  /** The user verified under {@code key} against {@code version}, if still fresh. */
  Optional<String> verifiedUser(Key key, HtpasswdUsers version) {
    Entry entry = entries.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (entry.version() != version || clock.millis() >= entry.expiresAt()) {
      entries.remove(key, entry);
      return Optional.empty();
    }
    return Optional.of(entry.user());
  }

  /** Remembers that bcrypt accepted the pair behind {@code key} for {@code user} in {@code version}. */
  void remember(Key key, String user, HtpasswdUsers version) {
    if (ttlMillis <= 0) {
      return;
    }
    long now = clock.millis();
    if (entries.size() >= maxSize) {
      makeRoom(now);
    }
    entries.put(key, new Entry(user, now + ttlMillis, version));
  }

  /** Forgets everything: the htpasswd file changed. */
  void clear() {
    entries.clear();
  }

  /** How many pairs are remembered, expired ones included until they are dropped. */
  int size() {
    return entries.size();
  }

  private void makeRoom(long now) {
    entries.values().removeIf(entry -> now >= entry.expiresAt());
    Iterator<Key> keys = entries.keySet().iterator();
    while (entries.size() >= maxSize && keys.hasNext()) {
      keys.next();
      keys.remove();
    }
  }

  private static Mac newMac(SecretKeySpec key) {
    try {
      Mac mac = Mac.getInstance(MAC_ALGORITHM);
      mac.init(key);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java runtime has " + MAC_ALGORITHM, e);
    }
  }

  @Override
  public String toString() {
    return "VerifiedCache[" + entries.size() + " of " + maxSize + "]";
  }
}
