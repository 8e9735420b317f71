import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The sharded PostgreSQL tier: one `PostgresClient` per physical server, routed by ``ShardMap``.
///
/// Run it in the `ServiceGroup` before anything that queries (its `run()` runs every pool).
/// Every call has a deadline (``ShardedPostgresConfiguration/callTimeout``) and fails with a
/// `StorageError`: `.unavailable` when no connection could be had, `.timeout` when the server
/// did not answer in time, `.conflict` for a unique violation (SQLSTATE 23505), `.queryFailed`
/// otherwise, with the SQLSTATE in `serverCode`. Only unnamed statements and no session state
/// (`SET`, session locks), so a transaction-mode PgBouncer can sit in front.
///
/// ```swift
/// let user = try await db.withTransaction(shard: shard) { connection, schema in
///     let rows = try await connection.query(
///         "INSERT INTO \(schema).users (username, password_hash) VALUES (\(name), \(hash)) RETURNING id",
///         logger: logger)
///     ...
/// }
/// ```
public final class ShardedPostgres: Service, Sendable {
    public let configuration: ShardedPostgresConfiguration
    public var shardMap: ShardMap { configuration.shardMap }
    public var serverCount: Int { clients.count }

    private let clients: [PostgresClient]
    private let reachability: [Reachability]
    private let callCounts: [CallCount]
    private let logger: Logger

    public init(
        configuration: ShardedPostgresConfiguration,
        logger: Logger = Logger(label: "darkroom.db"),
        eventLoopGroup: any EventLoopGroup = PostgresClient.defaultEventLoopGroup
    ) {
        self.configuration = configuration
        self.logger = logger
        self.reachability = configuration.servers.map { _ in Reachability() }
        self.callCounts = configuration.servers.map { _ in CallCount() }
        self.clients = configuration.servers.map { server in
            var client = server.clientConfiguration()
            client.options.connectTimeout = configuration.connectTimeout
            client.options.maximumConnections = configuration.maximumConnectionsPerServer
            client.options.minimumConnections = configuration.minimumConnectionsPerServer
            var background = logger
            background[metadataKey: "db.server"] = "\(server)"
            return PostgresClient(configuration: client, eventLoopGroup: eventLoopGroup, backgroundLogger: background)
        }
    }

