import Synchronization

/// Counts the HTTP connections open at once, up to a maximum, across every event loop of the server.
final class ConnectionLimiter: Sendable {
    let maximum: Int
    private let open = Atomic<Int>(0)

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Takes a place; false when all are taken.
    func acquire() -> Bool {
        while true {
            let current = open.load(ordering: .relaxed)
            guard current < maximum else { return false }
            if open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged { return true }
        }
    }

    func release() {
        open.subtract(1, ordering: .relaxed)
    }

    var current: Int { open.load(ordering: .relaxed) }
}
