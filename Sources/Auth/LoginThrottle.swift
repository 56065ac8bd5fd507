import Metadata

/// Slows and then locks repeated failed logins, per account and per client address. State lives in the metadata
/// database, so every instance sees the same counts.
public struct LoginThrottle: Sendable {
    /// Throttling settings.
    public struct Settings: Sendable, Equatable {
        /// Failures of one account after which it is locked.
        public var accountThreshold = 5
        /// Failures from one address after which it is locked.
        public var addressThreshold = 20
        /// How long a lock lasts.
        public var lockSeconds = 300
        /// Failures older than this are forgotten.
        public var windowSeconds = 900
        /// Delay added per earlier failure, capped at `maximumDelayMilliseconds`.
        public var delayPerFailureMilliseconds = 250
        /// Longest delay.
        public var maximumDelayMilliseconds = 2000
        /// Creates the defaults.
        public init() {}
    }

    /// Whether an attempt may go ahead.
    public enum Verdict: Sendable, Equatable {
        /// Go ahead after waiting this long (ms); `hasFailures` says whether earlier failures are on record.
        case proceed(delayMilliseconds: Int, hasFailures: Bool)
        /// Locked until this time (ms since 1970).
        case locked(until: Int64)
    }

    let store: any LoginFailureStore
    /// The settings in use.
    public let settings: Settings

    /// Creates the throttle over `store`.
    public init(store: any LoginFailureStore, settings: Settings) {
        self.store = store
        self.settings = settings
    }

    /// What to do with an attempt on `account` from `address`.
    public func check(account: String, address: String, now: Int64) async throws -> Verdict {
        var delay = 0
        var hasFailures = false
        for subject in subjects(account: account, address: address) {
            guard let state = try await store.loginFailures(subject) else { continue }
            if state.lockedUntil > now { return .locked(until: state.lockedUntil) }
            // Only the account's own failures slow it down; an address's failures only count toward its lock, so
            // one client behind a shared address cannot slow everyone else.
            guard subject.hasPrefix("user:") else { continue }
            hasFailures = true
            if now - state.lastFailureAt < Int64(settings.windowSeconds) * 1000 {
                delay = max(delay, min(state.failures * settings.delayPerFailureMilliseconds, settings.maximumDelayMilliseconds))
            }
        }
        return .proceed(delayMilliseconds: delay, hasFailures: hasFailures)
    }

    /// Counts a failed attempt, locking the account or address when it reaches its threshold.
    public func recordFailure(account: String, address: String, now: Int64) async throws {
        let subjects = subjects(account: account, address: address)
        for (index, subject) in subjects.enumerated() {
            let threshold = index == 0 ? settings.accountThreshold : settings.addressThreshold
            let previous = try await store.loginFailures(subject)
            var failures = 1
            if let previous, now - previous.lastFailureAt < Int64(settings.windowSeconds) * 1000, previous.lockedUntil <= now {
                failures = previous.failures + 1
            }
            let lockedUntil = failures >= threshold ? now + Int64(settings.lockSeconds) * 1000 : 0
            try await store.setLoginFailures(subject, failures: lockedUntil > 0 ? 0 : failures, lastFailureAt: now, lockedUntil: lockedUntil)
        }
    }

    /// Forgets an account's failures after a successful login.
    public func recordSuccess(account: String) async throws {
        try await store.clearLoginFailures("user:" + account.lowercased())
    }

    private func subjects(account: String, address: String) -> [String] {
        ["user:" + account.lowercased(), "ip:" + address]
    }
}
