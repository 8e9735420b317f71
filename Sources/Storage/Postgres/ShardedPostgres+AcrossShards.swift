import Logging
import PostgresNIO

/// What ``ShardedPostgres/queryAcrossShards(_:allowPartial:timeout:logger:_:)`` read.
public struct CrossShardRows: Sendable {
    /// Rows of every shard whose server answered, in no particular order.
    public var rows: [PostgresRow]
    /// Servers that failed; their shards' rows are missing. Empty unless the read allowed a partial answer.
    public var failedServers: [Int]

    public var isPartial: Bool { !failedServers.isEmpty }
}

extension ShardedPostgres {
    /// Runs one statement over many logical shards at the cost of one query per physical server: the statements of
    /// the shards a server holds go to it as a single `UNION ALL`, and the servers are asked in parallel.
    ///
    /// `makeQuery` is called once per server with the first shard's schema; the other shards' statements are the
    /// same text with their own schema and share its binds. So the statement must name tables only through the
    /// interpolated ``ShardSchema`` (never spell a schema), and its binds must not depend on the shard: bind the
    /// values of every shard of the server (`id = ANY(...)` finds only the shard's own rows anyway). Each shard's
    /// statement is parenthesised, so it may have its own `ORDER BY … LIMIT`; merging is the caller's.
    ///
    /// Shards outside the map are ignored (ids from elsewhere name nobody). With `allowPartial`, a failing server
    /// leaves its shards out and is named in ``CrossShardRows/failedServers``; the call still throws when every
    /// server failed. Without it, the first failure is thrown.
    public func queryAcrossShards(
        _ shards: some Sequence<Int>,
        allowPartial: Bool = false,
        timeout: Duration? = nil,
        logger: Logger? = nil,
        _ makeQuery: (ShardSchema) -> PostgresQuery
    ) async throws -> CrossShardRows {
        var byServer: [Int: [ShardSchema]] = [:]
        for shard in Set(shards) where shardMap.allShards.contains(shard) {
            byServer[try shardMap.server(forShard: shard), default: []].append(ShardSchema(validShard: shard))
        }
        let statements = byServer.mapValues { schemas in Self.unionAll(schemas.sorted(), makeQuery) }
        let outcomes = await withTaskGroup(of: (Int, Result<[PostgresRow], any Error>).self) { group in
            for (server, statement) in statements {
                group.addTask {
                    do {
                        return (server, .success(try await self.query(statement, server: server, timeout: timeout, logger: logger)))
                    } catch {
                        return (server, .failure(error))
                    }
                }
            }
            var outcomes: [(Int, Result<[PostgresRow], any Error>)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        var result = CrossShardRows(rows: [], failedServers: [])
        var firstFailure: (any Error)?
        for (server, outcome) in outcomes.sorted(by: { $0.0 < $1.0 }) {
            switch outcome {
            case .success(let rows):
                result.rows += rows
            case .failure(let error):
                firstFailure = firstFailure ?? error
                result.failedServers.append(server)
            }
        }
        if let firstFailure, !allowPartial || result.failedServers.count == outcomes.count {
            throw firstFailure
        }
        if result.isPartial {
            (logger ?? Logger(label: "darkroom.db")).warning("cross-shard read answered without some servers", metadata: [
                "db.failed_servers": "\(result.failedServers)", "error": "\(String(reflecting: firstFailure!))",
            ])
        }
        return result
    }

    /// The records of `ids`, each read on the shard its id names (one query per server), in the order asked; ids
    /// without a row are left out. `makeQuery` gets every id's raw value to bind (see ``queryAcrossShards``).
    public func records<Record>(
        ids: [ShardedID], logger: Logger? = nil, id: (Record) -> ShardedID, decode: (PostgresRow) throws -> Record,
        _ makeQuery: (ShardSchema, [Int64]) -> PostgresQuery
    ) async throws -> [Record] {
        let values = ids.map(\.rawValue)
        let rows = try await queryAcrossShards(ids.map(\.shard), logger: logger) { makeQuery($0, values) }.rows
        var found: [ShardedID: Record] = [:]
        for row in rows {
            let record = try decode(row)
            found[id(record)] = record
        }
        return ids.compactMap { found[$0] }
    }

    /// `(statement of shard a) UNION ALL (statement of shard b) …` with the binds of the first.
    static func unionAll(_ schemas: [ShardSchema], _ makeQuery: (ShardSchema) -> PostgresQuery) -> PostgresQuery {
        let template = makeQuery(schemas[0])
        let token = template.sql.contains("\(schemas[0].name).")
        precondition(token, "a cross-shard statement must name its tables through \\(schema)")
        var sql = ""
        for (index, schema) in schemas.enumerated() {
            if index > 0 { sql += " UNION ALL " }
            sql += "(" + (index == 0 ? template.sql : template.sql.replacingSchema(schemas[0], with: schema)) + ")"
        }
        return PostgresQuery(unsafeSQL: sql, binds: template.binds)
    }
}

extension String {
    /// Swaps every `sNNNN.` qualifier of one schema for another's (schema names come only from ``ShardSchema``).
    fileprivate func replacingSchema(_ old: ShardSchema, with new: ShardSchema) -> String {
        let from = Array("\(old.name).".utf8)
        let to = Array("\(new.name).".utf8)
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            // A qualifier starts a word: "xs0001." (an identifier ending in it) is not one.
            let atWordStart = index == 0 || !(bytes[index - 1].isIdentifierByte)
            if atWordStart, index + from.count <= bytes.count, bytes[index..<(index + from.count)].elementsEqual(from) {
                out += to
                index += from.count
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension UInt8 {
    fileprivate var isIdentifierByte: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) || self == 0x5F
    }
}
