package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.UpstreamName;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /admin/history?image=NAME[:TAG]}: where the tag pointed over time, from the tag
 * entity's journal on every node ({@code &scope=node}: this node's journal only). Never asks
 * upstream and never wakes the entity.
 */
record HistoryEndpoint(ImageResolver resolver, ImageServices services, TagHistory history) {

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequest query = AdminRequest.of(request, HttpMethods.GET, Set.of("image", "scope"));
    ImageReference image = query.image();
    if (image.digest().isPresent()) {
      throw new OciException(ErrorCode.TAG_INVALID, "history needs a tag, not a digest", image.familiar());
    }
    UpstreamName upstream = resolver.upstreamOf(image);
    RepositoryName repository = services.upstreams().canonicalName(upstream, image.repository());
    Tag tag = image.tag().orElseThrow();
    boolean nodeOnly = query.optional("scope").map("node"::equals).orElse(false);
    CompletionStage<List<AdminAnswers.HistoryEntry>> entries = nodeOnly
        ? history.local(upstream, repository, tag)
        : history.cluster(upstream, repository, tag);
    return entries.thenApply(list -> AdminRequest.json(new AdminAnswers.History(image.familiar(), list)));
  }
}
