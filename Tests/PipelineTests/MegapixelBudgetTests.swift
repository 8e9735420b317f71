import Pipeline
import Testing

@Suite struct MegapixelBudgetTests {
    @Test func sharesUpToCapacityAreGrantedAtOnce() async throws {
        let budget = MegapixelBudget(capacity: 10)
        let a = try await budget.acquire(pixels: 4, maxWait: .zero)
        let b = try await budget.acquire(pixels: 6, maxWait: .zero)
        #expect(await budget.inUse == 10)
        await budget.release(a)
        await budget.release(b)
        #expect(await budget.inUse == 0)
        #expect(await budget.peakInUse == 10)
    }

    @Test func aFullBudgetRefusesAfterTheWaitWithOverloaded() async throws {
        let budget = MegapixelBudget(capacity: 10)
        let held = try await budget.acquire(pixels: 10, maxWait: .zero)
        let error = await #expect(throws: PipelineError.self) { try await budget.acquire(pixels: 1, maxWait: .milliseconds(20)) }
        #expect(error?.code == .overloaded)
        #expect(await budget.waiting == 0, "an expired waiter is gone")
        await budget.release(held)
        #expect(await budget.inUse == 0)
    }

    @Test func aWaiterIsGrantedWhenAShareIsReleased() async throws {
        let budget = MegapixelBudget(capacity: 10)
        let held = try await budget.acquire(pixels: 8, maxWait: .zero)
        let waiter = Task { try await budget.acquire(pixels: 5, maxWait: .seconds(60)) }
        while await budget.waiting == 0 { await Task.yield() }
        await budget.release(held)
        let share = try await waiter.value
        #expect(share == 5)
        #expect(await budget.inUse == 5)
        #expect(await budget.peakInUse <= 10)
    }

    @Test func waitersAreServedInArrivalOrder() async throws {
        let budget = MegapixelBudget(capacity: 10)
        let held = try await budget.acquire(pixels: 10, maxWait: .zero)
        let large = Task { try await budget.acquire(pixels: 9, maxWait: .seconds(60)) }
        while await budget.waiting < 1 { await Task.yield() }
        let small = Task { try await budget.acquire(pixels: 1, maxWait: .seconds(60)) }
        while await budget.waiting < 2 { await Task.yield() }
        await budget.release(held)
        // Both fit after the release: first the large one (it came first), then the small one.
        #expect(try await large.value == 9)
        #expect(try await small.value == 1)
        #expect(await budget.inUse == 10)
    }

    /// A client that went away must not hold its place (or the head of the queue) until its wait runs out.
    @Test(.timeLimit(.minutes(1)))
    func aCancelledWaiterLeavesTheQueueAtOnceAndUnblocksThoseBehindIt() async throws {
        let budget = MegapixelBudget(capacity: 10)
        let held = try await budget.acquire(pixels: 5, maxWait: .zero)
        let large = Task { try await budget.acquire(pixels: 9, maxWait: .seconds(3600)) }
        while await budget.waiting < 1 { await Task.yield() }
        let small = Task { try await budget.acquire(pixels: 1, maxWait: .seconds(3600)) }
        while await budget.waiting < 2 { await Task.yield() }
        large.cancel()
        let error = await #expect(throws: PipelineError.self) { try await large.value }
        #expect(error?.code == .cancelled)
        // The small share fits beside the held one once the large head is gone.
        #expect(try await small.value == 1)
        #expect(await budget.waiting == 0)
        #expect(await budget.inUse == 6)
        await budget.release(held)
    }

    @Test func aTaskCancelledBeforeItAsksNeverQueues() async throws {
        let budget = MegapixelBudget(capacity: 10)
        let held = try await budget.acquire(pixels: 10, maxWait: .zero)
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await budget.acquire(pixels: 1, maxWait: .seconds(3600))
        }
        let error = await #expect(throws: PipelineError.self) { try await waiter.value }
        #expect(error?.code == .cancelled)
        #expect(await budget.waiting == 0)
        await budget.release(held)
    }

    /// One timer serves every waiter: a short wait queued behind a long one still expires on its own deadline.
    @Test(.timeLimit(.minutes(1)))
    func eachWaiterExpiresAtItsOwnDeadline() async throws {
        let budget = MegapixelBudget(capacity: 10)
        let held = try await budget.acquire(pixels: 10, maxWait: .zero)
        let patient = Task { try await budget.acquire(pixels: 1, maxWait: .seconds(3600)) }
        while await budget.waiting < 1 { await Task.yield() }
        let error = await #expect(throws: PipelineError.self) { try await budget.acquire(pixels: 1, maxWait: .milliseconds(30)) }
        #expect(error?.code == .overloaded)
        #expect(await budget.waiting == 1, "the patient waiter is still queued")
        await budget.release(held)
        #expect(try await patient.value == 1)
    }

    @Test func anUploadLargerThanTheBudgetRunsAlone() async throws {
        let budget = MegapixelBudget(capacity: 10)
        #expect(budget.share(forPixels: 50) == 10)
        let share = try await budget.acquire(pixels: 50, maxWait: .zero)
        #expect(await budget.inUse == 10)
        await budget.release(share)
    }
}
