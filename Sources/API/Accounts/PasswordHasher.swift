import HummingbirdBcrypt
import NIOCore
import NIOPosix
import Runtime
import Synchronization

/// Hashes and checks passwords. bcrypt is deliberately slow CPU work, so it never runs on the cooperative pool.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, hash: String) async throws -> Bool
    /// Spends the same time as a real `verify`, for logins of unknown users (no timing oracle for usernames).
    func verifyAgainstDummy(_ password: String) async throws
}

/// bcrypt from hummingbird-auth on its own bounded pool: a burst of logins waits (or is refused) there, and never
/// takes the threads sessions (Redis) and uploads (libvips) need.
public struct BcryptPasswordHasher: PasswordHasher {
    public let cost: UInt8
    public let pool: BoundedThreadPool
    private let dummy = DummyHash()

    /// Without a pool: one per process, a thread per core and a generous queue (unit tests, tools; the server passes
    /// the configured one).
    public init(cost: Int, pool: BoundedThreadPool = Self.defaultPool) {
        self.cost = UInt8(clamping: cost)
        self.pool = pool
    }

    public static let defaultPool = BoundedThreadPool(name: "bcrypt", threads: System.coreCount, queueLimit: 256)

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await pool.run { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await pool.run { Bcrypt.verify(password, hash: hash) }
    }

    public func verifyAgainstDummy(_ password: String) async throws {
        if let existing = dummy.value.withLock({ $0 }) {
            _ = try await verify(password, hash: existing)
        } else {
            // Making the hash costs what one verify costs (the same key schedule at the same cost), so even the
            // first unknown-user login takes as long as a wrong password. Racing first callers may each make one.
            let hash = try await self.hash(password)
            dummy.value.withLock { $0 = $0 ?? hash }
        }
    }

    private final class DummyHash: Sendable {
        let value = Mutex<String?>(nil)
    }
}
