#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `darkroom serve` as an operator runs it: the real binary, the real stack, signals.
@Suite struct ServeProcessTests {
    static var binary: String { TestStack.repositoryRoot.appendingPathComponent(".build/debug/darkroom").path }

    @Test(.timeLimit(.minutes(2)))
    func servesHealthAndShutsDownGracefullyOnSIGTERM() async throws {
        _ = try TestStack.name
        // Far from the stack's ports (8333-28988).
        let port = 41_000 + Int.random(in: 0..<8000)
        var environment = TestStack.environment
        environment["DARKROOM_HTTP_PORT"] = "\(port)"
        let server = try ChildProcess(Self.binary, ["serve"], environment: environment)
        var stopped = false
        defer { if !stopped { server.signal(SIGKILL) } }

        let client = HTTPClient.shared
        var ready: HTTPResponseStatus?
        for _ in 0..<200 {
            do {
                let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/ready"), timeout: .seconds(5))
                ready = response.status
                break
            } catch {
                // Not listening yet.
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(ready == .ok)
        let live = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/live"), timeout: .seconds(5))
        #expect(live.status == .ok)
        #expect(live.headers.first(name: "X-Request-Id")?.isEmpty == false)

        server.signal(SIGTERM)
        let code = try await server.waitForExit(timeout: .seconds(30))
        stopped = code != nil
        #expect(code == 0, "a graceful shutdown exits 0")
    }

    @Test(arguments: [("DARKROOM_HTTP_PORT", "eighty"), ("DARKROOM_PG_URLS", "mysql://x/y"), ("DARKROOM_SHARD_MAP", "0-3:0,4-6:1")])
    func invalidConfigurationStopsStartUpNamingTheVariable(name: String, value: String) async throws {
        _ = try TestStack.name
        var environment = TestStack.environment
        environment[name] = value
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-config-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: output) }
        let code = try await ChildProcess.run(
            "/bin/sh", ["-c", "exec \"$0\" serve 2>\"$1\"", Self.binary, output.path], environment: environment, timeout: .seconds(30))
        #expect(code == 78)
        let message = try String(contentsOf: output, encoding: .utf8)
        #expect(message.contains(name.replacingOccurrences(of: "DARKROOM_SHARD_MAP", with: "DARKROOM_SHARD")), "\(message)")
    }
}
