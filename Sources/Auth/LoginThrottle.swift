import Metadata

/// Slows and then stops guessing, without handing anyone a way to lock others out. Failures are counted per
/// (account, client address) pair: each one doubles the wait before that pair's next attempt, and at the account
/// threshold the pair is locked for a while — the guesser is stopped, the account's owner, trying from elsewhere, is
/// not. An address with many failures across accounts is locked as a whole (behind a proxy, configure the proxy as
/// trusted so each client counts on its own). Locking an account for every address is an option, off by default.
/// State lives in the metadata database, so every instance sees the same counts.
public struct LoginThrottle: Sendable {
    /// Throttling settings.
    public struct Settings: Sendable, Equatable {
        /// Failures of one account from one address after which that pair is locked.
        public var accountThreshold = 5
        /// Failures from one address (any accounts) after which the address is locked.
        public var addressThreshold = 20
        /// Whether `accountThreshold` failures from anywhere also lock the account for every address.
        public var lockAccounts = false
        /// How long a lock lasts.
        public var lockSeconds = 300
        /// Failures older than this are forgotten.
        public var windowSeconds = 900
        /// The delay after the first failure of a pair; it doubles with each further one, up to `maximumDelayMilliseconds`.
        public var firstDelayMilliseconds = 250
        /// Longest delay.
        public var maximumDelayMilliseconds = 4000
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
        let subjects = Subjects(account: account, address: address)
        var checked = [subjects.pair, subjects.address]
        if settings.lockAccounts { checked.append(subjects.account) }
        var delay = 0
        var hasFailures = false
        for subject in checked {
            guard let state = try await store.loginFailures(subject) else { continue }
            if state.lockedUntil > now { return .locked(until: state.lockedUntil) }
            guard subject == subjects.pair, state.failures > 0 else { continue }
            hasFailures = true
            if now - state.lastFailureAt < Int64(settings.windowSeconds) * 1000 {
                delay = Self.delay(afterFailures: state.failures, first: settings.firstDelayMilliseconds, maximum: settings.maximumDelayMilliseconds)
            }
        }
        return .proceed(delayMilliseconds: delay, hasFailures: hasFailures)
    }

    /// Counts a failed attempt against the pair, the address and the account, locking whichever reaches its threshold.
    public func recordFailure(account: String, address: String, now: Int64) async throws {
        let subjects = Subjects(account: account, address: address)
        let counted: [(String, Int)] = [(subjects.pair, settings.accountThreshold), (subjects.address, settings.addressThreshold),
                                        (subjects.account, settings.lockAccounts ? settings.accountThreshold : Int.max)]
        for (subject, threshold) in counted {
            let previous = try await store.loginFailures(subject)
            var failures = 1
            if let previous, now - previous.lastFailureAt < Int64(settings.windowSeconds) * 1000, previous.lockedUntil <= now {
                failures = min(previous.failures, 1_000_000) + 1
            }
            let lockedUntil = failures >= threshold ? now + Int64(settings.lockSeconds) * 1000 : 0
            try await store.setLoginFailures(subject, failures: lockedUntil > 0 ? 0 : failures, lastFailureAt: now, lockedUntil: lockedUntil)
        }
        // Now and then, forget what no longer counts, so guessing with made-up names does not grow the table forever.
        if Int.random(in: 0 ..< 50) == 0 {
            try await store.forgetLoginFailures(before: now - Int64(max(settings.windowSeconds, settings.lockSeconds)) * 1000)
        }
    }

    /// Forgets a pair's (and the account's) failures after a successful login.
    public func recordSuccess(account: String, address: String) async throws {
        let subjects = Subjects(account: account, address: address)
        try await store.clearLoginFailures(subjects.pair)
        try await store.clearLoginFailures(subjects.account)
    }

    /// `first · 2^(failures-1)`, at most `maximum`, without overflowing for any count.
    static func delay(afterFailures failures: Int, first: Int, maximum: Int) -> Int {
        guard failures > 0 else { return 0 }
        var delay = first
        for _ in 1 ..< min(failures, 32) where delay < maximum { delay *= 2 }
        return min(delay, maximum)
    }

    /// The bookkeeping keys of one attempt.
    struct Subjects {
        let pair: String
        let address: String
        let account: String

        init(account: String, address: String) {
            let name = String(account.lowercased().prefix(255))
            pair = "pair:" + name + "|" + address
            self.address = "ip:" + address
            self.account = "user:" + name
        }
    }
}
