package io.layercake.admin;

import akka.actor.typed.ActorSystem;
import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Futures;
import io.layercake.Json;
import io.layercake.UpstreamName;
import io.layercake.archive.ArchiveJson;
import io.layercake.archive.Descriptor;
import io.layercake.manifest.TagResolver;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.oci.Platform;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import io.layercake.upstream.PullKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Resolves an image reference the way a client's pull does: a tag through {@link TagResolver}
 * (fresh cached answers never reach upstream), a digest through the manifest store, and an index
 * to the manifests of the wanted platforms.
 */
final class ImageResolver {

  /** The platform a pull takes from a multi-platform image unless told otherwise, as docker on amd64. */
  static final String DEFAULT_PLATFORM = "linux/amd64";
  /** The platform filter that takes every platform of an index. */
  static final String ALL_PLATFORMS = "all";

  private final ImageServices services;
  private final TagResolver tags;

  ImageResolver(ActorSystem<?> system, ImageServices services) {
    this.services = services;
    this.tags = new TagResolver(system, services.manifestSettings().askTimeout());
  }

  /** The upstream an image reference names: Docker Hub is the default upstream. */
  UpstreamName upstreamOf(ImageReference image) {
    return services.upstreams().select(image.isDockerHub() ? Optional.empty() : Optional.of(image.domain()));
  }

  /**
   * The platforms a prewarm of {@code image} takes: the one asked for; else, for {@code all} or
   * nothing asked, the platforms its upstream's {@code platforms} lists, if it lists any; else
   * every platform for {@code all} (an empty list), and {@link #DEFAULT_PLATFORM} for nothing.
   */
  List<String> prewarmed(ImageReference image, Optional<String> asked) {
    if (asked.isPresent() && !asked.get().equals(ALL_PLATFORMS)) {
      return List.of(asked.get());
    }
    List<String> listed = services.upstreams().get(upstreamOf(image)).settings().platforms();
    if (!listed.isEmpty()) {
      return listed;
    }
    return asked.isPresent() ? List.of() : List.of(DEFAULT_PLATFORM);
  }

  /** The image's top manifest (an index for a multi-platform image). */
  CompletionStage<ResolvedImage> resolve(ImageReference image) {
    UpstreamName upstream = upstreamOf(image);
    RepositoryName repository = services.upstreams().mirroredName(upstream, image.repository());
    Reference reference = image.reference();
    if (reference instanceof Reference.ByDigest byDigest) {
      return services.manifests().byDigest(upstream, repository, byDigest.value(), PullKind.PREWARM)
          .thenApply(top -> new ResolvedImage(image, upstream, repository, top));
    }
    Reference.ByTag byTag = (Reference.ByTag) reference;
    return tags.resolve(upstream, repository, byTag.tag(), PullKind.PREWARM)
        .thenCompose(resolved -> services.manifests().keep(resolved.content())
            .thenApply(kept -> new ResolvedImage(image, upstream, repository, resolved.content())));
  }

  /** The image's top manifest and the platform images {@code platform} selects of it. */
  CompletionStage<Resolved> resolve(ImageReference image, String platform) {
    return resolve(image, platform.equals(ALL_PLATFORMS) ? List.of() : List.of(platform));
  }

  /** The image's top manifest and the platform images of it that any of {@code wanted} names (none: all). */
  CompletionStage<Resolved> resolve(ImageReference image, List<String> wanted) {
    return resolve(image).thenCompose(top -> platforms(top, wanted).thenApply(each -> new Resolved(top, each)));
  }

  /**
   * An image with the platforms selected of it.
   *
   * @param top the image's top manifest, as resolved
   * @param platforms the platform images selected
   */
  record Resolved(ResolvedImage top, List<PlatformImage> platforms) {}

  /**
   * The platform images of {@code image}: for an index, those any of {@code wanted} ({@code
   * os/arch[/variant]}) names, or every one if it is empty; for a single manifest, that manifest.
   *
   * @throws OciException with MANIFEST_UNKNOWN if the index has no such platform
   */
  CompletionStage<List<PlatformImage>> platforms(ResolvedImage image, List<String> wanted) {
    return platforms(image, wanted, PullKind.PREWARM);
  }

