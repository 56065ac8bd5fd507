#!/usr/bin/env python3
"""Pushes, with oras-py, an artifact image and then a referrer to it that carries artifactType and subject.

Usage: [ORAS_USERNAME=u ORAS_PASSWORD=p] oras_push_referrer.py HOST:PORT REPOSITORY WORKDIR
Prints one JSON line: {"subject": digest, "referrer": digest, "artifactType": ...}.
"""
import json
import os
import sys

import oras.client
import oras.defaults
import oras.oci
import requests

host, repository, workdir = sys.argv[1], sys.argv[2], sys.argv[3]
os.chdir(workdir)
client = oras.client.OrasClient(hostname=host, insecure=True)
bearer = {}
if os.environ.get("ORAS_USERNAME"):
    # With authentication: oras-py keeps the first token it gets (for the first request's scope, pull) and does not
    # ask again on a 401, so fetch a push token up front from the registry's challenge, as the Go oras CLI does.
    user, password = os.environ["ORAS_USERNAME"], os.environ["ORAS_PASSWORD"]
    client.login(username=user, password=password, hostname=host, tls_verify=False)
    challenge = requests.get(f"http://{host}/v2/").headers["WWW-Authenticate"]
    params = dict(part.split("=", 1) for part in challenge[len("Bearer "):].split(","))
    params = {k: v.strip('"') for k, v in params.items()}
    token = requests.get(params["realm"], params={"service": params["service"], "scope": f"repository:{repository}:pull,push"},
                         auth=(user, password)).json()["token"]
    client.auth.set_token_auth(token)
    bearer = {"Authorization": f"Bearer {token}"}

with open("report.json", "w") as f:
    json.dump({"bomFormat": "CycloneDX", "components": []}, f)
with open("notes.txt", "w") as f:
    f.write("the subject artifact\n")

# The subject: a plain oras push with a custom config media type.
pushed = client.push(
    target=f"{host}/{repository}:subject",
    files=["notes.txt:text/plain"],
    manifest_config="/nonexistent:application/vnd.berth.test.config.v1+json",
)
pushed.raise_for_status()
head = requests.head(
    f"http://{host}/v2/{repository}/manifests/subject",
    headers={"Accept": oras.defaults.default_manifest_media_type, **bearer},
)
head.raise_for_status()
subject = {
    "mediaType": head.headers["Content-Type"],
    "digest": head.headers["Docker-Content-Digest"],
    "size": int(head.headers["Content-Length"]),
}

# The referrer: an OCI 1.1 artifact with artifactType, the empty config and a subject.
container = client.get_container(f"{host}/{repository}:sbom")
layer = oras.oci.NewLayer("report.json", media_type="application/vnd.cyclonedx+json")
layer["annotations"] = {"org.opencontainers.image.title": "report.json"}
client._check_200_response(client.upload_blob("report.json", container, layer))
with open("empty.json", "w") as f:
    f.write("{}")
empty = {"mediaType": "application/vnd.oci.empty.v1+json", "digest": oras.defaults.blank_config_hash, "size": 2}
client._check_200_response(client.upload_blob("empty.json", container, dict(empty)))
manifest = {
    "schemaVersion": 2,
    "mediaType": oras.defaults.default_manifest_media_type,
    "artifactType": "application/vnd.cyclonedx+json",
    "config": empty,
    "layers": [layer],
    "subject": subject,
    "annotations": {"org.example.kind": "sbom"},
}
response = client.upload_manifest(manifest, container)
response.raise_for_status()

# Pull the referrer back through oras to prove it is usable as an ordinary artifact.
files = client.pull(target=f"{host}/{repository}:sbom", outdir=os.path.join(workdir, "out"))
assert any(p.endswith("report.json") for p in files), files

print(json.dumps({
    "subject": subject["digest"],
    "referrer": response.headers.get("Docker-Content-Digest"),
    "ociSubject": response.headers.get("OCI-Subject"),
    "artifactType": manifest["artifactType"],
}))
