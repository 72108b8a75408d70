#!/usr/bin/env python3
"""The two steps of build-image that umoci has no command for, on an OCI image layout.

  oci_layout.py accounts LAYOUT TAG DIR
      Writes the base image's /etc/passwd and /etc/group to DIR/passwd and DIR/group (empty when
      the base has none). A layer replaces whole files, so the app layer that adds the layercake
      user must carry the base's entries too; they are read from the layers, top layer first,
      without unpacking the image.

  oci_layout.py name LAYOUT TAG NAME
      Names the image (NAME as docker writes it, e.g. layercake:0.1.0) for the tools that load
      archives: the index entry of TAG gets io.containerd.image.name = the full name
      (docker.io/library/layercake:0.1.0, which is what a Kubernetes node looks up for
      "layercake:0.1.0"). containerd's `ctr import`, podman, and docker with the containerd store
      read it; org.opencontainers.image.ref.name holds only the tag, and `podman load` refuses
      an archive named by a tag alone ("repository name must be lowercase"). A docker-save
      manifest.json lists the same blobs under RepoTags NAME: docker's classic store loads only
      archives that have one (it decompresses the layers itself).
"""
import json
import os
import sys
import tarfile

REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_NAME = "io.containerd.image.name"


def read_json(layout, digest):
    algorithm, hex_digest = digest.split(":", 1)
    with open(os.path.join(layout, "blobs", algorithm, hex_digest), "rb") as f:
        return json.load(f)


def index_entry(index, tag):
    for entry in index["manifests"]:
        if entry.get("annotations", {}).get(REF_NAME) == tag:
            return entry
    sys.exit(f"oci_layout.py: no image tagged {tag!r} in the layout's index.json")


def file_from_layers(layout, layers, path):
    """The bytes of path in the image (path without a leading slash), or None if it has none."""
    parent, name = os.path.split(path)
    whiteouts = {f"{parent}/.wh.{name}", f"{parent}/.wh..wh..opq"}
    for layer in reversed(layers):
        algorithm, hex_digest = layer["digest"].split(":", 1)
        # mode "r:*" reads gzip, bzip2, xz and plain tar; zstd layers would need a newer Python.
        with tarfile.open(os.path.join(layout, "blobs", algorithm, hex_digest), "r:*") as tar:
            for member in tar:
                member_path = os.path.normpath(member.name.lstrip("/")).removeprefix("./")
                if member_path == path:
                    if not member.isfile():
                        sys.exit(f"oci_layout.py: /{path} in layer {layer['digest']} is not a regular file")
                    return tar.extractfile(member).read()
                if member_path in whiteouts:
                    return None
    return None


def accounts(layout, tag, out_dir):
    with open(os.path.join(layout, "index.json")) as f:
        manifest = read_json(layout, index_entry(json.load(f), tag)["digest"])
    for name in ("passwd", "group"):
        content = file_from_layers(layout, manifest["layers"], f"etc/{name}") or b""
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(content)


def full_name(image_name):
    """docker's normalisation: a name without a registry host is on docker.io, under library/
    when it has no namespace."""
    first, _, rest = image_name.partition("/")
    if not rest:
        return "docker.io/library/" + image_name
    if "." in first or ":" in first or first == "localhost":
        return image_name
    return "docker.io/" + image_name


def name(layout, tag, image_name):
    index_path = os.path.join(layout, "index.json")
    with open(index_path) as f:
        index = json.load(f)
    entry = index_entry(index, tag)
    entry["annotations"][CONTAINERD_NAME] = full_name(image_name)
    with open(index_path, "w") as f:
        json.dump(index, f, separators=(",", ":"))
    manifest = read_json(layout, entry["digest"])
    blob_path = lambda descriptor: "blobs/" + descriptor["digest"].replace(":", "/", 1)
    docker_manifest = [{
        "Config": blob_path(manifest["config"]),
        "RepoTags": [image_name],
        "Layers": [blob_path(layer) for layer in manifest["layers"]],
    }]
    with open(os.path.join(layout, "manifest.json"), "w") as f:
        json.dump(docker_manifest, f, separators=(",", ":"))


if __name__ == "__main__":
    commands = {"accounts": accounts, "name": name}
    if len(sys.argv) != 5 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
