import Foundation
import Logging
import Storage
import Testing

// TEMPORARY: measurement only, deleted after use.
@Suite struct S3TmpMeasureTests {
    @Test func measure() async throws {
        _ = try TestStack.name
        let configuration = try S3Configuration.fromEnvironment(TestStack.environment)
        let store = try S3ObjectStore(configuration: configuration, logger: Logger(label: "m"))
        let prefix = "it/measure-\(UUID().uuidString)/"
        let clock = ContinuousClock()
        for size in [150_000, 2_000_000] {
            let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let n = size > 1_000_000 ? 20 : 100
            var t = clock.now
            for i in 0..<n { try await store.put(body, at: try ObjectKey(prefix + "\(size)-\(i)"), contentType: "image/jpeg") }
            let put = t.duration(to: clock.now) / n
            t = clock.now
            for i in 0..<n { _ = try await store.get(try ObjectKey(prefix + "\(size)-\(i)")) }
            let get = t.duration(to: clock.now) / n
            t = clock.now
            for i in 0..<n { _ = try await store.head(try ObjectKey(prefix + "\(size)-\(i)")) }
            let head = t.duration(to: clock.now) / n
            t = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<n { group.addTask { try await store.put(body, at: try ObjectKey(prefix + "c\(size)-\(i)"), contentType: "image/jpeg") } }
                try await group.waitForAll()
            }
            let concurrent = t.duration(to: clock.now)
            print("MEASURE size=\(size) n=\(n) put=\(put) get=\(get) head=\(head) concurrentPut\(n)=\(concurrent)")
        }
        let signer = S3RequestSigner(credentials: configuration.credentials, region: "us-east-1")
        let t = clock.now
        for _ in 0..<10_000 {
            _ = signer.sign(method: "GET", encodedPath: "/b/k", headers: [(name: "host", value: "h")], payloadHash: S3RequestSigner.emptyPayloadHash, date: Date())
        }
        print("MEASURE sign=\(t.duration(to: clock.now) / 10_000)")
        for entry in try await store.listAll(prefix: prefix) { try await store.delete(entry.key) }
        #expect(try await store.listAll(prefix: prefix).isEmpty)
        try await store.shutdown()
    }
}
