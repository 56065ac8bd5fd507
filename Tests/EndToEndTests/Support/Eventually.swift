/// Asks `probe` again every 100 ms until it returns true or `timeout` passes; returns the last answer. For what the
/// server does after answering (audit entries and webhooks, which subscribers write from the event outbox).
func eventually(timeout: Duration = .seconds(10), _ probe: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await probe() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(100))
    }
}
