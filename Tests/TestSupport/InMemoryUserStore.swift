import Storage
import Foundation
import Logging
import Synchronization

/// A `UserStore` for unit tests, with the same uniqueness rule (case-insensitive usernames) and id shape.
public final class InMemoryUserStore: UserStore {
    private struct State {
        var users: [ShardedID: UserRecord] = [:]
        var directory: [String: ShardedID] = [:]
        var sequence = 0
    }
    private let state = Mutex(State())
    private let shardMap: ShardMap
    /// When set, every call throws it: lets tests see how store failures reach a client.
    public let failure = Mutex<StorageError?>(nil)

    public init(shardMap: ShardMap) {
        self.shardMap = shardMap
    }

    public func create(_ user: NewUser, logger: Logger) async throws -> UserRecord {
        if let failure = failure.withLock({ $0 }) { throw failure }
        let shard = shardMap.shardForNewUser(username: user.username)
        return try state.withLock { state throws(StorageError) in
            let key = user.username.lowercased()
            guard state.directory[key] == nil else { throw StorageError(.alreadyExists, "username taken") }
            state.sequence += 1
            let id = try ShardedID(timestamp: Date(), shard: shard, sequence: state.sequence % ShardedID.sequenceLimit)
            let record = UserRecord(id: id, username: user.username, displayName: user.displayName, passwordHash: user.passwordHash, createdAt: Date())
            state.directory[key] = id
            state.users[id] = record
            return record
        }
    }

    public func user(id: ShardedID, logger: Logger) async throws -> UserRecord? {
        if let failure = failure.withLock({ $0 }) { throw failure }
        return state.withLock { $0.users[id] }
    }

    public func user(username: String, logger: Logger) async throws -> UserRecord? {
        if let failure = failure.withLock({ $0 }) { throw failure }
        return state.withLock { state in state.directory[username.lowercased()].flatMap { state.users[$0] } }
    }
}
