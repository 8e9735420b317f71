import Runtime
import API
import Foundation
import HummingbirdTesting
import Pipeline
import Storage
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A client that disconnects mid-upload cancels it: it leaves the megapixel budget's queue at once, and is counted as
/// `cancelled` (not answered as a 503).
@Suite(.timeLimit(.minutes(2)))
struct UploadCancellationTests {
    /// A raw TCP connection to 127.0.0.1, so a test can stop halfway through a request and hang up.
    final class RawConnection {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(connected == 0, "connect to 127.0.0.1:\(port) failed")
        }

        func send(_ bytes: [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { return }
                offset += sent
            }
        }

        func close() { _ = Glibc.close(descriptor) }
    }

    static func rawUpload(token: String, body: [UInt8], declaredLength: Int) -> [UInt8] {
        Array("POST /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: image/jpeg\r\nContent-Length: \(declaredLength)\r\n\r\n".utf8) + body
    }

    static func cancelledCount(_ stack: AccountStack) -> Int {
        let line = stack.metrics.render().split(separator: "\n").first { $0.hasPrefix("darkroom_uploads_total{outcome=\"cancelled\"}") }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }.map { Int($0) } ?? 0
    }

    static func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        let start = ContinuousClock.now
        while try await !condition() {
            try #require(ContinuousClock.now - start < .seconds(20), "\(what) did not happen")
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func aDisconnectMidBodyIsCountedAsCancelled() async throws {
        try await AccountStack.run(live: true) { stack, client in
            let port = try #require(client.port)
            let (_, token) = try await client.newSession(AccountStack.uniqueName("cx"))
            let connection = try RawConnection(port: port)
            connection.send(Self.rawUpload(token: token, body: Array(repeating: 0xFF, count: 4096), declaredLength: 1_000_000))
            connection.close()
            try await Self.eventually("a cancelled upload") { Self.cancelledCount(stack) == 1 }
        }
    }

    @Test func aDisconnectWhileWaitingForBudgetLeavesTheQueueAtOnce() async throws {
        // One megapixel, and a wait far longer than the test: only the cancellation can take the waiter out.
        let environment = ["DARKROOM_UPLOAD_MEGAPIXEL_BUDGET": "1", "DARKROOM_UPLOAD_ADMISSION_WAIT_MS": "600000"]
        try await AccountStack.run(environment: environment, live: true) { stack, client in
            let port = try #require(client.port)
            let (_, token) = try await client.newSession(AccountStack.uniqueName("cb"))
            let budget = stack.media.pipeline.receive.budget
            let held = try await budget.acquire(pixels: budget.capacity, maxWait: .zero)
            let photo = try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent("facts_gps_camera.jpg"))
            let connection = try RawConnection(port: port)
            connection.send(Self.rawUpload(token: token, body: photo, declaredLength: photo.count))
            try await Self.eventually("the upload waiting for budget") { await budget.waiting == 1 }
            connection.close()
            try await Self.eventually("the waiter leaving") { await budget.waiting == 0 }
            #expect(await budget.inUse == budget.capacity, "the cancelled upload took no share")
            try await Self.eventually("a cancelled upload") { Self.cancelledCount(stack) == 1 }
            await budget.release(held)
        }
    }
}
