/// Settings of ``ShardedPostgres``. Parsing them from the environment is the command's job.
public struct ShardedPostgresConfiguration: Sendable {
    /// One entry per physical server, in shard-map order (server 0 first; it holds the directory).
    public var servers: [PostgresServerURL]
    public var shardMap: ShardMap
    /// Deadline of one call (lease + queries + commit). postgres-nio waits for a connection
    /// without limit, so this is what makes a down server fail fast. Default 3 s.
    public var callTimeout: Duration = .seconds(3)
    /// How long a call waits for a connection to a server whose last call could not get one.
    /// Keeps a down shard's callers from each waiting the full ``callTimeout``; the first call
    /// that gets a connection clears the mark. Default 250 ms.
    public var unreachableLeaseTimeout: Duration = .milliseconds(250)
    /// TCP + startup handshake limit of a new connection. Default 3 s.
    public var connectTimeout: Duration = .seconds(3)
    /// Pool size per server. Default 20 (postgres-nio's default); with PgBouncer in front, keep it
    /// at or below the pool's `default_pool_size`.
    public var maximumConnectionsPerServer: Int = 20
    /// Connections each pool keeps open while idle. Default 0.
    public var minimumConnectionsPerServer: Int = 0

    public init(servers: [PostgresServerURL], shardMap: ShardMap) throws(StorageError) {
        guard !servers.isEmpty else {
            throw StorageError(.invalidArgument, "no PostgreSQL server configured")
        }
        guard shardMap.serverCount == servers.count else {
            throw StorageError(.invalidArgument, "the shard map names \(shardMap.serverCount) server(s) but \(servers.count) URL(s) are configured")
        }
        self.servers = servers
        self.shardMap = shardMap
    }

    /// From the raw settings: URLs (one per server), the logical shard count and an optional
    /// map spec (`"0-3:0,4-7:1"`; nil or empty = contiguous equal split).
    public init(urls: [String], shardCount: Int = ShardMap.defaultShardCount, shardMapSpec: String? = nil) throws(StorageError) {
        var servers: [PostgresServerURL] = []
        for url in urls {
            servers.append(try PostgresServerURL(url))
        }
        guard !servers.isEmpty else {
            throw StorageError(.invalidArgument, "no PostgreSQL server configured")
        }
        let map: ShardMap
        if let shardMapSpec, !shardMapSpec.isEmpty {
            map = try ShardMap(spec: shardMapSpec, shardCount: shardCount, serverCount: servers.count)
        } else {
            map = try ShardMap(shardCount: shardCount, serverCount: servers.count)
        }
        try self.init(servers: servers, shardMap: map)
    }
}
