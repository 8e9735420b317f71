import Foundation
import Logging
import Storage
import Testing

/// One PostgreSQL server of the stack stopped and started again: only its shards fail, fast,
/// and they come back without a restart of the process.
@Suite(.serialized, .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct ShardFaultTests {
    @Test(.timeLimit(.minutes(3)))
    func aStoppedServerFailsOnlyItsShardsAndTheyRecoverAfterRestart() async throws {
        try await PostgresFixture.withStack { db throws in
            for shard in 0..<8 { _ = try await db.mintID(shard: shard) }   // pools warm on both servers

            try await TestStack.withStopped(.pg1) { () async throws in
                var failures: [Duration] = []
                for shard in [4, 5, 6, 7, 4, 5, 6, 7] {
                    let start = ContinuousClock.now
                    await #expect {
                        _ = try await db.mintID(shard: shard)
                    } throws: { ($0 as? StorageError)?.code == .unavailable }
                    failures.append(ContinuousClock.now - start)
                }
                print("calls to a stopped server's shards failed after: \(failures.map { "\($0)" }.joined(separator: ", "))")
                for shard in 0..<4 {
                    #expect(try await db.mintID(shard: shard).shard == shard)
                }
                let statuses = await db.ping()
                #expect(statuses.map(\.isReady) == [true, false])
                #expect(statuses[1].shards == [4, 5, 6, 7])
            }

            // The pool retries with backoff; the shard must come back by itself.
            let start = ContinuousClock.now
            var lastError: (any Error)?
            var recovered: ShardedID?
            while recovered == nil, ContinuousClock.now - start < .seconds(90) {
                do {
                    recovered = try await db.mintID(shard: 5)
                } catch {
                    lastError = error
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            let recoveryError = lastError.map { String(reflecting: $0) } ?? "none"
            #expect(recovered?.shard == 5, "shard 5 did not recover; last error: \(recoveryError)")
            print("shard 5 answered again \(ContinuousClock.now - start) after the server was started")
            #expect(await db.ping().allSatisfy { $0.isReady })
        }
    }
}
