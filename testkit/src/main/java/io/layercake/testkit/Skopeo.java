package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs Debian's {@code skopeo}, a real registry client, against registries on the loopback
 * interface: to seed an upstream with test images and to pull through the mirror.
 *
 * <p>Every copy passes {@code --preserve-digests}, so skopeo never converts a manifest (by default
 * it may rewrite Docker schema 2 as OCI when the destination prefers that, which changes the
 * digest); a copy that would need a conversion fails instead. TLS verification is off because the
 * test registries speak plain HTTP. Note that skopeo then first tries HTTPS on the port and falls
 * back to HTTP, so a server under test sees one TLS handshake attempt per run.
 *
 * <p>References are {@code [docker://]127.0.0.1:PORT/name:tag} (or {@code @sha256:...}); other
 * hosts are refused, so no test can reach the internet through this class.
 */
public final class Skopeo {

  /** Where Debian's package installs the binary. */
  public static final Path BINARY = Path.of("/usr/bin/skopeo");

  /**
   * The time limit of {@link #create()} instances, generous for 100 MB+ layers on a slow CI box.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  private static final Pattern LOOPBACK_REF =
      Pattern.compile("(127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|localhost):\\d{1,5}/[^\\s]+");

  /**
   * What one skopeo run printed.
   *
   * @param exitCode the exit status, 0 on success
   * @param stdout the raw standard output (a manifest for {@code inspect --raw})
   * @param stderr the standard error as text
   */
  public record Result(int exitCode, byte[] stdout, String stderr) {
    /** The standard output as UTF-8 text. */
    public String stdoutText() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  private final Duration timeout;

  private Skopeo(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    this.timeout = timeout;
  }

  /** A runner whose commands time out after {@link #DEFAULT_TIMEOUT}. */
  public static Skopeo create() {
    return new Skopeo(DEFAULT_TIMEOUT);
  }

  /** A runner whose commands time out after {@code timeout}. */
  public static Skopeo withTimeout(Duration timeout) {
    return new Skopeo(Objects.requireNonNull(timeout, "timeout"));
  }

  /** Whether the skopeo binary is installed. */
  public static boolean isInstalled() {
    return Files.isExecutable(BINARY);
  }

  /**
   * Copies {@code source} to {@code destination}, both full skopeo image names with transport
   * ({@code docker://..., oci:DIR[:TAG], dir:DIR}), preserving digests.
   *
   * @param all copy every platform of an index ({@code --all}) rather than this machine's only
   */
  public Result copy(String source, String destination, boolean all) {
    checkLoopback(source);
    checkLoopback(destination);
    List<String> args =
        new ArrayList<>(
            List.of(
                "--insecure-policy",
                "copy",
                "--quiet",
                "--preserve-digests",
                "--src-tls-verify=false",
                "--dest-tls-verify=false"));
    if (all) {
      args.add("--all");
    }
    args.add(source);
    args.add(destination);
    return run(args);
  }

  /**
   * Copies {@code source} to {@code destination} as a user's skopeo does: every registry resolved
   * through {@code registriesConf} (its mirrors, its insecure locations), as {@code platform},
   * with {@code home} as a private home, so that no user or global configuration but the
   * system's registries.conf.d drop-ins takes part. Throws with skopeo's stderr if it fails.
   */
  public static void copyThroughRegistriesConf(Path registriesConf, Path home, Platform platform,
      String source, String destination, Duration timeout) {
    try {
      Files.createDirectories(home);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + home, e);
    }
    BoundedCommand.run(List.of(BINARY.toString(),
            // a global flag missing from skopeo 1.9's help
            "--registries-conf", registriesConf.toString(),
            "--insecure-policy",
            "--override-os", platform.os(),
            "--override-arch", platform.architecture(),
            "copy", "--quiet", "--preserve-digests", source, destination),
        Map.of("HOME", home.toString(), "XDG_RUNTIME_DIR", home.toString()),
        timeout, home);
  }

  /**
   * Pulls {@code dockerRef} into a fresh OCI layout at {@code dir}, keeping the manifests as served
   * (a Docker schema 2 manifest stays Docker-typed inside the layout); read it with {@link
   * OciLayoutReader}. skopeo 1.9 refuses a Docker manifest list here, since an OCI layout would
   * need it converted: pull those with {@link #copyToDir}.
   */
  public Result copyToOciDir(String dockerRef, Path dir, boolean all) {
    return copy(docker(dockerRef), "oci:" + dir.toAbsolutePath(), all);
  }

  /**
   * Pulls {@code dockerRef} into a fresh skopeo {@code dir:} layout at {@code dir}, keeping every
   * manifest as served; read it with {@link DirLayoutReader}. Unlike {@link #copyToOciDir}, this
   * works for Docker manifest lists, which skopeo 1.9 cannot put into an OCI layout unchanged.
   */
  public Result copyToDir(String dockerRef, Path dir, boolean all) {
    return copy(docker(dockerRef), "dir:" + dir.toAbsolutePath(), all);
  }

  /**
   * The raw manifest {@code dockerRef} resolves to, exactly as the registry served it; for a
   * multi-platform image this is the index.
   */
  public byte[] inspectRaw(String dockerRef) {
    String ref = docker(dockerRef);
    checkLoopback(ref);
    return run(List.of("--insecure-policy", "inspect", "--raw", "--tls-verify=false", ref))
        .stdout();
  }

  /** The digest of the manifest {@code dockerRef} resolves to: sha256 of the raw bytes served. */
  public String inspectDigest(String dockerRef) {
    return Sha256.digest(inspectRaw(dockerRef));
  }

  /**
   * Pushes tag {@code tag} of the OCI layout at {@code ociLayoutDir} to {@code
   * registryUrl/repoAndTag}, byte for byte. skopeo 1.9 reads only OCI media types from an OCI
   * layout; push Docker-typed images with {@link #push(Image, String, String)}.
   *
   * @param registryUrl {@code http://127.0.0.1:PORT} or {@code 127.0.0.1:PORT}
   * @param repoAndTag e.g. {@code library/redis:7}
   * @param all push every platform of an index
   */
  public static void push(
      Path ociLayoutDir, String tag, String registryUrl, String repoAndTag, boolean all) {
    create()
        .copy(
            "oci:" + ociLayoutDir.toAbsolutePath() + ":" + tag,
            "docker://" + hostPort(registryUrl) + "/" + repoAndTag,
            all);
  }

  /**
   * Pushes {@code image} (every platform) to {@code registryUrl/repoAndTag}, byte for byte,
   * whatever its media types: it is written to a temporary skopeo {@code dir:} layout, which unlike
   * an OCI layout carries Docker manifests too, and removed afterwards.
   *
   * @param registryUrl {@code http://127.0.0.1:PORT} or {@code 127.0.0.1:PORT}
   * @param repoAndTag e.g. {@code library/redis:7}
   */
  public static void push(Image image, String registryUrl, String repoAndTag) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("skopeo-push-");
      DirLayoutWriter.write(image, dir.resolve("image"));
      create()
          .copy(
              "dir:" + dir.resolve("image"),
              "docker://" + hostPort(registryUrl) + "/" + repoAndTag,
              true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage " + repoAndTag + " for push", e);
    } finally {
      if (dir != null) {
        TestFiles.deleteRecursively(dir);
      }
    }
  }

  /** Runs skopeo with {@code args}; throws with the command and stderr unless it exits 0. */
  public Result run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(BINARY.toString());
    command.addAll(args);
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("skopeo-run-");
      Path out = scratch.resolve("stdout");
      Path err = scratch.resolve("stderr");
      // the timeout wrapper is only a backstop: allow a little past our own deadline
      Process process = ChildProcesses.start(command, timeout.plusSeconds(30), out, err, scratch);
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        ChildProcesses.stop(process);
        throw new SkopeoException(
            "timed out after "
                + timeout
                + ": "
                + String.join(" ", command)
                + "\nstderr: "
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      Result result =
          new Result(
              process.exitValue(),
              Files.readAllBytes(out),
              Files.readString(err, StandardCharsets.UTF_8));
      if (result.exitCode() != 0) {
        throw new SkopeoException(
            "exit status "
                + result.exitCode()
                + ": "
                + String.join(" ", command)
                + "\nstderr: "
                + result.stderr());
      }
      return result;
    } catch (IOException e) {
      throw new SkopeoException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SkopeoException("interrupted: " + String.join(" ", command), e);
    } finally {
      if (scratch != null) {
        TestFiles.deleteRecursively(scratch);
      }
    }
  }

  /** Adds the {@code docker://} transport to a bare reference. */
  private static String docker(String ref) {
    return ref.startsWith("docker://") ? ref : "docker://" + ref;
  }

  /** {@code 127.0.0.1:PORT} from a URL or a host:port, with no trailing slash. */
  static String hostPort(String registryUrl) {
    String text =
        registryUrl.contains("://") ? URI.create(registryUrl).getAuthority() : registryUrl;
    text = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    if (!LOOPBACK_REF.matcher(text + "/x").matches()) {
      throw new IllegalArgumentException(
          "registry must be on the loopback interface: " + registryUrl);
    }
    return text;
  }

  private static void checkLoopback(String imageName) {
    if (imageName.startsWith("docker://")
        && !LOOPBACK_REF.matcher(imageName.substring(9)).matches()) {
      throw new IllegalArgumentException(
          "refusing a non-loopback registry reference: " + imageName);
    }
  }
}