  /** The same, fetching what is not cached as {@code kind}. */
  CompletionStage<List<PlatformImage>> platforms(ResolvedImage image, List<String> wanted, PullKind kind) {
    ManifestContent top = image.top();
    if (!MediaType.isIndex(top.mediaType())) {
      return CompletableFuture.completedFuture(List.of(platformImage("", top)));
    }
    List<CompletionStage<PlatformImage>> children = new ArrayList<>();
    JsonNode nodes = read(top).path("manifests");
    List<Descriptor> descriptors = ArchiveJson.references(top.mediaType(), top.bytes()).children();
    for (int i = 0; i < descriptors.size(); i++) {
      String name = platformName(nodes.get(i).path("platform"));
      if (!wanted.isEmpty() && wanted.stream().noneMatch(platform -> Platform.matches(name, platform))) {
        continue;
      }
      children.add(services.manifests().byDigest(image.upstream(), image.repository(), descriptors.get(i).digest(),
              kind)
          .thenApply(manifest -> platformImage(name, manifest)));
    }
    if (children.isEmpty()) {
      throw new OciException(ErrorCode.MANIFEST_UNKNOWN, "the image has no manifest for this platform",
          image.reference() + " (" + String.join(", ", wanted) + ")");
    }
    return Futures.all(children);
  }

  /** Checks a {@code --platform} value: {@code os/arch}, {@code os/arch/variant} or {@code all}. */
  static String checkPlatform(String platform) {
    if (!platform.equals(ALL_PLATFORMS) && !Platform.isValid(platform)) {
      throw new OciException(ErrorCode.NAME_INVALID, "invalid platform",
          "expected os/arch[/variant] or all, got " + platform);
    }
    return platform;
  }

  /** The platform names of an index's children, in its order ({@code os/arch[/variant]}). */
  static List<String> platformNames(ManifestContent index) {
    List<String> names = new ArrayList<>();
    read(index).path("manifests").forEach(child -> names.add(platformName(child.path("platform"))));
    return names;
  }

  private static String platformName(JsonNode platform) {
    String name = platform.path("os").asText("unknown") + "/" + platform.path("architecture").asText("unknown");
    String variant = platform.path("variant").asText("");
    return variant.isEmpty() ? name : name + "/" + variant;
  }

  private static PlatformImage platformImage(String platform, ManifestContent manifest) {
    ArchiveJson.References refs;
    try {
      refs = ArchiveJson.references(manifest.mediaType(), manifest.bytes());
    } catch (OciException e) {
      throw new OciException(ErrorCode.MANIFEST_INVALID, "the image's manifest cannot be used here",
          manifest.digest() + " (" + manifest.mediaType() + "): " + e.detail().orElse(""));
    }
    return new PlatformImage(platform, manifest, refs.config().orElseThrow(), refs.layers());
  }

  private static JsonNode read(ManifestContent manifest) {
    try {
      return Json.MAPPER.readTree(manifest.bytes());
    } catch (IOException e) {
      throw new OciException(ErrorCode.MANIFEST_INVALID, "manifest is not JSON", manifest.digest().toString());
    }
  }

  /**
   * An image reference resolved to its top manifest.
   *
   * @param reference what was asked for
   * @param upstream the upstream it comes from
   * @param repository the repository as that upstream names it
   * @param top the manifest or index the reference points at
   */
  record ResolvedImage(ImageReference reference, UpstreamName upstream, RepositoryName repository, ManifestContent top) {}

  /**
   * One platform's image manifest with what it refers to.
   *
   * @param platform {@code os/arch[/variant]}, or empty for an image that is not an index
   * @param manifest the image manifest
   * @param config its config
   * @param layers its layers, in order
   */
  record PlatformImage(String platform, ManifestContent manifest, Descriptor config, List<Descriptor> layers) {

    /** The config and the layers: every blob a pull of this platform downloads. */
    List<Descriptor> blobs() {
      List<Descriptor> all = new ArrayList<>();
      all.add(config);
      all.addAll(layers);
      return all;
    }
  }
}
