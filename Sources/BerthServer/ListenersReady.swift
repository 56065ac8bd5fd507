import NIOConcurrencyHelpers
import NIOCore

/// Holds back the "listening" announcement until every listener of the server is bound: the registry's own and the
/// optional ones beside it (the plain-HTTP redirect, the metrics port). A listener whose port is taken then stops the
/// server before it has said it is serving, instead of a moment after.
final class ListenersReady: Sendable {
    private struct State {
        var waiting: Int
        var main: (any Channel)?
        var announced = false
    }
    private let state: NIOLockedValueBox<State>
    private let announce: @Sendable (any Channel) async -> Void

    /// Calls `announce` with the registry listener's channel once it and `auxiliaries` other listeners are running.
    init(auxiliaries: Int, announce: @escaping @Sendable (any Channel) async -> Void) {
        state = NIOLockedValueBox(State(waiting: auxiliaries + 1))
        self.announce = announce
    }

    /// The registry's listener is bound.
    func mainRunning(_ channel: any Channel) async {
        await arrived(main: channel)
    }

    /// One of the other listeners is bound.
    func auxiliaryRunning() async {
        await arrived(main: nil)
    }

    private func arrived(main: (any Channel)?) async {
        let ready: (any Channel)? = state.withLockedValue { state in
            if let main { state.main = main }
            state.waiting -= 1
            guard state.waiting <= 0, !state.announced, let channel = state.main else { return nil }
            state.announced = true
            return channel
        }
        if let ready { await announce(ready) }
    }
}
