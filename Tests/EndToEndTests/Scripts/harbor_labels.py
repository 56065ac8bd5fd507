"""Manages labels with Harbor's own Python client (harborapi), as Harbor tooling would: a global and a project label,
listed by scope, one renamed, both put on an artifact and read back with it, one taken off, one deleted.

usage: harbor_labels.py BASE_URL ADMIN_PASSWORD
The server holds project `team` with image `team/app:v1` (pushed by the test).
Every call must succeed and parse into the client's models; the script prints one JSON object of findings.
"""
import asyncio
import json
import sys

from harborapi import HarborAsyncClient
from harborapi.models import Label

base, password = sys.argv[1], sys.argv[2]
seen = {}


async def main():
    client = HarborAsyncClient(url=base + "/api/v2.0", username="admin", secret=password)
    team = await client.get_project("team")
    global_location = await client.create_label(Label(name="production", description="runs in prod", color="#1B5E20", scope="g"))
    project_location = await client.create_label(Label(name="qa-passed", color="#FFAA00", scope="p", project_id=team.project_id))
    global_id = int(global_location.rstrip("/").split("/")[-1])
    project_id = int(project_location.rstrip("/").split("/")[-1])
    seen["global"] = [(l.name, l.scope, l.color) for l in await client.get_labels(scope="g")]
    seen["project"] = [(l.name, l.scope, l.project_id == team.project_id) for l in await client.get_labels(scope="p", project_id=team.project_id)]
    await client.update_label(project_id, Label(name="qa-approved", color="#FFAA00"))
    seen["renamed"] = (await client.get_label(project_id)).name
    for label_id in (global_id, project_id):
        await client.add_artifact_label("team", "app", "v1", await client.get_label(label_id))
    artifact = await client.get_artifact("team", "app", "v1", with_label=True)
    seen["on_artifact"] = sorted(l.name for l in artifact.labels or [])
    await client.delete_artifact_label("team", "app", "v1", global_id)
    artifact = await client.get_artifact("team", "app", "v1", with_label=True)
    seen["after_removal"] = sorted(l.name for l in artifact.labels or [])
    await client.delete_label(project_id)
    artifact = await client.get_artifact("team", "app", "v1", with_label=True)
    seen["after_delete"] = sorted(l.name for l in artifact.labels or [])
    print(json.dumps(seen, default=str))


asyncio.run(main())
