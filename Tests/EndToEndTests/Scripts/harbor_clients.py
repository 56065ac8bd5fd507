"""Drives a Berth server with Harbor's own Python API clients, as Harbor tooling would.

usage: harbor_clients.py BASE_URL ADMIN_PASSWORD
The server holds project `team` with image `team/app:v1` (pushed by the test) and a public project `open`.
Every call must succeed and parse into the clients' models; the script prints one JSON object of findings.
"""
import asyncio
import json
import sys

from harborapi import HarborAsyncClient
from harborapi.models import ProjectReq, ProjectMetadata, RobotCreate, RobotPermission, Access, UserCreationReq, Tag, WebhookPolicy, WebhookTargetObject

import harbor_client
from harbor_client.api import project_api, repository_api, artifact_api, systeminfo_api, search_api, statistic_api

base, password = sys.argv[1], sys.argv[2]
findings = {}


async def with_harborapi():
    client = HarborAsyncClient(url=base + "/api/v2.0", username="admin", secret=password)
    info = await client.get_system_info()
    findings["external_url"] = info.external_url
    findings["registry_url"] = info.registry_url
    findings["auth_mode"] = info.auth_mode
    await client.create_project(ProjectReq(project_name="tools", metadata=ProjectMetadata(public="false")))
    findings["project_exists"] = await client.project_exists("tools")
    projects = await client.get_projects()
    findings["projects"] = sorted(p.name for p in projects)
    library = await client.get_project("library")
    findings["library_owner"] = library.owner_name
    team = await client.get_project("team")
    findings["team_cve_allowlist_items"] = len(team.cve_allowlist.items or [])
    repositories = await client.get_repositories()
    findings["repositories"] = sorted(r.name for r in repositories)
    artifacts = await client.get_artifacts("team", "app", with_tag=True)
    findings["artifact_tags"] = sorted(t.name for a in artifacts for t in (a.tags or []))
    artifact = await client.get_artifact("team", "app", "v1")
    extra = artifact.extra_attrs.root if artifact.extra_attrs is not None and hasattr(artifact.extra_attrs, "root") else artifact.extra_attrs
    findings["artifact_architecture"] = (extra or {}).get("architecture")
    findings["artifact_icon"] = artifact.icon
    findings["artifact_digest_listed"] = artifact.digest in [a.digest for a in artifacts]
    history = await client.get_artifact_build_history("team", "app", "v1")
    findings["build_history_entries"] = len(history.root if hasattr(history, "root") else history)
    await client.create_artifact_tag("team", "app", "v1", Tag(name="v1-copy"))
    tags = await client.get_artifact_tags("team", "app", "v1")
    findings["tags_after_tagging"] = sorted(t.name for t in tags)
    await client.copy_artifact("tools", "app", "team/app:v1")
    copied = await client.get_artifacts("tools", "app", with_tag=True)
    findings["copied_tags"] = sorted(t.name for a in copied for t in (a.tags or []))
    stats = await client.get_statistics()
    findings["statistics"] = {"total_projects": stats.total_project_count, "total_repos": stats.total_repo_count,
                              "storage": stats.total_storage_consumption}
    search = await client.search("app")
    findings["search_repositories"] = sorted(r.repository_name for r in search.repository)
    permissions = await client.get_permissions()
    findings["permission_counts"] = {"system": len(permissions.system or []), "project": len(permissions.project or [])}
    await client.create_user(UserCreationReq(username="tool-user", email="tool@example.org", password="Tool-12345", realname="Tool"))
    user = await client.get_user_by_username("tool-user")
    findings["user_found"] = user.username
    robot = await client.create_robot(RobotCreate(
        name="pipeline", level="project", duration=-1,
        permissions=[RobotPermission(kind="project", namespace="tools",
                                     access=[Access(resource="repository", action="pull"), Access(resource="repository", action="push")])]))
    findings["robot_name"] = robot.name
    robots = await client.get_robots(query="Level=project,ProjectID=" + str((await client.get_project("tools")).project_id))
    findings["robots"] = [r.name for r in robots]
    logs = await client.get_audit_logs()
    findings["audit_log_operations"] = sorted({l.operation for l in logs})
    members = await client.get_project_members("tools")
    findings["tools_members"] = [m.entity_name for m in members]
    summary = await client.get_project_summary("tools")
    findings["tools_summary_repo_count"] = summary.repo_count
    await client.create_webhook_policy("tools", WebhookPolicy(
        name="ci", enabled=True, event_types=["PUSH_ARTIFACT", "DELETE_ARTIFACT"],
        targets=[WebhookTargetObject(type="http", address="http://127.0.0.1:9/hook", auth_header="Bearer ci-secret",
                                     skip_cert_verify=False, payload_format="CloudEvents")]))
    policies = await client.get_webhook_policies("tools")
    findings["webhook_policies"] = [p.name for p in policies]
    policy = await client.get_webhook_policy("tools", policies[0].id)
    findings["webhook_payload_formats"] = [str(t.payload_format.root if hasattr(t.payload_format, "root") else t.payload_format) for t in policy.targets]
    policy.enabled = False
    await client.update_webhook_policy("tools", policy.id, policy)
    findings["webhook_enabled_after_update"] = (await client.get_webhook_policy("tools", policy.id)).enabled
    supported = await client.get_webhook_supported_events("tools")
    findings["webhook_event_types"] = len(supported.event_type or [])
    triggers = await client.get_webhook_policy_last_trigger("tools")
    findings["webhook_last_trigger_types"] = sorted(str(t.event_type) for t in triggers)
    findings["webhook_jobs"] = len(await client.get_webhook_jobs("tools", policy.id))
    await client.delete_webhook_policy("tools", policy.id)
    findings["webhook_policies_after_delete"] = len(await client.get_webhook_policies("tools"))
    icon = await client.get_icon(artifact.icon)
    findings["icon_content_type"] = icon.content_type
    current = await client.get_current_user_permissions()
    findings["current_user_permissions"] = len(current)


def with_swagger_client():
    configuration = harbor_client.Configuration()
    configuration.host = base + "/api/v2.0"
    configuration.username = "admin"
    configuration.password = password
    api = harbor_client.ApiClient(configuration)
    projects = project_api.ProjectApi(api).list_projects()
    findings["swagger_projects"] = sorted(p.name for p in projects)
    repositories = repository_api.RepositoryApi(api).list_repositories("team")
    findings["swagger_repositories"] = [r.name for r in repositories]
    artifacts = artifact_api.ArtifactApi(api).list_artifacts("team", "app", with_tag=True)
    findings["swagger_artifact_tags"] = sorted(t.name for a in artifacts for t in (a.tags or []))
    info = systeminfo_api.SysteminfoApi(api).get_system_info()
    findings["swagger_registry_url"] = info.registry_url
    stats = statistic_api.StatisticApi(api).get_statistic()
    findings["swagger_total_repos"] = stats.total_repo_count
    result = search_api.SearchApi(api).search("team")
    findings["swagger_search_projects"] = sorted(p.name for p in result.project)


asyncio.run(with_harborapi())
with_swagger_client()
print(json.dumps(findings, sort_keys=True))
