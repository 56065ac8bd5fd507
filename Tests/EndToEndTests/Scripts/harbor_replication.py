"""Drives Berth's replication with Harbor's own Python client (harborapi), as Harbor tooling would: a registry, a
push-based policy with filters, a run, its tasks and a task's log, an update and a deletion.

usage: harbor_replication.py BASE_URL ADMIN_PASSWORD DESTINATION_URL
The server holds `library/app:v1`; DESTINATION_URL is an anonymous docker-registry.
Every call must succeed and parse into the client's models; the script prints one JSON object of findings.
"""
import asyncio
import json
import sys

from harborapi import HarborAsyncClient
from harborapi.models import Registry, ReplicationFilter, ReplicationPolicy, ReplicationTrigger, ReplicationTriggerSettings

base, password, destination = sys.argv[1], sys.argv[2], sys.argv[3]
seen = {}


async def main():
    client = HarborAsyncClient(url=base + "/api/v2.0", username="admin", secret=password)
    seen["registry_location"] = await client.create_registry(Registry(name="dist", type="docker-registry", url=destination, insecure=True))
    registry = next(r for r in await client.get_registries() if r.name == "dist")
    policy = ReplicationPolicy(
        name="to-dist", description="harborapi", dest_registry=Registry(id=registry.id), dest_namespace="mirror",
        dest_namespace_replace_count=1, enabled=True, override=True,
        filters=[ReplicationFilter(type="name", value="library/**"), ReplicationFilter(type="tag", value="v*", decoration="matches")],
        trigger=ReplicationTrigger(type="manual", trigger_settings=ReplicationTriggerSettings(cron="")))
    seen["policy_location"] = await client.create_replication_policy(policy)
    policies = await client.get_replication_policies()
    created = next(p for p in policies if p.name == "to-dist")
    seen["policy"] = [created.name, created.dest_registry.name, created.src_registry.id if created.src_registry else None,
                      created.dest_namespace, [f.type for f in created.filters or []], created.trigger.type if created.trigger else None]
    seen["execution_location"] = await client.start_replication(created.id)
    execution = None
    for _ in range(120):
        executions = await client.get_replications(policy_id=created.id)
        execution = executions[0] if executions else None
        if execution is not None and execution.status != "InProgress":
            break
        await asyncio.sleep(0.5)
    execution = await client.get_replication(execution.id)
    seen["execution"] = [execution.status, execution.trigger, execution.total, execution.succeed, execution.failed]
    tasks = await client.get_replication_tasks(execution.id)
    seen["tasks"] = [[t.status, t.operation, t.src_resource, t.dst_resource] for t in tasks]
    seen["log"] = await client.get_replication_task_log(execution.id, tasks[0].id)
    created.enabled = False
    created.description = "paused"
    await client.update_replication_policy(created.id, created)
    updated = await client.get_replication_policy(created.id)
    seen["updated"] = [updated.enabled, updated.description, updated.dest_registry.name]
    await client.delete_replication_policy(created.id)
    seen["after_delete"] = [p.name for p in await client.get_replication_policies()]
    print(json.dumps(seen))


asyncio.run(main())
