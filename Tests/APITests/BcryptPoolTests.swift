import API
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Runtime
import HummingbirdTesting
import Synchronization
import TestSupport
import Testing

/// bcrypt runs on its own bounded pool: when every thread is busy and the queue is full, a signup or login is refused
/// at once with 503 and Retry-After, and requests that need no bcrypt (session lookups) are not held up.
@Suite struct BcryptPoolTests {
    /// Holds every thread of `pool` until `release()`.
    final class Blocker: Sendable {
        let gate = DispatchSemaphore(value: 0)
        let started = Atomic<Int>(0)

        func occupy(_ pool: BoundedThreadPool, threads: Int) async {
            for _ in 0..<threads {
                Task { try await pool.run { self.started.add(1, ordering: .relaxed); self.gate.wait() } }
            }
            while started.load(ordering: .relaxed) < threads { try? await Task.sleep(for: .milliseconds(1)) }
        }

        func release(_ threads: Int) { for _ in 0..<threads { gate.signal() } }
    }

    @Test func aFullPoolRefusesAtOnceAndServesAgainWhenFree() async throws {
        let pool = BoundedThreadPool(name: "test", threads: 2, queueLimit: 1)
        let blocker = Blocker()
        await blocker.occupy(pool, threads: 2)
        let queued = Task { try await pool.run { 42 } }
        while pool.inFlight < 3 { try await Task.sleep(for: .milliseconds(1)) }
        await #expect(throws: BoundedThreadPool.Saturated.self) { try await pool.run { 0 } }
        blocker.release(2)
        #expect(try await queued.value == 42)
        #expect(try await pool.run { 7 } == 7)
    }

    @Test func aLoginBurstIs503WithRetryAfterWhileSessionsStillAnswer() async throws {
        let pool = BoundedThreadPool(name: "bcrypt", threads: 1, queueLimit: 0)
        let fixture = try APIFixture(bcryptPool: pool)
        try await fixture.app().test(.router) { client in
            _ = try await client.signUp("burst")
            let session = try await client.logIn("burst")
            let blocker = Blocker()
            await blocker.occupy(pool, threads: 1)
            let login = try await client.json(.post, "/v1/sessions", #"{"username":"burst","password":"correct horse"}"#)
            #expect(login.status == .serviceUnavailable)
            #expect(login.headers[.retryAfter] == "1")
            #expect(try JSONDecoder().decode(ErrorResponse.self, from: Data(login.body.readableBytesView)).error.code == "overloaded")
            let signup = try await client.json(.post, "/v1/users", #"{"username":"burst2","password":"correct horse"}"#)
            #expect(signup.status == .serviceUnavailable)
            #expect(try await client.json(.get, "/v1/me", token: session.token).status == .ok)
            blocker.release(1)
            // The released job leaves the pool a moment after its thread wakes; with no queue, a login before that
            // would still be refused.
            while pool.inFlight > 0 { try await Task.sleep(for: .milliseconds(1)) }
            #expect(try await client.json(.post, "/v1/sessions", #"{"username":"burst","password":"correct horse"}"#).status == .created)
        }
    }
}
