import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Administration: the whole audit log, the job queue (with stopping a job) and the configuration in force (with the
/// LDAP connection test). The services refuse everyone but system administrators, as on the API.
extension PortalController {
    @Sendable func systemLogs(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        let filter = LogFilter(request)
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            // Only administrators see this page (the service would show anyone else their projects' entries).
            guard visitor.principal.isSystemAdmin else { throw visitor.signedIn ? APIError.forbidden("the audit log") : APIError(.unauthorized, "sign in") }
            let page = try await auditLogs.list(query: filter.query(page: pageNumber), caller(visitor, request, context))
            let rows = page.items.map(Self.logRow)
            let content = SystemLogsPage(frame: frame(visitor), tabs: adminTabs(active: "logs"), filterAction: "/harbor/logs", username: filter.username,
                                         operation: filter.operation, resourceType: filter.resourceType, rows: rows, hasRows: !rows.isEmpty,
                                         pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("system-logs", content), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    @Sendable func jobQueue(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await jobsPage(request, context, visitor, problem: nil)
    }

    @Sendable func stopJob(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        do {
            try await jobs.stop(id: try Self.identifier(context, "job", what: "job"), action: "stop", caller(visitor, request, context))
            return Self.redirect("/harbor/job-service-dashboard")
        } catch let error as APIError {
            return try await jobsPage(request, context, visitor, problem: error.message, status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func jobsPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?,
                  status: HTTPResponse.Status = .ok) async throws -> Response {
        let shownStatus = request.uri.queryParameters["status"].map(String.init) ?? ""
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let caller = caller(visitor, request, context)
            let queues = try await jobs.queues(caller).map { QueueRow(kind: $0.jobType, waiting: $0.count, latency: PortalFormat.shownDuration($0.latency)) }
            let schedules = try await jobs.schedules(caller).map { schedule in
                ScheduleRow(kind: schedule.vendorType, cron: schedule.cron, nextRun: schedule.nextRunTime,
                            nextRunShown: PortalFormat.shownTime(schedule.nextRunTime), state: schedule.paused ? "Paused" : "Active")
            }
            let statuses = ["", "pending", "running", "succeeded", "dead", "stopped"]
            guard statuses.contains(shownStatus) else { throw APIError.badRequest("there is no job status \(shownStatus.prefix(32))") }
            let filters = shownStatus.isEmpty ? [] : [ListQuery.Filter(key: "status", match: .exact(shownStatus))]
            let page = try await jobs.list(query: ListQuery(filters: filters, offset: (pageNumber - 1) * PortalFormat.pageSize,
                                                            limit: PortalFormat.pageSize), caller)
            let rows = page.items.map { job in
                JobRow(id: job.id, kind: job.jobType, status: job.status, attempts: "\(job.attempts) of \(job.maxAttempts)", created: job.creationTime,
                       createdShown: PortalFormat.shownTime(job.creationTime), ended: job.endTime.map(PortalFormat.shownTime) ?? "",
                       problem: job.lastError ?? "", canStop: job.status == "pending" || job.status == "running",
                       stopAction: "/harbor/job-service-dashboard/jobs/\(job.id)/stop")
            }
            let choices = statuses.map { SelectOption(value: $0, label: $0.isEmpty ? "All" : $0.capitalized, selected: $0 == shownStatus) }
            // While work waits or runs, the page refreshes its figures by itself (with script; without, reload it).
            let live = !queues.isEmpty || rows.contains { $0.canStop }
            let content = JobsPage(frame: frame(visitor), tabs: adminTabs(active: "jobs"), problem: problem, queues: queues, hasQueues: !queues.isEmpty,
                                   schedules: schedules, hasSchedules: !schedules.isEmpty, statuses: choices, jobs: rows, hasJobs: !rows.isEmpty,
                                   live: live, pager: PortalFormat.pager(request, page: pageNumber, total: page.total, shown: rows.count))
            return finish(renderer.page("jobs", content, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    @Sendable func configurationPage(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return configurationPage(request, context, visitor, test: nil)
    }

    @Sendable func testLDAP(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        guard try await changeForm(request, visitor) != nil else { return forbiddenForm(visitor, request) }
        do {
            let result = try await ldap.ping(nil, caller(visitor, request, context))
            return configurationPage(request, context, visitor, test: (result.success, result.success ? "Connected and bound to the directory." : result.message))
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    func configurationPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, test: (passed: Bool, message: String)?) -> Response {
        do {
            let caller = caller(visitor, request, context)
            let facts = try system.settings(caller)
            let general = [
                SettingRow(name: "Authentication", value: facts.authMode == "ldap_auth" ? "LDAP (and local users)" : "Local users"),
                SettingRow(name: "Who may create projects", value: facts.projectCreationRestriction == "adminonly" ? "System administrators" : "Every user"),
                SettingRow(name: "Pushes create missing projects", value: facts.autoCreateProjects ? "Yes" : "No"),
                SettingRow(name: "Storage", value: facts.storageProvider),
                SettingRow(name: "External URL", value: facts.externalURL.isEmpty ? "not set (as each request reached Berth)" : facts.externalURL),
                SettingRow(name: "Version", value: facts.version),
            ]
            var ldapRows: [SettingRow] = [], groupRows: [SettingRow] = []
            let configured = try ldap.configuration(caller)
            if let (settings, hasPassword) = configured {
                ldapRows = [
                    SettingRow(name: "URL", value: settings.url), SettingRow(name: "StartTLS", value: settings.startTLS ? "Yes" : "No"),
                    SettingRow(name: "Verify the server's certificate", value: settings.verifyCertificate ? "Yes" : "No"),
                    SettingRow(name: "Search DN", value: settings.searchDN.isEmpty ? "(anonymous bind)" : settings.searchDN),
                    SettingRow(name: "Search password", value: hasPassword ? "set (not shown)" : "not set"),
                    SettingRow(name: "Base DN", value: settings.baseDN), SettingRow(name: "Filter", value: settings.filter.isEmpty ? "none" : settings.filter),
                    SettingRow(name: "UID attribute", value: settings.uidAttribute), SettingRow(name: "Scope", value: settings.scope),
                    SettingRow(name: "Timeout", value: "\(settings.timeoutSeconds) s"),
                ]
                groupRows = [
                    SettingRow(name: "Group base DN", value: settings.groupBaseDN.isEmpty ? "not set" : settings.groupBaseDN),
                    SettingRow(name: "Group filter", value: settings.groupFilter.isEmpty ? "none" : settings.groupFilter),
                    SettingRow(name: "Group name attribute", value: settings.groupNameAttribute),
                    SettingRow(name: "Membership attribute", value: settings.groupMembershipAttribute),
                    SettingRow(name: "Administrators' group", value: settings.groupAdminDN.isEmpty ? "not set" : settings.groupAdminDN),
                ]
            }
            let content = ConfigurationPage(frame: frame(visitor), tabs: adminTabs(active: "configuration"), general: general,
                                            ldapConfigured: configured != nil, ldap: ldapRows, ldapGroups: groupRows,
                                            testResult: test?.message, testPassed: test?.passed ?? false)
            return finish(renderer.page("configuration", content), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        } catch {
            return failure(APIError(.internalError, "the configuration could not be read"), visitor, request)
        }
    }

    static func logRow(_ entry: AuditLogView) -> LogRow {
        LogRow(username: entry.username, resource: entry.resource, resourceType: entry.resourceType, operation: entry.operation,
               time: entry.opTime, timeShown: PortalFormat.shownTime(entry.opTime), result: entry.operationResult ? "Succeeded" : "Failed")
    }
}
