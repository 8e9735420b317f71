/// One dependency that `/health/ready` asks: a shard server, Redis, the object store.
public protocol ReadinessCheck: Sendable {
    /// Stable name shown in the readiness answer (`postgres-0`, `redis`, `object-store`).
    var name: String { get }
    /// Throws when the dependency cannot serve requests now.
    func check() async throws
}

/// A readiness check from a closure, for wiring and tests.
public struct ClosureReadinessCheck: ReadinessCheck {
    public let name: String
    private let body: @Sendable () async throws -> Void

    public init(name: String, _ body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
    }

    public func check() async throws { try await body() }
}
