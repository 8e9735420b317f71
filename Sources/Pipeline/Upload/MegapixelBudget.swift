/// Memory admission for decoding: every upload holds a share (its declared pixels) while it is decoded and
/// rendered. Decode memory grows with pixels, not bytes, so this bounds the process's peak where a byte or request
/// count would not. When the budget stays full for `maxWait`, the upload is refused (`overloaded` → 503
/// Retry-After) instead of queueing without bound.
///
/// Waiters are served in arrival order, so a large upload is not starved by a stream of small ones. A waiter whose
/// task is cancelled (its client went away) leaves the queue at once. Deadlines share one timer: a single task sleeps
/// until the earliest one, however many uploads wait.
public actor MegapixelBudget {
    /// Total pixels that may be in flight.
    public nonisolated let capacity: Int
    public private(set) var inUse = 0
    /// The most ever in use at once (never above `capacity`).
    public private(set) var peakInUse = 0
    private var waiters: [Waiter] = []
    private var nextTicket = 0
    private let onChange: @Sendable (Int) -> Void
    /// The one timer, and the deadline it sleeps until.
    private var timer: (deadline: ContinuousClock.Instant, task: Task<Void, Never>)?

    private struct Waiter {
        var ticket: Int
        var pixels: Int
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Expired: Error {}

    /// `onChange` sees the pixels in use after every change (for a gauge).
    public init(capacity: Int, onChange: @escaping @Sendable (Int) -> Void = { _ in }) {
        precondition(capacity > 0, "a megapixel budget needs a positive capacity")
        self.capacity = capacity
        self.onChange = onChange
    }

    /// The share an upload of `pixels` takes: one larger than the whole budget still runs, alone.
    public nonisolated func share(forPixels pixels: Int) -> Int { min(max(pixels, 1), capacity) }

    /// Waits at most `maxWait` for `share(forPixels:)`; throws `overloaded` if it did not come, `cancelled` as soon as
    /// the calling task is cancelled. Pair with `release`.
    public func acquire(pixels: Int, maxWait: Duration) async throws(PipelineError) -> Int {
        let share = share(forPixels: pixels)
        if waiters.isEmpty, inUse + share <= capacity {
            take(share)
            onChange(inUse)
            return share
        }
        nextTicket += 1
        let ticket = nextTicket
        let deadline = ContinuousClock.now + maxWait
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    // Runs on the actor before any cancellation handler's hop can: a task cancelled by now never queues.
                    guard !Task.isCancelled else { return continuation.resume(throwing: CancellationError()) }
                    waiters.append(Waiter(ticket: ticket, pixels: share, deadline: deadline, continuation: continuation))
                    armTimer()
                }
            } onCancel: {
                Task { await self.leave(ticket, because: CancellationError()) }
            }
        } catch is CancellationError {
            throw PipelineError(.cancelled, "upload cancelled while waiting for the megapixel budget")
        } catch {
            throw PipelineError(.overloaded, "megapixel budget full for \(maxWait) (\(inUse)/\(capacity) pixels in use)")
        }
        return share
    }

    public func release(_ share: Int) {
        inUse -= share
        grantWaiters()
    }

    /// Uploads waiting for a share now.
    public var waiting: Int { waiters.count }

    // MARK: - Waiters

    private func take(_ share: Int) {
        inUse += share
        peakInUse = max(peakInUse, inUse)
    }

    private func leave(_ ticket: Int, because reason: any Error) {
        guard let index = waiters.firstIndex(where: { $0.ticket == ticket }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: reason)
        // The one that left may have been the head blocking smaller shares behind it.
        grantWaiters()
    }

    private func grantWaiters() {
        while let first = waiters.first, inUse + first.pixels <= capacity {
            waiters.removeFirst()
            take(first.pixels)
            first.continuation.resume()
        }
        onChange(inUse)
        armTimer()
    }

    /// Keeps the single timer aimed at the earliest deadline of those waiting (none when nobody waits).
    private func armTimer() {
        guard let earliest = waiters.map(\.deadline).min() else {
            timer?.task.cancel()
            timer = nil
            return
        }
        if let timer, timer.deadline <= earliest { return }
        timer?.task.cancel()
        timer = (deadline: earliest, task: Task { [weak self] in
            guard (try? await Task.sleep(until: earliest, clock: .continuous)) != nil else { return }
            await self?.expireDue()
        })
    }

    private func expireDue() {
        timer = nil
        let now = ContinuousClock.now
        let due = waiters.filter { $0.deadline <= now }
        waiters.removeAll { $0.deadline <= now }
        for waiter in due { waiter.continuation.resume(throwing: Expired()) }
        grantWaiters()
    }
}
