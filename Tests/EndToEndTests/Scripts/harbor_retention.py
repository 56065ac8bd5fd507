"""Manages a project's tag retention policy with Harbor's own Python client (harborapi), as Harbor tooling would:
read the metadata, create a policy for the project, find it through the project's retention_id, update it, start a
dry run, follow it to its end and read its task and log.

usage: harbor_retention.py BASE_URL ADMIN_PASSWORD
The server holds project `ci` with images `ci/app:v1`, `v2` and `v3` (pushed by the test).
Every call must succeed and parse into the client's models; the script prints one JSON object of findings.
"""
import asyncio
import json
import sys

from harborapi import HarborAsyncClient
from harborapi.models import RetentionPolicy, RetentionRule, RetentionSelector, RetentionRuleTrigger, RetentionPolicyScope

base, password = sys.argv[1], sys.argv[2]
seen = {}


def rule(template, count, tags):
    return RetentionRule(action="retain", template=template, disabled=False, priority=0, params={template: count},
                         tag_selectors=[RetentionSelector(kind="doublestar", decoration="matches", pattern=tags, extras='{"untagged":true}')],
                         scope_selectors={"repository": [RetentionSelector(kind="doublestar", decoration="repoMatches", pattern="**")]})


async def main():
    client = HarborAsyncClient(url=base + "/api/v2.0", username="admin", secret=password)
    metadata = await client.get_retention_metadata()
    seen["templates"] = [t.rule_template for t in metadata.templates]
    project = await client.get_project("ci")
    policy = RetentionPolicy(algorithm="or", rules=[rule("latestPushedK", 5, "v*")],
                             trigger=RetentionRuleTrigger(kind="Schedule", settings={"cron": ""}),
                             scope=RetentionPolicyScope(level="project", ref=project.project_id))
    location = await client.create_retention_policy(policy)
    seen["policy_id"] = int(location.rstrip("/").split("/")[-1])
    seen["retention_id"] = await client.get_project_retention_id("ci")
    stored = await client.get_retention_policy(seen["retention_id"])
    first = stored.rules[0]
    seen["rule"] = [first.template, first.tag_selectors[0].pattern, first.scope_selectors["repository"][0].decoration]
    stored.rules = [rule("latestPushedK", 2, "v*"), rule("nDaysSinceLastPull", 3, "**")]
    await client.update_retention_policy(seen["policy_id"], stored)
    seen["updated_count"] = len((await client.get_retention_policy(seen["policy_id"])).rules)
    started = await client.start_retention_execution(seen["policy_id"], dry_run=True)
    execution_id = int(started.rstrip("/").split("/")[-1])
    execution = None
    for _ in range(120):
        executions = await client.get_retention_executions(seen["policy_id"])
        execution = next(e for e in executions if e.id == execution_id)
        if execution.status != "Running":
            break
        await asyncio.sleep(0.25)
    seen["execution"] = [execution.status, str(execution.dry_run)]
    tasks = await client.get_retention_tasks(seen["policy_id"], execution_id)
    seen["task"] = [tasks[0].total, tasks[0].retained]
    seen["log"] = await client.get_retention_execution_task_log(seen["policy_id"], execution_id, tasks[0].id)
    print(json.dumps(seen, default=str))


asyncio.run(main())
