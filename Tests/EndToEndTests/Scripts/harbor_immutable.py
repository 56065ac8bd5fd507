"""Manages a project's tag immutability rules with Harbor's own Python client (harborapi), as Harbor tooling would:
create two rules, list them, disable and enable one with the client's toggle, read the tags' immutable status, and
delete a rule.

usage: harbor_immutable.py BASE_URL ADMIN_PASSWORD
The server holds project `locked` with image `locked/app` tagged v1 and latest (pushed by the test).
Every call must succeed and parse into the client's models; the script prints one JSON object of findings.
"""
import asyncio
import json
import sys

from harborapi import HarborAsyncClient
from harborapi.models import ImmutableRule, ImmutableSelector

base, password = sys.argv[1], sys.argv[2]
seen = {}


def rule(tags, decoration="matches"):
    return ImmutableRule(action="immutable", template="immutable_template", disabled=False, priority=0,
                         tag_selectors=[ImmutableSelector(kind="doublestar", decoration=decoration, pattern=tags)],
                         scope_selectors={"repository": [ImmutableSelector(kind="doublestar", decoration="repoMatches", pattern="**")]})


async def tag_status(client):
    tags = await client.get_artifact_tags("locked", "app", "v1", with_immutable_status=True)
    return {t.name: t.immutable for t in tags}


async def main():
    client = HarborAsyncClient(url=base + "/api/v2.0", username="admin", secret=password)
    first = await client.create_project_immutable_tag_rule("locked", rule("v*"))
    second = await client.create_project_immutable_tag_rule("locked", rule("latest"))
    seen["locations"] = [first, second]
    rules = await client.get_project_immutable_tag_rules("locked")
    seen["rules"] = [[r.id, r.disabled, r.action, r.template, r.tag_selectors[0].pattern, r.tag_selectors[0].decoration,
                      r.scope_selectors["repository"][0].decoration] for r in rules]
    seen["tags_protected"] = await tag_status(client)
    first_id = int(first.rstrip("/").split("/")[-1])
    await client.enable_project_immutable_tagrule("locked", first_id, enabled=False)
    seen["after_disable"] = [[r.id, r.disabled, r.tag_selectors[0].pattern] for r in await client.get_project_immutable_tag_rules("locked")]
    seen["tags_first_disabled"] = await tag_status(client)
    await client.enable_project_immutable_tagrule("locked", first_id, enabled=True)
    second_id = int(second.rstrip("/").split("/")[-1])
    await client.delete_project_immutable_tag_rule("locked", second_id)
    seen["after_delete"] = [[r.id, r.disabled] for r in await client.get_project_immutable_tag_rules("locked")]
    seen["tags_end"] = await tag_status(client)
    print(json.dumps(seen, default=str))


asyncio.run(main())
