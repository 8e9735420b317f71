import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// Hashes and checks passwords. bcrypt is deliberately slow CPU work, so it never runs on the cooperative pool.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, hash: String) async throws -> Bool
    /// Spends the same time as a real `verify`, for logins of unknown users (no timing oracle for usernames).
    func verifyAgainstDummy(_ password: String) async throws
}

/// bcrypt from hummingbird-auth on `NIOThreadPool.singleton`.
public struct BcryptPasswordHasher: PasswordHasher {
    public let cost: UInt8
    private let dummy = DummyHash()

    public init(cost: Int) {
        self.cost = UInt8(clamping: cost)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
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
