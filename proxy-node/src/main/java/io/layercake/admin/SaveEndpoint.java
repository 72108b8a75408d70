package io.layercake.admin;

import akka.NotUsed;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.layercake.Futures;
import io.layercake.archive.ArchiveJson;
import io.layercake.archive.Descriptor;
import io.layercake.archive.SavedImage;
import io.layercake.archive.TarWriter;
import io.layercake.blob.BlobFinder;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.OciException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/*
 * Implementation notes
 *
 * The archive holds the registry's own bytes: the manifest (or index) each tag points at, the
 * chosen platforms' manifests, configs and compressed layers, each under blobs/sha256/<hex>, with
 * an OCI index.json naming each image and docker's manifest.json listing the same config and
 * layer files. So layercake's load reproduces every digest, and docker load (which decompresses
 * layer files itself) accepts it.
 *
 * Streaming: everything is resolved before the first byte goes out, so that a bad reference or an
 * unknown tag is a clean 4xx. Blobs are then opened one at a time, in order, wherever they are in
 * the cluster (or fetched through the cache if no node has them): the node never holds more than
 * a chunk of a blob. If a blob fails mid-way the response breaks off without the tar's end
 * blocks, and the CLI discards the file.
 */

/**
 * {@code GET /admin/save?image=REF[&image=REF...][&platform=os/arch|all]}: a docker-save
 * compatible tar archive of the images, streamed.
 */
record SaveEndpoint(ImageResolver resolver, BlobFinder blobs) {

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequest query = AdminRequest.of(request, HttpMethods.GET, Set.of("image", "platform"));
    List<ImageReference> images = query.images();
    String platform = query.platform();
    return Futures.all(images.stream().map(image -> resolver.resolve(image, platform)).toList())
        .thenApply(all -> HttpResponse.create().withEntity(HttpEntities.createChunked(
            ContentTypes.create(MediaTypes.APPLICATION_X_TAR), archive(all))));
  }

  private Source<ByteString, NotUsed> archive(List<ImageResolver.Resolved> images) {
    Map<Digest, Member> members = new LinkedHashMap<>();
    List<SavedImage> saved = new ArrayList<>();
    for (ImageResolver.Resolved image : images) {
      ImageResolver.ResolvedImage top = image.top();
      addManifest(members, top.top());
      for (ImageResolver.PlatformImage platform : image.platforms()) {
        addManifest(members, platform.manifest());
        for (Descriptor blob : platform.blobs()) {
          members.putIfAbsent(blob.digest(), Member.blob(top, blob));
        }
      }
      saved.add(savedImage(image));
    }
    List<Member> files = new ArrayList<>();
    files.add(Member.directory("blobs/"));
    files.add(Member.directory(ArchiveJson.BLOBS_DIR));
    files.addAll(members.values());
    files.add(Member.small(ArchiveJson.OCI_LAYOUT, ArchiveJson.ociLayout()));
    files.add(Member.small(ArchiveJson.INDEX, ArchiveJson.index(saved)));
    files.add(Member.small(ArchiveJson.DOCKER_MANIFEST, ArchiveJson.dockerManifest(saved)));
    // flatMapConcat opens each member only when the one before it is done.
    return Source.from(files)
        .flatMapConcat(this::bytesOf)
        .concat(Source.single(ByteString.fromArrayUnsafe(TarWriter.end())));
  }

  private Source<ByteString, NotUsed> bytesOf(Member member) {
    if (member.content() != null) {
      return Source.single(ByteString.fromArrayUnsafe(member.content()));
    }
    Descriptor blob = member.blob();
    return Source.completionStage(blobs.open(member.image().upstream(), member.image().repository(), blob.digest())
            .thenApply(opened -> {
              if (opened.size() != blob.size()) {
                throw new OciException(ErrorCode.MANIFEST_INVALID, "blob size differs from its descriptor",
                    blob.digest() + ": " + opened.size() + " bytes, the manifest says " + blob.size());
              }
              return Source.single(ByteString.fromArrayUnsafe(
                      TarWriter.fileHeader(ArchiveJson.blobPath(blob.digest()), blob.size())))
                  .concat(opened.body())
                  .concat(Source.single(ByteString.fromArrayUnsafe(TarWriter.padding(blob.size()))));
            }))
        .flatMapConcat(source -> source)
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  private static void addManifest(Map<Digest, Member> members, ManifestContent manifest) {
    members.putIfAbsent(manifest.digest(),
        Member.small(ArchiveJson.blobPath(manifest.digest()), manifest.bytes()));
  }

  private static SavedImage savedImage(ImageResolver.Resolved image) {
    ImageReference reference = image.top().reference();
    ManifestContent top = image.top().top();
    ImageResolver.PlatformImage first = image.platforms().stream()
        .filter(p -> p.platform().isEmpty() || p.platform().equals(ImageResolver.DEFAULT_PLATFORM))
        .findFirst()
        .orElse(image.platforms().get(0));
    boolean tagged = reference.tag().isPresent() && reference.digest().isEmpty();
    return new SavedImage(
        tagged ? Optional.of(reference.toString()) : Optional.empty(),
        tagged ? Optional.of(reference.familiar()) : Optional.empty(),
        tagged ? reference.tag().map(t -> t.value()) : Optional.empty(),
        new Descriptor(top.mediaType(), top.digest(), top.bytes().length),
        first.config(), first.layers());
  }

  /**
   * One member of the archive: small content held in memory (with its tar framing), or a blob
   * read from the cluster when its turn comes.
   */
  private record Member(byte[] content, ImageResolver.ResolvedImage image, Descriptor blob) {

    static Member small(String name, byte[] bytes) {
      return new Member(TarWriter.smallFile(name, bytes), null, null);
    }

    static Member directory(String name) {
      return new Member(TarWriter.directoryHeader(name), null, null);
    }

    static Member blob(ImageResolver.ResolvedImage image, Descriptor blob) {
      return new Member(null, image, blob);
    }
  }
}
