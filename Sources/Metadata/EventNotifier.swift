import Synchronization

/// Tells this instance's event dispatcher that a change has just committed events to the outbox, so they are handed
/// over at once instead of at the next poll. Stores call `notify()` after such a commit; the dispatcher registers with
/// `observe`.
public final class EventNotifier: Sendable {
    private let observers = Mutex<[@Sendable () -> Void]>([])

    /// Creates a notifier nobody observes yet.
    public init() {}

    /// Calls `observer` after every later `notify()`.
    public func observe(_ observer: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Tells the observers that events are waiting.
    public func notify() {
        for observer in observers.withLock({ $0 }) { observer() }
    }
}
