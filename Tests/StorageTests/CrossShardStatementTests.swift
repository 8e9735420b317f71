import Foundation
import PostgresNIO
@testable import Storage
import Testing

/// The UNION ALL a cross-shard read sends to one server: every shard's statement, each with its own schema, sharing
/// one set of binds.
@Suite struct CrossShardStatementTests {
    @Test(arguments: [[0], [1, 3], [4, 5, 6, 7]])
    func everyShardGetsItsOwnSchemaAndTheBindsAreShared(shards: [Int]) throws {
        let schemas = try shards.map(ShardSchema.init(shard:))
        let ids: [Int64] = [1, 2, 3]
        let statement = ShardedPostgres.unionAll(schemas) { schema in
            "SELECT id, \(unescaped: "ARRAY(SELECT t.tag FROM \(schema.name).tags t)") FROM \(schema).media m WHERE m.id = ANY(\(ids)) LIMIT \(5)"
        }
        #expect(statement.binds.count == 2)
        let parts = statement.sql.components(separatedBy: " UNION ALL ")
        #expect(parts.count == shards.count)
        for (part, schema) in zip(parts, schemas) {
            #expect(part == "(SELECT id, ARRAY(SELECT t.tag FROM \(schema.name).tags t) FROM \(schema.name).media m WHERE m.id = ANY($1) LIMIT $2)")
        }
    }

    @Test func onlyWholeQualifiersAreSwapped() throws {
        let statement = ShardedPostgres.unionAll([try ShardSchema(shard: 0), try ShardSchema(shard: 12)]) { schema in
            "SELECT xs0000.a FROM \(schema).media xs0000"
        }
        #expect(statement.sql == "(SELECT xs0000.a FROM s0000.media xs0000) UNION ALL (SELECT xs0000.a FROM s0012.media xs0000)")
    }
}