    /// Runs every server's pool until cancelled or graceful shutdown.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for client in clients {
                group.addTask { await client.run() }
            }
        }
    }

    // MARK: - Routing

    public func server(forShard shard: Int) throws(StorageError) -> Int {
        try shardMap.server(forShard: shard)
    }

    /// The redacted URL of a server, for logs and health output.
    public func endpoint(ofServer server: Int) -> String {
        configuration.servers.indices.contains(server) ? configuration.servers[server].description : "server \(server)"
    }

    // MARK: - Calls on a shard

    /// Leases a connection on the shard's server; queries must name tables through `schema`.
    public func withConnection<Result: Sendable>(
        shard: Int,
        timeout: Duration? = nil,
        logger: Logger? = nil,
        _ body: @escaping @Sendable (PostgresConnection, ShardSchema) async throws -> Result
    ) async throws -> Result {
        let schema = try shardMap.schema(forShard: shard)
        let server = try shardMap.server(forShard: shard)
        let logger = self.logger(logger, shard: shard)
        return try await call(server: server, timeout: timeout, logger: logger) { connection in
            try await body(connection, schema)
        }
    }

    /// Runs `body` in one transaction on the shard's server: committed when it returns, rolled
    /// back when it throws (its error is rethrown, mapped to `StorageError` if it is not one).
    /// Not postgres-nio's `withTransaction`: that one sends ROLLBACK even on a connection that
    /// has just closed, which can hang forever. A `.timeout` (or `.unavailable` after the lease)
    /// leaves the outcome of a COMMIT unknown: make writes idempotent.
    public func withTransaction<Result: Sendable>(
        shard: Int,
        timeout: Duration? = nil,
        logger: Logger? = nil,
        _ body: @escaping @Sendable (PostgresConnection, ShardSchema) async throws -> Result
    ) async throws -> Result {
        let schema = try shardMap.schema(forShard: shard)
        let server = try shardMap.server(forShard: shard)
        let logger = self.logger(logger, shard: shard)
        return try await call(server: server, timeout: timeout, logger: logger) { connection in
            try await PostgresDeadline.transaction(on: connection, logger: logger) { connection in
                try await body(connection, schema)
            }
        }
    }

    /// One statement on the shard's server; all rows collected (keep result sets small).
    ///
    ///     let rows = try await db.query(shard: id.shard) { "SELECT caption FROM \($0).media WHERE id = \(id)" }
    public func query(
        shard: Int,
        timeout: Duration? = nil,
        logger: Logger? = nil,
        _ makeQuery: (ShardSchema) -> PostgresQuery
    ) async throws -> [PostgresRow] {
        let schema = try shardMap.schema(forShard: shard)
        let query = makeQuery(schema)
        return try await withConnection(shard: shard, timeout: timeout, logger: logger) { connection, _ in
            try await connection.query(query, logger: logger ?? self.logger).collect()
        }
    }

    /// A fresh id from the shard's `next_id()`: time-ordered and carrying the shard.
    public func mintID(shard: Int, timeout: Duration? = nil, logger: Logger? = nil) async throws -> ShardedID {
        let rows = try await query(shard: shard, timeout: timeout, logger: logger) { "SELECT \($0).next_id()" }
        guard let row = rows.first else {
            throw StorageError(.protocolError, "next_id() on shard \(shard) returned no row")
        }
        do {
            return try row.decode(ShardedID.self)
        } catch {
            throw StorageError.postgres(error, phase: .leased, server: endpoint(ofServer: try shardMap.server(forShard: shard)))
        }
    }

    // MARK: - Calls on a server (schema `public`: outbox, directory, migrations)

    public func withConnection<Result: Sendable>(
        server: Int,
        timeout: Duration? = nil,
        logger: Logger? = nil,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try checkServer(server)
        return try await call(server: server, timeout: timeout, logger: logger ?? self.logger, body)
    }

    public func withTransaction<Result: Sendable>(
        server: Int,
        timeout: Duration? = nil,
        logger: Logger? = nil,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try checkServer(server)
        let logger = logger ?? self.logger
        return try await call(server: server, timeout: timeout, logger: logger) { connection in
            try await PostgresDeadline.transaction(on: connection, logger: logger, body)
        }
    }

    public func query(_ query: PostgresQuery, server: Int, timeout: Duration? = nil, logger: Logger? = nil) async throws -> [PostgresRow] {
        let logger = logger ?? self.logger
        return try await withConnection(server: server, timeout: timeout, logger: logger) { connection in
            try await connection.query(query, logger: logger).collect()
        }
    }

    // MARK: - Readiness

    /// `SELECT 1` on every server in parallel, each within the call deadline.
    public func ping(timeout: Duration? = nil) async -> [PostgresServerStatus] {
        await withTaskGroup(of: PostgresServerStatus.self) { group in
            for server in clients.indices {
                group.addTask {
                    let start = ContinuousClock.now
                    let failure: StorageError?
                    do {
                        _ = try await self.query("SELECT 1", server: server, timeout: timeout)
                        failure = nil
                    } catch let error as StorageError {
                        failure = error
                    } catch {
                        failure = StorageError(.unavailable, "ping of \(self.endpoint(ofServer: server)) was interrupted", underlying: error)
                    }
                    return PostgresServerStatus(
                        server: server,
                        endpoint: self.endpoint(ofServer: server),
                        shards: self.shardMap.shards(onServer: server),
                        latency: ContinuousClock.now - start,
                        error: failure)
                }
            }
            var statuses: [PostgresServerStatus] = []
            for await status in group { statuses.append(status) }
            return statuses.sorted { $0.server < $1.server }
        }
    }

    /// Calls (one leased connection each, normally one statement) sent to `server` since this client was made: what
    /// a read costs, observable without `pg_stat_statements`.
    public func callCount(server: Int) -> Int {
        callCounts.indices.contains(server) ? callCounts[server].value.withLock { $0 } : 0
    }

    // MARK: - Internals

    private func checkServer(_ server: Int) throws(StorageError) {
        guard clients.indices.contains(server) else {
            throw StorageError(.invalidArgument, "server \(server) is outside 0..<\(clients.count)")
        }
    }

    private func logger(_ logger: Logger?, shard: Int) -> Logger {
        var logger = logger ?? self.logger
        logger[metadataKey: "db.shard"] = "\(shard)"
        return logger
    }

    /// Leases a connection and runs `body` under the deadline, mapping every failure.
    private func call<Result: Sendable>(
        server: Int,
        timeout: Duration?,
        logger: Logger,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let deadline = timeout ?? configuration.callTimeout
        let endpoint = endpoint(ofServer: server)
        let reachability = reachability[server]
        let leaseTimeout = reachability.isUnreachable ? configuration.unreachableLeaseTimeout : deadline
        callCounts[server].value.withLock { $0 += 1 }
        do {
            let result = try await PostgresDeadline.run(client: clients[server], timeout: deadline, leaseTimeout: leaseTimeout, logger: logger, body)
            reachability.update(reachable: true)
            return result
        } catch let expired as PostgresDeadline.Expired {
            reachability.update(reachable: expired.phase == .leased)
            switch expired.phase {
            case .leasing:
                throw StorageError(.unavailable, "no connection to PostgreSQL \(endpoint) within \(min(leaseTimeout, deadline))")
            case .leased:
                throw StorageError(.timeout, "PostgreSQL \(endpoint) did not answer within \(deadline)")
            }
        } catch let failure as PostgresDeadline.Failure {
            // A cancelled caller says nothing about the server.
            if !Task.isCancelled {
                reachability.update(reachable: failure.phase == .leased)
            }
            throw StorageError.postgres(failure.error, phase: failure.phase, server: endpoint)
        }
    }
}

/// Whether the last call to a server got a connection.
private final class Reachability: Sendable {
    private let unreachable = Mutex(false)

    var isUnreachable: Bool { unreachable.withLock { $0 } }

    func update(reachable: Bool) {
        unreachable.withLock { $0 = !reachable }
    }
}

private final class CallCount: Sendable {
    let value = Mutex(0)
}

/// One server's answer to ``ShardedPostgres/ping(timeout:)``.
public struct PostgresServerStatus: Sendable {
    public var server: Int
    /// The URL without password.
    public var endpoint: String
    /// Logical shards this server hosts (they are down with it).
    public var shards: [Int]
    public var latency: Duration
    /// nil when the server answered.
    public var error: StorageError?

    public var isReady: Bool { error == nil }
}
