import APIInput
import Auth
import Foundation
import HTTPAPI
import Hummingbird
import Management

/// Administration → Clean up: garbage collection now or as a dry run (with or without untagged artifacts, 1–5
/// workers), its schedule, and the history with what each run freed, a running run's progress (the page refreshes
/// itself while one runs), Stop, and each run's log. The service refuses everyone but system administrators.
extension PortalController {
    @Sendable func cleanUp(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        return try await cleanUpPage(request, context, visitor, problem: nil)
    }

    @Sendable func runGarbageCollection(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await cleanUpChange(request, context) { form, caller in
            _ = try await garbageCollection.setSchedule(
                GarbageScheduleRequest(type: "Manual", deleteUntagged: form["delete_untagged"] == "on", dryRun: form["action"] == "dry-run",
                                       workers: try Self.workers(form)), creating: true, caller)
        }
    }

    @Sendable func setGarbageCollectionSchedule(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await cleanUpChange(request, context) { form, caller in
            _ = try await garbageCollection.setSchedule(
                GarbageScheduleRequest(type: form["type"] ?? "", cron: form["cron"], deleteUntagged: form["delete_untagged"] == "on", dryRun: false,
                                       workers: try Self.workers(form)), creating: false, caller)
        }
    }

    @Sendable func stopGarbageCollection(_ request: Request, context: BerthRequestContext) async throws -> Response {
        try await cleanUpChange(request, context) { _, caller in
            try await garbageCollection.stop(try Self.identifier(context, "run", what: "garbage collection"), caller)
        }
    }

    @Sendable func garbageCollectionLog(_ request: Request, context: BerthRequestContext) async throws -> Response {
        let visitor = try await visit(request)
        do {
            let log = try await garbageCollection.log(try Self.identifier(context, "run", what: "garbage collection"), caller(visitor, request, context))
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody { writer in
                for try await chunk in log { try await writer.write(ByteBuffer(string: chunk)) }
                try await writer.finish(nil)
            })
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    /// The workers a form asks for (1 to 5).
    static func workers(_ form: FormFields) throws -> Int {
        guard let text = form["workers"], text.count <= 2, let workers = Int(text), (1 ... 5).contains(workers) else {
            throw APIError.badRequest("choose between 1 and 5 workers")
        }
        return workers
    }

    /// Runs a change from a form on the page, then shows the page again (with the problem, if any).
    func cleanUpChange(_ request: Request, _ context: BerthRequestContext, _ change: (FormFields, Caller) async throws -> Void) async throws -> Response {
        try await formChange(request, context) { form, caller in
            try await change(form, caller)
            return "/harbor/gc"
        } refused: { visitor, _, error in
            try await cleanUpPage(request, context, visitor, problem: Self.sentenceCase(error.message), status: HTTPResponse.Status(code: error.code.httpStatus))
        }
    }

    func cleanUpPage(_ request: Request, _ context: BerthRequestContext, _ visitor: PortalVisitor, problem: String?,
                     status: HTTPResponse.Status = .ok) async throws -> Response {
        let pageNumber = PortalFormat.pageNumber(request)
        do {
            let caller = caller(visitor, request, context)
            let schedule = try await garbageCollection.schedule(caller)
            let history = try await garbageCollection.history(page: pageNumber, pageSize: PortalFormat.pageSize, caller)
            let rows = history.items.map(Self.garbageRow)
            let scheduled = GarbageRunParametersForm(schedule.parameters)
            let page = CleanUpPage(
                frame: frame(visitor), tabs: adminTabs(active: "gc"), problem: problem,
                workers: (1 ... 5).map { SelectOption(value: "\($0)", label: "\($0)", selected: $0 == 1) },
                scheduleTypes: ["None", "Hourly", "Daily", "Weekly", "Custom"].map { SelectOption(value: $0, label: $0, selected: $0 == schedule.schedule.type) },
                cron: schedule.schedule.type == "Custom" ? schedule.schedule.cron : "",
                nextRun: schedule.schedule.type == "None" ? "" : PortalFormat.shownTime(schedule.schedule.nextScheduledTime ?? ""),
                scheduleDeletesUntagged: scheduled.deleteUntagged,
                scheduleWorkers: (1 ... 5).map { SelectOption(value: "\($0)", label: "\($0)", selected: $0 == scheduled.workers) },
                runs: rows, hasRuns: !rows.isEmpty, live: rows.contains { $0.canStop },
                pager: PortalFormat.pager(request, page: pageNumber, total: history.total, shown: rows.count))
            return finish(renderer.page("gc", page, status: status), visitor, request)
        } catch let error as APIError {
            return failure(error, visitor, request)
        }
    }

    static func garbageRow(_ run: GarbageRunView) -> GarbageRunRow {
        let parameters = GarbageRunParametersForm(run.jobParameters)
        let counts = run.counts
        let going = run.jobStatus == "Pending" || run.jobStatus == "Running"
        let freed = "\(parameters.dryRun ? "would free" : "freed") \(PortalFormat.shownSize(counts.bytesFreed)): \(counts.blobsDeleted) files, "
            + "\(counts.linksRemoved) links, \(counts.manifestsDeleted) untagged manifests"
        return GarbageRunRow(id: run.id, trigger: run.jobKind == "SCHEDULE" ? "Schedule" : "Manual", requester: run.requester,
                             dryRun: parameters.dryRun ? "Yes" : "No", untagged: parameters.deleteUntagged ? "Yes" : "No", status: run.jobStatus,
                             details: going ? "\(run.phase) — so far \(freed)" : run.jobStatus == "Success" ? freed : run.phase,
                             created: PortalFormat.shownTime(run.creationTime), updated: PortalFormat.shownTime(run.updateTime),
                             canStop: going, stopAction: "/harbor/gc/\(run.id)/stop", logHref: "/harbor/gc/\(run.id)/log")
    }
}

/// The parameters a run or the schedule carries, read back from Harbor's JSON.
struct GarbageRunParametersForm {
    var deleteUntagged = false
    var dryRun = false
    var workers = 1

    init(_ object: [String: JSONValue]) {
        if case .bool(let value)? = object["delete_untagged"] { deleteUntagged = value }
        if case .bool(let value)? = object["dry_run"] { dryRun = value }
        if case .integer(let value)? = object["workers"], (1 ... 5).contains(value) { workers = Int(value) }
    }

    init(_ json: String) {
        let object = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(json.utf8))) ?? [:]
        self.init(object)
    }
}

/// One garbage-collection run in the history.
struct GarbageRunRow: Sendable {
    let id: Int64
    let trigger: String
    let requester: String
    let dryRun: String
    let untagged: String
    let status: String
    let details: String
    let created: String
    let updated: String
    let canStop: Bool
    let stopAction: String
    let logHref: String
}

/// Administration → Clean up.
struct CleanUpPage: Sendable {
    let frame: Frame
    let tabs: [ProjectTab]
    let problem: String?
    let workers: [SelectOption]
    let scheduleTypes: [SelectOption]
    let cron: String
    let nextRun: String
    let scheduleDeletesUntagged: Bool
    let scheduleWorkers: [SelectOption]
    let runs: [GarbageRunRow]
    let hasRuns: Bool
    let live: Bool
    let pager: Pager?
}
