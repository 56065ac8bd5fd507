"""Drives Berth's garbage collection with Harbor's own Python client (harborapi), as Harbor tooling would: a dry run,
a real run, the history, a run's log, and the schedule (set, read back, removed).

usage: harbor_gc.py BASE_URL ADMIN_PASSWORD
Every call must succeed and parse into the client's models; the script prints one JSON object of findings.
"""
import asyncio
import json
import sys

from harborapi import HarborAsyncClient
from harborapi.models import Schedule, ScheduleObj

base, password = sys.argv[1], sys.argv[2]
seen = {}


def value(field):
    """An enum member's value (the JSON string the server sent), anything else as it is."""
    return getattr(field, "value", field)


async def run(client, dry_run):
    location = await client.create_gc_schedule(Schedule(schedule=ScheduleObj(type="Manual"),
                                                        parameters={"delete_untagged": True, "dry_run": dry_run, "workers": 2}))
    gc_id = int(location.rstrip("/").split("/")[-1])
    job = None
    for _ in range(240):
        job = await client.get_gc_job(gc_id)
        if job.job_status in ("Success", "Error", "Stopped"):
            break
        await asyncio.sleep(0.25)
    log = await client.get_gc_log(gc_id, as_list=False)
    return {"location": location, "id": job.id, "status": job.job_status, "kind": job.job_kind, "name": job.job_name,
            "parameters": json.loads(job.job_parameters), "schedule_type": value(job.schedule.type) if job.schedule else None, "log": log}


async def main():
    client = HarborAsyncClient(url=base + "/api/v2.0", username="admin", secret=password)
    seen["dry"] = await run(client, True)
    seen["real"] = await run(client, False)
    history = await client.get_gc_jobs()
    seen["history"] = [[h.id, h.job_status, json.loads(h.job_parameters)["dry_run"]] for h in history]
    await client.update_gc_schedule(Schedule(schedule=ScheduleObj(type="Custom", cron="0 30 3 * * *"),
                                             parameters={"delete_untagged": False, "dry_run": False, "workers": 3}))
    schedule = await client.get_gc_schedule()
    seen["schedule"] = [value(schedule.schedule.type), schedule.schedule.cron, schedule.parameters,
                        schedule.schedule.next_scheduled_time is not None]
    await client.update_gc_schedule(Schedule(schedule=ScheduleObj(type="None")))
    seen["schedule_removed"] = value((await client.get_gc_schedule()).schedule.type)
    print(json.dumps(seen, default=str))


asyncio.run(main())
