/// Memory admission for decoding: every upload holds a share (its declared pixels) while it is decoded and
/// rendered. Decode memory grows with pixels, not bytes, so this bounds the process's peak where a byte or request
/// count would not. When the budget stays full for `maxWait`, the upload is refused (`overloaded` → 503
/// Retry-After) instead of queueing without bound.
///
/// Waiters are served in arrival order, so a large upload is not starved by a stream of small ones.
public actor MegapixelBudget {
    /// Total pixels that may be in flight.
    public nonisolated let capacity: Int
    public private(set) var inUse = 0
    /// The most ever in use at once (never above `capacity`).
    public private(set) var peakInUse = 0
    private var waiters: [Waiter] = []
    private var nextTicket = 0
    private let onChange: @Sendable (Int) -> Void

    private struct Waiter {
        var ticket: Int
        var pixels: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    /// `onChange` sees the pixels in use after every change (for a gauge).
    public init(capacity: Int, onChange: @escaping @Sendable (Int) -> Void = { _ in }) {
        precondition(capacity > 0, "a megapixel budget needs a positive capacity")
        self.capacity = capacity
        self.onChange = onChange
    }

    /// The share an upload of `pixels` takes: one larger than the whole budget still runs, alone.
    public nonisolated func share(forPixels pixels: Int) -> Int { min(max(pixels, 1), capacity) }

    /// Waits at most `maxWait` for `share(forPixels:)`; throws `overloaded` if it did not come. Pair with `release`.
    public func acquire(pixels: Int, maxWait: Duration) async throws(PipelineError) -> Int {
        let share = share(forPixels: pixels)
        if waiters.isEmpty, inUse + share <= capacity {
            inUse += share
            peakInUse = max(peakInUse, inUse)
            onChange(inUse)
            return share
        }
        nextTicket += 1
        let ticket = nextTicket
        let granted = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            waiters.append(Waiter(ticket: ticket, pixels: share, continuation: continuation))
            Task { [weak self] in
                try? await Task.sleep(for: maxWait)
                await self?.expire(ticket)
            }
        }
        guard granted else {
            throw PipelineError(.overloaded, "megapixel budget full for \(maxWait) (\(inUse)/\(capacity) pixels in use)")
        }
        return share
    }

    public func release(_ share: Int) {
        inUse -= share
        grantWaiters()
    }

    private func expire(_ ticket: Int) {
        guard let index = waiters.firstIndex(where: { $0.ticket == ticket }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(returning: false)
        // The head may have been the one blocking smaller shares behind it.
        grantWaiters()
    }

    private func grantWaiters() {
        while let first = waiters.first, inUse + first.pixels <= capacity {
            waiters.removeFirst()
            inUse += first.pixels
            peakInUse = max(peakInUse, inUse)
            first.continuation.resume(returning: true)
        }
        onChange(inUse)
    }

    /// Uploads waiting for a share now.
    public var waiting: Int { waiters.count }
}
