"""Drives Berth's scanner registrations and scans with Harbor's own Python client (harborapi), as Harbor tooling would.

usage: harbor_scanners.py BASE_URL ADMIN_PASSWORD ADAPTER_URL
The server holds `library/app:v1` (an image); ADAPTER_URL is a scanner adapter (a Berth) that admin's credentials open.
Every call must succeed and parse into the client's models; the script prints one JSON object of findings.
"""
import asyncio
import json
import sys

from harborapi import HarborAsyncClient
from harborapi.models import ScannerRegistrationReq, ScannerRegistrationSettings

base, password, adapter = sys.argv[1], sys.argv[2], sys.argv[3]
seen = {}


async def main():
    client = HarborAsyncClient(url=base + "/api/v2.0", username="admin", secret=password)
    settings = dict(name="adapter", url=adapter, auth="Basic", access_credential="admin:" + password)
    await client.ping_scanner_adapter(ScannerRegistrationSettings(**settings))
    location = await client.create_scanner(ScannerRegistrationReq(description="a Berth as scanner", **settings))
    seen["location"] = location
    scanners = await client.get_scanners()
    seen["scanners"] = [(s.name, bool(s.is_default), s.access_credential or "") for s in scanners]
    registration = next(s for s in scanners if s.name == "adapter")
    metadata = await client.get_scanner_metadata(registration.uuid)
    seen["metadata"] = [metadata.scanner.name, [c.type for c in metadata.capabilities or []]]
    await client.set_project_scanner("library", registration.uuid)
    seen["project_scanner"] = (await client.get_project_scanner("library")).name
    seen["candidates"] = [s.name for s in await client.get_project_scanner_candidates("library")]
    await client.scan_artifact("library", "app", "v1")
    report = None
    for _ in range(90):
        report = await client.get_artifact_vulnerabilities("library", "app", "v1")
        if report is not None and report.vulnerabilities:
            break
        await asyncio.sleep(1)
    seen["report_scanner"] = report.scanner.name if report and report.scanner else None
    seen["vulnerabilities"] = sorted({v.id for v in (report.vulnerabilities if report else [])})
    await client.set_default_scanner(registration.uuid)
    seen["default"] = [s.name for s in await client.get_scanners() if s.is_default]
    await client.set_default_scanner("berth-builtin")
    seen["metrics"] = (await client.get_scan_all_metrics()).total
    seen["system_allowlist"] = (await client.get_cve_allowlist()).items
    await client.set_project_scanner("library", "berth-builtin")
    await client.delete_scanner(registration.uuid)
    seen["after_delete"] = [s.name for s in await client.get_scanners()]


asyncio.run(main())
print(json.dumps(seen, default=str))
