package io.layercake.auth;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The users of one version of an htpasswd file, as {@code htpasswd -B} writes it: one
 * {@code user:hash} line per user, where the hash is bcrypt. Blank lines and lines starting with
 * {@code #} are ignored. Immutable: a changed file is parsed into a new instance, and
 * {@link PullAuthenticator} tells versions apart by identity.
 */
final class HtpasswdUsers {

  /** User names as this mirror accepts them: what CI systems and people use, never a colon. */
  static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._@-]{1,255}");
  /** The characters of {@link #USER_NAME}, for messages. */
  static final String USER_NAME_RULE = "1 to 255 letters, digits, '.', '_', '-' or '@'";

  private static final int MAX_ERRORS_SHOWN = 5;
  private static final int DEFAULT_COST = 10;

  private final Map<String, BcryptHash> hashes;
  /** Made on first use: making it costs a bcrypt, which a reload on a request thread should not. */
  private volatile BcryptHash unknownUserHash;

  private HtpasswdUsers(Map<String, BcryptHash> hashes) {
    this.hashes = Map.copyOf(hashes);
  }

  /**
   * Parses the lines of an htpasswd file.
   *
   * @throws IllegalArgumentException naming every bad line by number (and its user, when the name
   *     is valid), but never a hash or anything else from a line that could be a secret
   */
  static HtpasswdUsers parse(List<String> lines) {
    Map<String, BcryptHash> hashes = new HashMap<>();
    Map<String, Integer> firstLine = new HashMap<>();
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      int number = i + 1;
      String line = lines.get(i).stripTrailing();
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        errors.add("line " + number + ": no ':' between user and hash");
        continue;
      }
      String user = line.substring(0, colon);
      if (!USER_NAME.matcher(user).matches()) {
        errors.add("line " + number + ": the user name must be " + USER_NAME_RULE);
        continue;
      }
      Integer earlier = firstLine.putIfAbsent(user, number);
      if (earlier != null) {
        errors.add("line " + number + " (user '" + user + "'): the user is listed again (first on line "
            + earlier + ")");
        continue;
      }
      try {
        hashes.put(user, new BcryptHash(line.substring(colon + 1)));
      } catch (IllegalArgumentException e) {
        errors.add("line " + number + " (user '" + user + "'): " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      String shown = String.join("; ", errors.subList(0, Math.min(errors.size(), MAX_ERRORS_SHOWN)));
      int more = errors.size() - MAX_ERRORS_SHOWN;
      throw new IllegalArgumentException(more > 0 ? shown + "; and " + more + " more bad lines" : shown);
    }
    return new HtpasswdUsers(hashes);
  }

  /** The stored hash of {@code user}, if the file lists the user. */
  Optional<BcryptHash> hash(String user) {
    return Optional.ofNullable(hashes.get(user));
  }

  /**
   * A hash of a random password, checked for users the file does not list so that a login with an
   * unknown name costs the same bcrypt as one with a wrong password. Its cost is the one most
   * users' hashes have, so it takes as long as a typical real check.
   */
  BcryptHash unknownUserHash() {
    BcryptHash hash = unknownUserHash;
    if (hash == null) {
      // two threads may both make one; either is as good, and it happens once per file version
      hash = randomHash(mostCommonCost());
      unknownUserHash = hash;
    }
    return hash;
  }

  /** How many users the file lists. */
  int size() {
    return hashes.size();
  }

  private int mostCommonCost() {
    return hashes.values().stream()
        .collect(Collectors.groupingBy(BcryptHash::cost, Collectors.counting()))
        .entrySet().stream()
        .max(Map.Entry.<Integer, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse(DEFAULT_COST);
  }

  private static BcryptHash randomHash(int cost) {
    SecureRandom random = new SecureRandom();
    byte[] password = new byte[32];
    random.nextBytes(password);
    return new BcryptHash(BCrypt.hashpw(Base64.getEncoder().encodeToString(password),
        BCrypt.gensalt("$2y", cost, random)));
  }

  /** Counts the users; never shows a hash. */
  @Override
  public String toString() {
    return "HtpasswdUsers[" + hashes.size() + " users]";
  }
}
