import Synchronization

/// Counts a worker's jobs in flight (the reader takes a slot, the job's task gives it back).
final class InFlightJobs: Sendable {
    private let count = Mutex(0)

    var current: Int { count.withLock { $0 } }

    /// Takes up to `wanted` slots below `limit`; returns how many it took.
    func take(upTo wanted: Int, limit: Int) -> Int {
        count.withLock { count in
            let taken = max(0, min(wanted, limit - count))
            count += taken
            return taken
        }
    }

    func give(_ slots: Int = 1) {
        count.withLock { $0 -= slots }
    }
}
