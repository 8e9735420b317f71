import Foundation
import Storage
import Testing

/// Stops and restarts the stack's Redis, so it runs alone in the fault phase (`DARKROOM_FAULT_TESTS=1`).
@Suite(.serialized, .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct RedisReconnectFaultTests {
    @Test(.timeLimit(.minutes(2)))
    func clientReconnectsAfterTheServerRestarts() async throws {
        try await RedisTestContext.with(poolSize: 4) { redis in
            let client = redis.client
            let key = redis.key("survivor")
            // Open every pooled connection, so stale idle sockets are part of what is tested.
            try await withThrowingDiscardingTaskGroup { group in
                for _ in 0..<16 { group.addTask { try await client.incr(key) } }
            }
            #expect(try await client.getString(key) == "16")

            try await RedisDevstack.run("stop")
            do {
                do {
                    try await client.ping()
                    Issue.record("ping must fail while Redis is stopped")
                } catch let error as StorageError {
                    #expect(error.code == .unavailable)
                }
                // Every connection's next use fails the same way, not with a hang or a crash.
                for _ in 0..<5 {
                    await #expect(throws: StorageError.self) { try await client.incr(key) }
                }
            } catch {
                try await RedisDevstack.run("start")
                throw error
            }
            try await RedisDevstack.run("start")

            // Same client: the next call succeeds, and every pooled connection works again.
            try await client.ping()
            try await withThrowingDiscardingTaskGroup { group in
                for _ in 0..<16 { group.addTask { try await client.incr(key) } }
            }
            // The stack runs Redis with AOF, so the counter survived the restart.
            #expect(try await client.getString(key) == "32")
        }
    }
}

/// `scripts/devstack start|stop <stack> redis`, found from this file's path.
///
/// Not `TestStack.start`: Foundation's Process (corelibs) learns that a child exited when a socket it hands
/// down reaches EOF, and `devstack start` daemonizes redis-server, which inherits that socket, so
/// `waitUntilExit()` would block for as long as Redis runs. The wrapper shell closes every descriptor
/// above stderr before running the script.
enum RedisDevstack {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/devstack")

    static func run(_ action: String) throws {
        let closeInheritedDescriptors = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done; exec "$0" "$@""#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", closeInheritedDescriptors, script.path, action, try TestStack.name, "redis"]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "scripts/devstack \(action) redis exited with \(process.terminationStatus)")
    }
}
