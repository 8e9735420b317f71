@testable import API
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct SingleFlightTests {
    struct Boom: Error {}

    final class Runs: Sendable {
        let count = Mutex(0)
    }

    @Test(arguments: [1, 100])
    func concurrentCallersForOneKeyShareOneRun(_ callers: Int) async throws {
        let flight = SingleFlight<String, Int>()
        let runs = Runs()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    try await flight.run("w480.webp") {
                        runs.count.withLock { $0 += 1 }
                        // Held open until every other caller has joined, so they all meet this run.
                        while await flight.joinedCount < callers - 1 { await Task.yield() }
                        return 42
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: 42, count: callers))
        #expect(runs.count.withLock { $0 } == 1)
        #expect(await flight.runningCount == 0)
    }

    @Test func differentKeysRunApart() async throws {
        let flight = SingleFlight<String, String>()
        async let a = flight.run("a") { "A" }
        async let b = flight.run("b") { "B" }
        #expect(try await [a, b] == ["A", "B"])
    }

    @Test func aFailureIsNotRemembered() async throws {
        let flight = SingleFlight<String, Int>()
        await #expect(throws: Boom.self) { try await flight.run("k") { throw Boom() } }
        #expect(try await flight.run("k") { 7 } == 7)
    }
}
